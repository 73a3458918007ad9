"""The exceptions wgm raises for problems a user must fix (bad input, settings, usage).

Every error carries where it happened (file, line, key path) so the CLI can print one
clear line and exit 2. Anything else escaping the library is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class WgmError(Exception):
    """A problem the user can fix; `str()` is the one line the CLI prints."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.key = key
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = str(self.source)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class InputError(WgmError):
    """An export that cannot be read or audited (unknown format, no times, unreadable bytes)."""


class SettingsError(WgmError):
    """rules.yaml, roster, incidents, overrides or membership file with a mistake."""

    def __init__(self, problems: list[WgmError] | str, **kw) -> None:
        self.problems: list[WgmError]
        if isinstance(problems, str):
            super().__init__(problems, **kw)
            self.problems = [self]
        else:
            self.problems = problems
            first = problems[0]
            super().__init__(first.message, source=first.source, line=first.line, key=first.key)

    def __str__(self) -> str:
        if getattr(self, "problems", None) and len(self.problems) > 1:
            return "\n".join(WgmError.__str__(p) for p in self.problems)
        return WgmError.__str__(self)


class UsageError(WgmError):
    """Bad command-line usage (unknown option value, missing input)."""


@dataclass(frozen=True)
class Problem:
    """A non-fatal problem kept as data: an unread line, a rule that failed, an unused override."""

    source: str
    line: int
    reason: str
    text: str = ""
