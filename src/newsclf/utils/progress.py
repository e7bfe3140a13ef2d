"""The one progress bar of newsclf (streaming training, ``newsclf data fetch``), drawn by tqdm.

:class:`Progress` draws a tqdm bar on stderr when ``enabled`` (see :func:`progress_enabled`:
a terminal outside CI by default). Disabled, it draws nothing and logs one line at every tenth
of the way instead, so a run's ``train.log`` still shows how fast it went. Either way
:meth:`Progress.close` logs the count, the time and the mean rate.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from tqdm import tqdm

from newsclf.errors import ConfigError

__all__ = ["Progress", "progress_enabled"]

log = logging.getLogger(__name__)


class Progress:
    """A progress bar on stderr: items done (of ``total``), items/s and the ETA.

    Parameters
    ----------
    label : str
        What is progressing (``"scan"``, ``"train (epoch 1/3)"``, a file name).
    total : int or None
        Items expected; ``None`` when unknown (pass ``fraction`` to :meth:`update` to still
        get the share done and an ETA, e.g. bytes read / file size).
    enabled : bool
        Draw the bar (on a terminal); otherwise log a line at every tenth of the way.
    unit : str, default="articles"
        Name of an item.
    unit_scale : bool, default=False
        Show counts with SI prefixes (``2.10M``): for bytes.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        enabled: bool,
        unit: str = "articles",
        unit_scale: bool = False,
    ) -> None:
        self.label = label
        self.total = total
        self.enabled = enabled
        self.unit = unit
        self.unit_scale = unit_scale
        self.done = 0
        self.fraction = 0.0
        self.started = time.perf_counter()
        self._logged = 0
        self._bar: tqdm | None = None
        if enabled:
            self._bar = tqdm(
                total=total,
                desc=label,
                unit=unit if unit_scale else f" {unit}",
                unit_scale=unit_scale,
                unit_divisor=1000,
                file=sys.stderr,
                mininterval=0.2,
                dynamic_ncols=True,
                leave=True,
            )

    def update(self, n: int, fraction: float | None = None) -> None:
        """Add ``n`` items; ``fraction`` (e.g. bytes read / file size) when there is no total."""
        self.done += n
        if fraction is not None:
            self.fraction = fraction
        elif self.total:
            self.fraction = self.done / self.total
        if self._bar is not None:
            if fraction is not None and not self.total:
                self._bar.set_postfix_str(self._share(), refresh=False)
            self._bar.update(n)
        elif int(self.fraction * 10) > self._logged:
            self._logged = int(self.fraction * 10)
            log.info("%s", self.line())

    def rate(self) -> float:
        """Mean items per second since the start."""
        return self.done / max(time.perf_counter() - self.started, 1e-9)

    def line(self) -> str:
        """One plain-text line: label, items done, rate, share done and ETA (what is logged)."""
        done = self._amount(self.done)
        if self.total:
            done += f"/{self._amount(self.total)}"
        text = f"{self.label}: {self._of_unit(done)} | {self._of_unit(self._amount(self.rate()))}/s"
        if 0 < self.fraction < 1:
            text += f" | {self._share()}"
        return text

    def close(self) -> float:
        """Finish the bar and log the summary; return the elapsed seconds."""
        elapsed = time.perf_counter() - self.started
        if self._bar is not None:
            if not self.total:
                self._bar.set_postfix_str("", refresh=False)
            self._bar.close()
            self._bar = None
        log.info(
            "%s: %s in %.1f s (%s/s)",
            self.label,
            self._of_unit(self._amount(self.done)),
            elapsed,
            self._of_unit(self._amount(self.rate())),
        )
        return elapsed

    def _share(self) -> str:
        elapsed = time.perf_counter() - self.started
        if not 0 < self.fraction < 1:
            return f"{self.fraction:.0%}"
        remaining = int(elapsed * (1 - self.fraction) / self.fraction)
        return f"{self.fraction:.0%} | ETA {remaining // 60}:{remaining % 60:02d}"

    def _amount(self, value: float) -> str:
        if self.unit_scale:
            return tqdm.format_sizeof(value, divisor=1000)
        return f"{value:,.0f}"

    def _of_unit(self, amount: str) -> str:
        return f"{amount}{self.unit}" if self.unit_scale else f"{amount} {self.unit}"


def progress_enabled(option: Any, key: str = "progress") -> bool:
    """Whether to draw progress bars: ``True``/``False`` as given; ``"auto"``: when stderr is a
    terminal and ``$CI`` is not set. Anything else is a :class:`ConfigError` about ``key``."""
    if option in (True, False):
        return bool(option)
    if option != "auto":
        raise ConfigError(f"must be auto, true or false, got {option!r}", key=key)
    return sys.stderr.isatty() and not os.environ.get("CI")
