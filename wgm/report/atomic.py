"""Writes that never leave a half-written report, and a lock so two runs cannot share an output folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import filelock

from wgm.errors import UsageError


def check_output_folder(folder: Path, option: str = "--out") -> None:
    """Can wgm write its files in `folder`? Asked before the work, creating nothing: it, or the nearest
    folder above it that exists, must be a folder where a file can be made (not a file, /dev/null, a
    read-only place)."""
    folder = Path(folder)
    there = folder
    while not there.exists() and there != there.parent:
        if there.is_symlink():
            break               # a dangling link: the mkdir below would fail on it
        there = there.parent
    if not there.is_dir():
        raise UsageError("not a folder" if there == folder else f"{there} is not a folder",
                         source=str(folder), key=option)
    try:
        fd, probe = tempfile.mkstemp(prefix=".wgm-probe.", suffix=".tmp", dir=there)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"cannot write files here: {exc.strerror or exc}", source=str(folder), key=option) from None


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temp file beside `path`, flush it to disk, then rename over the old file."""
    commit_all([(stage(path, data), path)])


def stage(path: Path, data: bytes | Iterable[bytes | Path] | Path, folder: Path | None = None,
          digest: "hashlib._Hash | None" = None) -> Path:
    """The contents in a temp file beside `path` (or in `folder`), flushed to disk; `data` may come in chunks
    (a million-row CSV is never held as one piece), each bytes or a file to copy. `digest` is fed every
    byte written. The file gets the mode the user's umask gives new files (mkstemp alone makes it 0600,
    and finance could not open what a cron job wrote to a shared folder)."""
    folder = path.parent if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            for chunk in ([data] if isinstance(data, (bytes, bytearray, Path)) else data):
                if isinstance(chunk, Path):
                    _copy_into(chunk, fh)
                    if digest is not None:
                        _digest_file(chunk, digest)
                else:
                    fh.write(chunk)
                    if digest is not None:
                        digest.update(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def current_umask() -> int:
    """The process's umask (the system only tells it by setting it: set and put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _digest_file(path: Path, digest) -> None:
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)


def _copy_into(source: Path, fh) -> None:
    """The file's bytes appended to fh, by the kernel where it can (sendfile: ~10x a read/write loop
    for a 400 MB messages.csv)."""
    fh.flush()
    with open(source, "rb") as src:
        size, sent = os.fstat(src.fileno()).st_size, 0
        try:
            while sent < size:
                n = os.sendfile(fh.fileno(), src.fileno(), sent, size - sent)
                if n == 0:
                    break
                sent += n
        except (OSError, AttributeError):     # no sendfile here (or not for these files): copy in user space
            pass
        if sent < size:
            src.seek(sent)
            fh.seek(0, os.SEEK_END)
            shutil.copyfileobj(src, fh, 1 << 24)


def commit_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename staged temp files over their targets, once all of them are complete."""
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


class OutputLock:
    """`.wgm.lock` in the output folder, locked by the operating system (filelock: flock, or LockFileEx on
    Windows) for as long as a run writes there. The lock dies with its process, so a killed run never
    leaves it held, and two runs can never both hold it. The file itself stays (empty): removing it
    would let a run that opened it before the removal lock a file no other run sees."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / ".wgm.lock"
        self._lock: filelock.BaseFileLock | None = None

    def __enter__(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(self.path))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise UsageError("output folder is in use by another wgm run", source=str(self.path.parent)) from None
        self._lock = lock
        # temp files of a run that was killed mid-write: never renamed over a report, so only clutter
        for stray in self.path.parent.glob(".*.tmp"):
            stray.unlink(missing_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


