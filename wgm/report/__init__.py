"""Writers: render an AuditResult into the files of contract.md. They compute nothing new:
the evidence is in the frames; writers only lay it out."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from wgm.report.atomic import OutputLock, commit_all, stage, write_atomic
from wgm.report.machine import audit_json, csv_files, parsed_files
from wgm.report.publish import announcements
from wgm.result import AuditResult

FORMATS = ("xlsx", "csv", "json", "txt")


def render(result: AuditResult, formats: set[str], lang: str = "zh") -> dict[str, bytes]:
    return {name: data if isinstance(data, bytes) else data.read_bytes() if isinstance(data, Path)
            else b"".join(c.read_bytes() if isinstance(c, Path) else c for c in data)
            for name, data in _render_parts(result, formats, lang).items()}


def _render_parts(result: AuditResult, formats: set[str], lang: str,
                  jobs: int = 1) -> dict[str, bytes | Iterable[bytes] | Path]:
    """Each file's bytes, or (the big CSVs) its chunks, made while the file is written, or a kept file
    with its bytes."""
    files: dict[str, bytes | Iterable[bytes]] = {}
    if "csv" in formats:
        files.update(csv_files(result, chunked=True, jobs=jobs))
    if "json" in formats:
        files["audit.json"] = audit_json(result)
    if "xlsx" in formats:
        from wgm.report.xlsx import workbook     # openpyxl loads only for runs that write a workbook
        files["report.xlsx"] = workbook(result, lang)
    if "txt" in formats or "md" in formats:      # "md": the 公示's old format name
        files.update(announcements(result))
    return files


def write(result: AuditResult, out_dir: Path, formats: set[str], lang: str = "zh", jobs: int = 1) -> list[Path]:
    """Every file is written to a temp file first, under the folder's lock; only when all are complete
    are they renamed into place, so a failure or a kill never leaves a mix of two runs' files."""
    files = _render_parts(result, formats, lang, jobs)
    out_dir = Path(out_dir)
    staged: list[tuple[Path, Path]] = []
    with OutputLock(out_dir):
        try:
            for name, data in sorted(files.items()):
                staged.append((stage(out_dir / name, data), out_dir / name))
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        commit_all(staged)
        if "csv" in formats:      # under the lock: no other run can replace the files being kept
            keep_csv(result, out_dir)
    return [path for _, path in staged]


def keep_csv(result: AuditResult, out_dir: Path) -> None:
    """With --cache, the big CSVs just written are kept for the next run that would write the same
    bytes (an auditor trying other amounts: see AuditResult.csv_memo). One messages.csv is kept per
    assessment: a newer review set replaces the older one."""
    for name, kept in result.csv_memo:
        memo = Path(kept)
        if memo.is_file():
            continue
        if name == "messages.csv":
            for old in memo.parent.glob(memo.name.split("-")[0] + "-*.messages.csv"):
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{memo.name}.", suffix=".tmp", dir=memo.parent)
        os.close(fd)
        try:
            shutil.copyfile(out_dir / name, tmp)
            os.replace(tmp, memo)
        finally:
            Path(tmp).unlink(missing_ok=True)


def write_parsed(messages, unparsed, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    with OutputLock(out_dir):
        for name, data in parsed_files(messages, unparsed).items():
            write_atomic(out_dir / name, data)
            written.append(out_dir / name)
    return written
