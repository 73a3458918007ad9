"""Writers: render an AuditResult into the files of contract.md. They compute nothing new:
the evidence is in the frames; writers only lay it out."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Iterable

from wgm.cache import FileMemo
from wgm.errors import UsageError
from wgm.report.atomic import OutputLock, commit_all, stage, write_atomic
from wgm.report.machine import audit_json_chunks, csv_files, parsed_files
from wgm.report.publish import announcements
from wgm.result import AuditResult

FORMATS = ("xlsx", "csv", "json", "txt")


def render(result: AuditResult, formats: set[str], lang: str = "zh") -> dict[str, bytes]:
    return {name: data if isinstance(data, bytes) else data.read_bytes() if isinstance(data, Path)
            else b"".join(c.read_bytes() if isinstance(c, Path) else c for c in data)
            for name, data in _render_parts(result, formats, lang).items()}


def content_keys(result: AuditResult) -> dict[str, str]:
    """The big CSV files whose bytes are fixed by less than the whole result, each with a key of what
    they depend on: tasks.csv by the judgement alone, messages.csv by it and the review set (its
    needs_review column). Two results with equal keys write these files byte for byte the same."""
    if not result.judgement_hash:
        return {}
    review = hashlib.sha256("\n".join(sorted(result.messages.loc[result.messages["needs_review"], "msg_id"]))
                            .encode("utf-8")).hexdigest()[:16]
    return {"tasks.csv": result.judgement_hash, "messages.csv": f"{result.judgement_hash}-{review}"}


def _render_parts(result: AuditResult, formats: set[str], lang: str, jobs: int = 1,
                  memo: FileMemo | None = None) -> dict[str, bytes | Iterable[bytes] | Path]:
    """Each file's bytes, or (the big CSVs) its chunks, made while the file is written, or a kept file
    with the same bytes (`memo`, wgm.cache)."""
    files: dict[str, bytes | Iterable[bytes] | Path] = {}
    if "csv" in formats:
        kept = {}
        if memo is not None:
            kept = {name: path for name, key in content_keys(result).items()
                    if (path := memo.reuse(name, key)) is not None}
        files.update(csv_files(result, chunked=True, jobs=jobs, kept=kept))
    if "xlsx" in formats:
        from wgm.report.xlsx import workbook_chunks     # XlsxWriter loads only for runs that write a workbook
        files["report.xlsx"] = workbook_chunks(result, lang)
    if "txt" in formats or "md" in formats:      # "md": the 公示's old format name
        files.update(announcements(result))
    if "json" in formats:                        # last: it lists every file the run writes
        files["audit.json"] = audit_json_chunks(result, [*files, "audit.json"])
    return files


def write(result: AuditResult, out_dir: Path, formats: set[str], lang: str = "zh", jobs: int = 1,
          memo: FileMemo | None = None) -> list[Path]:
    """Every file is written to a temp file first, under the folder's lock; only when all are complete
    are they renamed into place, so a failure or a kill never leaves a mix of two runs' files. `memo`:
    where the big CSVs are kept for a later run that would write them the same (--cache)."""
    files = _render_parts(result, formats, lang, jobs, memo)
    out_dir = Path(out_dir)
    staged: list[tuple[Path, Path]] = []
    with _writing(out_dir), OutputLock(out_dir):
        try:
            for name, data in sorted(files.items()):
                staged.append((stage(out_dir / name, data), out_dir / name))
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        commit_all(staged)
        if memo is not None and "csv" in formats:   # under the lock: no other run replaces them meanwhile
            for name, key in content_keys(result).items():
                memo.keep(name, key, out_dir / name)
    return [path for _, path in staged]


def write_parsed(messages, unparsed, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    with _writing(out_dir), OutputLock(out_dir):
        for name, data in parsed_files(messages, unparsed).items():
            write_atomic(out_dir / name, data)
            written.append(out_dir / name)
    return written


@contextlib.contextmanager
def _writing(out_dir: Path):
    """A folder that fails while being written (a full disk, a lost mount) is the user's to fix: one
    line naming it (exit 2), and no staged file left behind (write, stage)."""
    try:
        yield
    except OSError as exc:
        raise UsageError(f"cannot write the report: {exc.strerror or exc}", source=str(out_dir), key="--out") from None
