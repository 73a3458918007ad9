"""The result of one audit run: every frame the writers render, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wgm.settings import Settings


@dataclass(frozen=True)
class InputInfo:
    """One input file as read: what audit.json lists under `inputs`."""

    path: str
    sha256: str
    fmt: str
    encoding: str
    lines: int
    messages: int
    unparsed: int
    structural_lines: int = 0
    skipped_reason: str = ""   # set when a walked folder held a file that was not read
    refused: bool = False      # the file looked like it could be an export and was not read: the input is incomplete
    exported: str = ""         # when the export was made, as the file states it (local ISO time), "" if it does not
    modified: str = ""         # the file's modification time (local ISO time): when it was made, failing better


@dataclass(frozen=True)
class AuditResult:
    messages: pd.DataFrame      # schema.MESSAGE_COLUMNS
    unparsed: pd.DataFrame      # schema.UNPARSED_COLUMNS
    tasks: pd.DataFrame         # schema.TASK_COLUMNS
    events: pd.DataFrame        # schema.EVENT_COLUMNS (only the selected months)
    summary: pd.DataFrame       # month x member, per-rule count_/amount_ columns
    settings: Settings
    inputs: tuple[InputInfo, ...]
    months: tuple[str, ...]     # the months reported ("YYYY-MM")
    as_of: str                  # ISO time: the latest moment any group's exports reach (see coverage)
    version: str
    overrides_used: tuple[dict, ...] = ()
    warnings: tuple[str, ...] = ()
    inputs_hash: str = ""       # sha256 over settings hash + input hashes + roster/incidents/overrides
    judgement_hash: str = ""    # the same but for amounts and review settings (wgm.api.judgement_hash)
    coverage: tuple = ()        # coverage.GroupCoverage per group, in group order
    # why the input is incomplete (contract.md exit 3): files refused, lines unread, months not covered
    incomplete: tuple[str, ...] = ()

    @property
    def review_count(self) -> int:
        return int(self.events["needs_review"].sum()) if len(self.events) else 0

    @property
    def unparsed_count(self) -> int:
        return len(self.unparsed)
