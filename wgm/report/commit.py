"""The report committed as a set: a run killed between the renames of its files never leaves a folder
that reads as one report made of two runs' files.

A run stages every file in `.wgm-commit/` inside the output folder (the same file system, so each
move is a rename), then writes the staging folder's manifest — the list of files with their sha256,
the run id, the earlier outputs to remove — and only then moves the files into place: the data files,
then audit.json (which lists the files and the run id), then the manifest as `.wgm-manifest.json`.
A staging folder with a manifest is a commit under way; the next run into the folder (under its lock)
finishes it before anything else, and a staging folder without one (a run killed while staging) is
thrown away, leaving the last report as it was. Until then the left-over `.wgm-commit/` says the folder
is mid-commit, and `report_state()` tells a complete set from a mix by the manifest's digests.

Earlier outputs: files in the folder that wgm writes (its file names and patterns, never anything
else) and that this run does not rewrite — another group's 公示, a report.xlsx when --format leaves the
workbook out — are removed, or with keep_old listed as stale. One the user changed since wgm wrote it
(its bytes no longer match the last manifest), or one this run reads (an --overrides workbook), is
never removed: it is listed as stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from wgm.ids import file_digest

STAGING = ".wgm-commit"
MANIFEST = ".wgm-manifest.json"
LAST = "audit.json"          # renamed after every other file: it names the set

# every file wgm audit writes into --out, by name or pattern (contract.md; .md: the 公示's old format)
_OUTPUT_NAMES = {"events.csv", "summary.csv", "tasks.csv", "messages.csv", "unparsed.csv", "deductions.csv",
                 "audit.json", "report.xlsx"}
_ANNOUNCE = re.compile(r"^announce_.+_\d{4}-\d{2}\.(txt|md)$")


STALE_REASONS = {
    "read-by-this-run": ("本次运行读取了它，保留", "read by this run, kept"),
    "changed-since-written": ("wgm 写入后被修改过，保留", "changed since wgm wrote it, kept"),
    "keep-old": ("上次运行的输出，按 --keep-old 保留", "an earlier run's output, kept by --keep-old"),
}


def is_wgm_output(name: str) -> bool:
    """A file name wgm audit writes into its output folder."""
    return name in _OUTPUT_NAMES or bool(_ANNOUNCE.match(name))


@dataclass
class Plan:
    """What a commit does: the staged files (name → sha256), the run id, the earlier outputs it removes
    and those it leaves in place as stale (name → why)."""

    files: dict[str, str] = field(default_factory=dict)
    run_id: str = ""
    remove: list[str] = field(default_factory=list)
    stale: dict[str, str] = field(default_factory=dict)


def run_id(digests: dict[str, str], skip: tuple[str, ...] = ("report.xlsx",)) -> str:
    """The run's id: a digest of every file's name and of the bytes of those that re-runs make byte for byte
    alike (the workbook carries the time it was saved). Two runs with one id wrote the same report."""
    h = hashlib.sha256()
    for name in sorted(digests):
        h.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if name not in skip:
            h.update(digests[name].encode("ascii"))
    return h.hexdigest()[:16]


def earlier_outputs(out_dir: Path, writing: set[str], keep_old: bool, protected: set[Path]) -> tuple[list[str], dict]:
    """(names to remove, {name: why stale}) of the wgm outputs in out_dir this run does not rewrite. Why:
    STALE_REASONS' keys (machine words: audit.json carries them)."""
    last = _manifest(out_dir / MANIFEST).get("files", {})
    remove: list[str] = []
    stale: dict[str, str] = {}
    try:
        names = sorted(p.name for p in out_dir.iterdir() if p.is_file() and not p.is_symlink())
    except OSError:
        return [], {}
    for name in names:
        if name in writing or not is_wgm_output(name):
            continue
        path = out_dir / name
        if path.resolve() in protected:
            stale[name] = "read-by-this-run"
        elif name in last and file_digest(path) != last[name]:
            stale[name] = "changed-since-written"
        elif keep_old:
            stale[name] = "keep-old"
        else:
            remove.append(name)
    return remove, stale


def write_manifest(staging: Path, plan: Plan) -> None:
    """The staging folder's manifest, on disk before any file moves: from here on the commit is finished
    by whichever run comes next, never undone."""
    from wgm.report.atomic import stage
    data = json.dumps({"run_id": plan.run_id, "files": plan.files, "remove": plan.remove, "stale": plan.stale},
                      ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    tmp = stage(staging / MANIFEST, data, folder=staging)
    os.replace(tmp, staging / MANIFEST)


def _manifest(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) and isinstance(doc.get("files"), dict) else {}


def move_into_place(out_dir: Path) -> bool:
    """Finish the commit staged in out_dir/.wgm-commit (or drop a staging left unfinished): True when an
    earlier run's commit was found and finished. Safe to repeat after a kill at any point inside it."""
    staging = out_dir / STAGING
    if not staging.is_dir():
        return False
    doc = _manifest(staging / MANIFEST)
    if not doc:                          # killed while staging: the folder still holds the last report
        shutil.rmtree(staging, ignore_errors=True)
        return False
    for name in sorted(n for n in doc["files"] if n != LAST):
        if (staging / name).exists():
            os.replace(staging / name, out_dir / name)
    for name in doc.get("remove", []):
        if is_wgm_output(name):          # a manifest names only wgm's own files; never trust it further
            (out_dir / name).unlink(missing_ok=True)
    if (staging / LAST).exists():
        os.replace(staging / LAST, out_dir / LAST)
    os.replace(staging / MANIFEST, out_dir / MANIFEST)
    shutil.rmtree(staging, ignore_errors=True)
    return True


def report_state(out_dir: Path) -> str:
    """'complete' when the folder's files are the set its manifest lists (each digest matches), 'mid-commit'
    when a run was killed while moving them, 'mixed' when a listed file is missing or has other bytes,
    'none' when no run of this wgm wrote there."""
    out_dir = Path(out_dir)
    if (out_dir / STAGING / MANIFEST).is_file():
        return "mid-commit"
    doc = _manifest(out_dir / MANIFEST)
    if not doc:
        return "none"
    for name, digest in doc["files"].items():
        path = out_dir / name
        if not path.is_file() or file_digest(path) != digest:
            return "mixed"
    return "complete"
