"""One exception family for every mistake a user can make.

Each error says what was wrong, where (file and line, or config key) and how to fix it, so the CLI
can print it as one line instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ArtifactError", "ClusterError", "ConfigError", "DataError", "NewsclfError"]


#: files whose records are numbered by row (``file.parquet row 7``) rather than line
_ROW_FILES = (".parquet", ".pq")


class NewsclfError(Exception):
    """Base class: a problem the user can fix; the CLI prints it without a traceback."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message

    def __reduce__(self) -> tuple:
        # raised on a Dask worker, an error is pickled back to the client: keep every attribute
        # (the default would call __init__ again with the prefixed message only, losing the hint)
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[NewsclfError], args: tuple, state: dict) -> NewsclfError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class DataError(NewsclfError, ValueError):
    """Bad input data: names the file, the line and the field where known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        self.reason = message  # without the location, for per-record error lines
        where = []
        if self.path is not None:
            if line is None:
                where.append(self.path)
            elif self.path.lower().endswith(_ROW_FILES):  # a Parquet file has rows, not lines
                where.append(f"{self.path} row {line}")
            else:
                where.append(f"{self.path}:{line}")
        elif line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message, hint=hint)


class ConfigError(NewsclfError, ValueError):
    """A bad configuration value: names the config key."""

    def __init__(self, message: str, *, key: str | None = None, hint: str | None = None) -> None:
        self.key = key
        prefix = f"config '{key}': " if key else ""
        super().__init__(prefix + message, hint=hint)


class ArtifactError(NewsclfError):
    """A saved model that cannot be loaded safely: names the file."""

    def __init__(
        self, message: str, *, path: str | Path | None = None, hint: str | None = None
    ) -> None:
        self.path = None if path is None else str(path)
        prefix = f"{self.path}: " if self.path else ""
        super().__init__(prefix + message, hint=hint)


class ClusterError(NewsclfError):
    """A Dask cluster that cannot be reached or used: names its address."""

    def __init__(
        self, message: str, *, address: str | None = None, hint: str | None = None
    ) -> None:
        self.address = address
        prefix = f"cluster {address}: " if address else ""
        super().__init__(prefix + message, hint=hint)
