"""Writers: render an AuditResult into the files of contract.md. They compute nothing new:
the evidence is in the frames; writers only lay it out."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from wgm.cache import FileMemo
from wgm.ingest import Progress
from wgm.errors import UsageError
from wgm.report import commit
from wgm.report.atomic import OutputLock, stage, write_atomic
from wgm import parallel
from wgm.report.machine import audit_json, audit_json_chunks, audit_json_tail, csv_files, parsed_files
from wgm.report.publish import announcements
from wgm.result import AuditResult

FORMATS = ("xlsx", "csv", "json", "txt")
# from this many messages audit.json's tables are written in a worker beside the other files (a fork
# costs ~0.1 s; the sample month's audit.json takes less)
_JSON_IN_BACKGROUND = 20_000
_JSON_TAIL = ".audit.json.tail"       # in the staging folder, removed once audit.json is staged


def render(result: AuditResult, formats: set[str], lang: str = "zh") -> dict[str, bytes]:
    """Every file's bytes, as write() would commit them (audit.json listing the others)."""
    parts = {name: data() if callable(data) else data for name, data in _render_parts(result, formats, lang).items()}
    files = {name: data if isinstance(data, bytes) else data.read_bytes() if isinstance(data, Path)
             else b"".join(c.read_bytes() if isinstance(c, Path) else c for c in data)
             for name, data in parts.items()}
    if "json" in formats:
        digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        names = sorted(files) + ["audit.json"]
        files["audit.json"] = audit_json(result, {"run_id": commit.run_id(digests), "files": names,
                                                  "removed": [], "stale": {}})
    return files


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
                  memo: FileMemo | None = None, work_dir: Path | None = None) -> dict[str, Any]:
    """Each file's bytes, or (the big CSVs) its chunks, made while the file is written, or a kept file
    with the same bytes (`memo`, wgm.cache)."""
    files: dict[str, Any] = {}        # bytes, chunks, a kept file, or a callable making the bytes
    if "csv" in formats:
        kept = {}
        if memo is not None:
            kept = {name: path for name, key in content_keys(result).items()
                    if (path := memo.reuse(name, key)) is not None}
        files.update(csv_files(result, chunked=True, jobs=jobs, kept=kept, work_dir=work_dir))
    if "xlsx" in formats:
        from wgm.report.xlsx import workbook_chunks     # XlsxWriter loads only for runs that write a workbook
        # made when its turn comes, so the progress shows the seconds a big workbook takes
        files["report.xlsx"] = functools.partial(workbook_chunks, result, lang)
    if "txt" in formats or "md" in formats:      # "md": the 公示's old format name
        files.update(announcements(result))
    return files


@dataclass(frozen=True)
class Written:
    """What a write did: the files it wrote (audit.json last), the earlier wgm outputs it removed, those
    it left in place as stale (name → why), and whether it first finished an earlier run's commit that a
    kill had interrupted."""

    files: tuple[Path, ...]
    removed: tuple[str, ...] = ()
    stale: tuple[tuple[str, str], ...] = ()
    finished_interrupted: bool = False
    run_id: str = ""

    def __len__(self) -> int:
        return len(self.files)


def write(result: AuditResult, out_dir: Path, formats: set[str], lang: str = "zh", jobs: int = 1,
          memo: FileMemo | None = None, keep_old: bool = False, protected: Iterable[Path] = (),
          on_progress: Progress | None = None) -> Written:
    """The report committed as a set (wgm.report.commit): every file staged in the folder's .wgm-commit,
    the manifest written, then the files renamed into place with audit.json last, under the folder's
    lock. Earlier wgm outputs this run does not rewrite are removed (keep_old: listed as stale); files
    in `protected` (what the run read, such as an --overrides workbook) never are. `memo`: where the big
    CSVs are kept for a later run that would write them the same (--cache)."""
    out_dir = Path(out_dir)
    protected_paths = {Path(p).resolve() for p in protected}
    with _writing(out_dir), OutputLock(out_dir):
        finished = commit.move_into_place(out_dir)
        staging = out_dir / commit.STAGING
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        plan = commit.Plan()
        if on_progress:                 # the CSV files are encoded first (in workers): seconds at 1M messages
            on_progress("writing …", 0, len(formats))
        parts = _render_parts(result, formats, lang, jobs, memo, work_dir=staging)
        names = sorted(parts) + (["audit.json"] if "json" in formats else [])
        # audit.json's tables (nine tenths of it: 800 MB at 1M messages) need no listing of the files: a
        # forked worker writes them while this process writes the workbook, the head is put before them last
        tail = None
        if "json" in formats and len(result.messages) >= _JSON_IN_BACKGROUND:
            tail = parallel.background(audit_json_tail, result, staging / _JSON_TAIL, jobs=jobs)
        try:
            _stage_and_commit(result, out_dir, staging, formats, parts, names, plan, tail, memo, keep_old,
                              protected_paths, on_progress)
        finally:
            if tail is not None:
                tail.cancel()        # done already, or this run failed: no worker outlives the run
    return Written(tuple(out_dir / n for n in names), tuple(plan.remove), tuple(sorted(plan.stale.items())),
                   finished, plan.run_id)


def _stage_and_commit(result: AuditResult, out_dir: Path, staging: Path, formats: set[str], parts: dict,
                      names: list[str], plan: commit.Plan, tail: parallel.Later | None, memo: FileMemo | None,
                      keep_old: bool, protected_paths: set[Path], on_progress: Progress | None) -> None:
    """write()'s work once the parts are ready: stage each file, then audit.json, commit, keep the CSVs."""
    for n, name in enumerate(sorted(parts), 1):
        if on_progress:
            on_progress(f"writing {name}", n - 1, len(names))
        digest = hashlib.sha256()
        data = parts[name]
        # a kept CSV (an amounts-only re-run's messages.csv, 400 MB at 1M) was hashed when it was checked
        known = memo.verified.get(data) if memo is not None and isinstance(data, Path) else None
        os.replace(stage(out_dir / name, data() if callable(data) else data, folder=staging,
                         digest=None if known else digest), staging / name)
        plan.files[name] = known or digest.hexdigest()
    plan.remove, plan.stale = commit.earlier_outputs(out_dir, set(names), keep_old, protected_paths)
    plan.run_id = commit.run_id(plan.files)
    if "json" in formats:
        if on_progress:
            on_progress("writing audit.json", len(names) - 1, len(names))
        listing = {"run_id": plan.run_id, "files": names, "removed": plan.remove, "stale": plan.stale}
        digest = hashlib.sha256()
        chunks: Iterable[bytes | Path]
        if tail is None:
            chunks = audit_json_chunks(result, listing)
        else:
            tail.wait()
            written_apart: list[bytes | Path] = [staging / _JSON_TAIL]
            chunks = itertools.chain(audit_json_chunks(result, listing, "head"), written_apart)
        os.replace(stage(out_dir / "audit.json", chunks, folder=staging, digest=digest), staging / "audit.json")
        plan.files["audit.json"] = digest.hexdigest()
        (staging / _JSON_TAIL).unlink(missing_ok=True)
    commit.write_manifest(staging, plan)
    commit.move_into_place(out_dir)
    if on_progress and names:       # the bar full at the last file's end, not its start
        on_progress(f"writing {names[-1]}", len(names), len(names))
    if memo is not None and "csv" in formats:   # under the lock: no other run replaces them meanwhile
        for name, key in content_keys(result).items():
            memo.keep(name, key, out_dir / name)


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
