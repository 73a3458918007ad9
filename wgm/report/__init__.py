"""Writers: render an AuditResult into the files of contract.md. They compute nothing new:
the evidence is in the frames; writers only lay it out."""

from __future__ import annotations

from pathlib import Path

from wgm.report.atomic import OutputLock, write_atomic
from wgm.report.machine import audit_json, csv_files, parsed_files
from wgm.report.publish import announcements
from wgm.report.xlsx import workbook
from wgm.result import AuditResult

FORMATS = ("xlsx", "csv", "json", "md")


def render(result: AuditResult, formats: set[str], lang: str = "zh") -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if "csv" in formats:
        files.update(csv_files(result))
    if "json" in formats:
        files["audit.json"] = audit_json(result)
    if "xlsx" in formats:
        files["report.xlsx"] = workbook(result, lang)
    if "md" in formats:
        files.update(announcements(result))
    return files


def write(result: AuditResult, out_dir: Path, formats: set[str], lang: str = "zh") -> list[Path]:
    """Render everything first, then write each file atomically under the folder's lock."""
    files = render(result, formats, lang)
    out_dir = Path(out_dir)
    written = []
    with OutputLock(out_dir):
        for name, data in sorted(files.items()):
            write_atomic(out_dir / name, data)
            written.append(out_dir / name)
    return written


def write_parsed(messages, unparsed, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    with OutputLock(out_dir):
        for name, data in parsed_files(messages, unparsed).items():
            write_atomic(out_dir / name, data)
            written.append(out_dir / name)
    return written
