"""TEMPORARY lead shim: the progress bar moved out of streaming.py (replaced at merge)."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from newsclf.errors import ConfigError

__all__ = ["Progress", "progress_enabled"]

log = logging.getLogger(__name__)


class Progress:
    """A one-line progress bar on stderr: articles, articles/s and the ETA.

    Drawn only when ``enabled`` (a TTY outside CI by default); otherwise a log line at every
    tenth of the way, so ``train.log`` still shows the rate.
    """

    def __init__(self, label: str, total: int | None, *, enabled: bool, unit: str = "articles"):
        self.label = label
        self.total = total
        self.enabled = enabled
        self.unit = unit
        self.done = 0
        self.fraction = 0.0
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._logged = 0

    def update(self, n: int, fraction: float | None = None) -> None:
        """Add ``n`` items; ``fraction`` (e.g. bytes read / file size) when there is no total."""
        self.done += n
        if fraction is not None:
            self.fraction = fraction
        elif self.total:
            self.fraction = self.done / self.total
        now = time.perf_counter()
        if self.enabled and now - self._drawn >= 0.2:
            self._drawn = now
            sys.stderr.write("\r" + self.line() + "\x1b[K")
            sys.stderr.flush()
        elif not self.enabled and int(self.fraction * 10) > self._logged:
            self._logged = int(self.fraction * 10)
            log.info("%s", self.line())

    def rate(self) -> float:
        return self.done / max(time.perf_counter() - self.started, 1e-9)

    def line(self) -> str:
        rate = self.rate()
        total = f"/{self.total:,}" if self.total else ""
        text = f"{self.label}: {self.done:,}{total} {self.unit} | {rate:,.0f} {self.unit}/s"
        if 0 < self.fraction < 1:
            remaining = (time.perf_counter() - self.started) * (1 - self.fraction) / self.fraction
            text += f" | {self.fraction:.0%} | ETA {int(remaining) // 60}:{int(remaining) % 60:02d}"
        return text

    def close(self) -> float:
        """Finish the line; return the elapsed seconds."""
        elapsed = time.perf_counter() - self.started
        if self.enabled:
            sys.stderr.write("\r" + self.line() + "\x1b[K\n")
            sys.stderr.flush()
        log.info(
            "%s: %s %s in %.1f s (%s %s/s)",
            self.label,
            f"{self.done:,}",
            self.unit,
            elapsed,
            f"{self.rate():,.0f}",
            self.unit,
        )
        return elapsed


def progress_enabled(option: Any, key: str = "progress") -> bool:
    if option in (True, False):
        return bool(option)
    if option != "auto":
        raise ConfigError(f"must be auto, true or false, got {option!r}", key=key)
    return sys.stderr.isatty() and not os.environ.get("CI")
