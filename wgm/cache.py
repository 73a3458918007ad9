"""The re-run cache (--cache DIR): a wrapper around the stages a re-run can skip. Data, never code.

Two stages are kept, each under a key of everything it depends on:
- the ingested messages (parse + normalize): the inputs' bytes and paths, the side files found
  beside them (PyWxDump's users.json), the roster, the time zone, the input options;
- the judged run (classify, ledger, rules, coverage): the ingest key plus every setting but the
  amounts and review ones, the incidents, overrides and membership files, the files' times
  (they may say when an export was made) and `--as-of`.
Both keys include a digest of wgm's own code, so an upgrade never serves old results. A re-run
that changes only amounts or review settings finds the judged run and only prices it again; and
the CSV files such a run would write byte for byte the same (messages.csv for the same review
set, tasks.csv) are copied from a kept copy (`FileMemo`) whose digest is checked first.

An entry is a folder: one Arrow IPC file (zstd) per frame and a JSON file for the rest, written into a
temporary folder and renamed into place. (Arrow, not Parquet: a million messages read back in ~0.2 s
instead of ~2 s, most of an amounts-only re-run, in about the same 45 MB.) A missing, damaged or foreign entry is a miss, never
an error, and nothing in it can run code (there is no pickle).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import pandas as pd

from wgm import __version__
from wgm.ids import file_digest

FORMAT = 2          # the layout of an entry (1: Parquet frames; 2: Arrow IPC); another number is a miss
V = TypeVar("V")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of wgm's own code and data files: results made by other code are never reused."""
    return package_digest(Path(__file__).resolve().parent)


def package_digest(root: Path) -> str:
    """sha256 over the version and every file of the package folder (source, word lists, defaults), by
    path and bytes; compiled caches left out. An upgrade that keeps the version string still differs."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and p.suffix not in (".pyc", ".pyo")):
        h.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


# side files an export's parser reads from beside it or one folder up, by name (PyWxDump's contact list:
# wgm.parsers.pywxdump.load_names): a key that missed them would serve old names after they change
_READ_BESIDE = ("*users.json",)


def files_read_beside(paths: Iterable[Path]) -> list[Path]:
    """The side files found beside the given exports or one folder up, each once, in order."""
    folders: set[Path] = set()
    for p in paths:
        here = Path(p).absolute().parent
        folders.update((here, here.parent))
    found: set[Path] = set()
    for folder in folders:
        for pattern in _READ_BESIDE:
            try:
                found.update(f for f in folder.glob(pattern) if f.is_file())
            except OSError:
                continue
    return sorted(found)


def key(*parts) -> str:
    """A key from JSON-able parts (and the code digest)."""
    text = json.dumps([FORMAT, code_digest(), *parts], ensure_ascii=False, sort_keys=True, default=str)
    # surrogateescape: a path that is not UTF-8 (GBK bytes from a Windows zip) keys by its bytes
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def files_part(paths: Iterable[Path], with_times: bool = False) -> list:
    """What the key says of some files: path, content digest and (for the judged run) modification time."""
    out = []
    for p in paths:
        p = Path(p)
        entry: list[object] = [str(p), file_digest(p)]
        if with_times:
            entry.append(p.stat().st_mtime_ns)
        out.append(entry)
    return out


def fetch(folder: Path, name: str) -> tuple[dict[str, pd.DataFrame], dict] | None:
    """(frames, meta) of an entry, or None for a miss."""
    entry = Path(folder) / name
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("code") != code_digest():
            return None
        frames = {f: pd.read_feather(entry / f"{f}.arrow") for f in meta["frames"]}
    except Exception:      # damaged, foreign or half-deleted: a miss
        return None
    return frames, meta["data"]


def store(folder: Path, name: str, frames: dict[str, pd.DataFrame], data: dict) -> None:
    """Keep an entry (replacing an older one of the same name); a cache that cannot be written is skipped."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder))
    except OSError:
        return
    try:
        for f, frame in frames.items():
            frame.reset_index(drop=True).to_feather(tmp / f"{f}.arrow", compression="zstd")
        meta = {"format": FORMAT, "code": code_digest(), "frames": list(frames), "data": data}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8")
        target = folder / name
        old = folder / f".{name}.old"
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except (OSError, ValueError, TypeError):
        shutil.rmtree(tmp, ignore_errors=True)


def cached(folder: Path | None, name: str, compute: Callable[[], V],
           to_entry: Callable[[V], tuple[dict[str, pd.DataFrame], dict]],
           from_entry: Callable[[dict[str, pd.DataFrame], dict], V]) -> V:
    """compute() through the cache: the kept entry `name` when there is one, else computed and kept."""
    if folder is None:
        return compute()
    hit = fetch(folder, name)
    if hit is not None:
        try:
            return from_entry(*hit)
        except Exception:      # an entry of an unexpected shape: a miss
            pass
    value = compute()
    store(folder, name, *to_entry(value))
    return value


class FileMemo:
    """Output files kept for a later run that would write the same bytes (an amounts-only re-run):
    `name` + a key of what its bytes depend on. A kept copy is used only if its digest still matches."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        # kept file → its sha256, checked by reuse(): the writer copying it need not hash it again
        self.verified: dict[Path, str] = {}

    def _paths(self, name: str, file_key: str) -> tuple[Path, Path]:
        kept = self.folder / "files" / f"{file_key}.{name}"
        return kept, kept.with_name(kept.name + ".sha256")

    def reuse(self, name: str, file_key: str) -> Path | None:
        kept, digest = self._paths(name, file_key)
        try:
            expected = digest.read_text(encoding="ascii").strip()
            if kept.is_file() and expected == file_digest(kept):
                self.verified[kept] = expected
                return kept
        except (OSError, ValueError):     # unreadable, or not the digest wgm wrote (UnicodeDecodeError): a miss
            pass
        return None

    def keep(self, name: str, file_key: str, written: Path) -> None:
        kept, digest = self._paths(name, file_key)
        if kept.is_file():
            return
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            for old in kept.parent.glob(f"*.{name}*"):      # one kept copy per file name
                old.unlink(missing_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{kept.name}.", dir=kept.parent)
            os.close(fd)
            shutil.copyfile(written, tmp)
            digest.write_text(file_digest(Path(tmp)), encoding="ascii")
            os.replace(tmp, kept)
        except OSError:
            pass


PINYIN = "pinyin.json"      # names → their pinyin keys, for the next run's pinyin order (wgm.names)


def _pinyin_stamp() -> list:
    """What the kept keys depend on: pypinyin's version (its dictionaries) and wgm's code."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        made_by = version("pypinyin")
    except PackageNotFoundError:
        made_by = ""
    return [FORMAT, code_digest(), made_by]


def remember_pinyin(folder: Path, people: Iterable[str]) -> None:
    """Give wgm.names the pinyin keys of `people` kept in the cache folder, and keep those it lacked:
    an amounts-only re-run sorts the same names without loading pypinyin. A damaged or foreign file is
    ignored (and replaced); one that cannot be written is skipped."""
    from wgm import names
    path = Path(folder) / PINYIN
    stamp = _pinyin_stamp()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = data["keys"] if data.get("stamp") == stamp and isinstance(data.get("keys"), dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        kept = {}
    wanted = {p for p in people if p}
    found = {p: tuple(k) for p in wanted if isinstance(k := kept.get(p), list) and all(isinstance(s, str) for s in k)}
    names.remember(found)
    missing = sorted(wanted - found.keys())
    if not missing:
        return
    kept = {**{p: list(k) for p, k in found.items()}, **{p: list(names.pinyin_key(p)) for p in missing},
            **{p: k for p, k in kept.items() if p not in wanted}}
    tmp = None
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{PINYIN}.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"stamp": stamp, "keys": kept}, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
