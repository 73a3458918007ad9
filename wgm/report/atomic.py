"""Writes that never leave a half-written report, and a lock so two runs cannot share an output folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from wgm.errors import UsageError


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temp file beside `path`, flush it to disk, then rename over the old file."""
    commit_all([(stage(path, data), path)])


def stage(path: Path, data: bytes | Iterable[bytes | Path] | Path) -> Path:
    """The contents in a temp file beside `path`, flushed to disk; `data` may come in chunks (a
    million-row CSV is never held as one piece), each bytes or a file to copy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in ([data] if isinstance(data, (bytes, bytearray, Path)) else data):
                if isinstance(chunk, Path):
                    _copy_into(chunk, fh)
                else:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


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
    """`.wgm.lock` in the output folder holding the pid; a lock left by a dead process is taken over."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / ".wgm.lock"

    def __enter__(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pid = self._holder()
                if pid and _alive(pid):
                    raise UsageError(f"output folder is in use by another wgm run (pid {pid})",
                                     source=str(self.path.parent)) from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            # temp files of a run that was killed mid-write: never renamed over a report, so only clutter
            for stray in self.path.parent.glob(".*.tmp"):
                stray.unlink(missing_ok=True)
            return self
        raise UsageError("cannot lock the output folder", source=str(self.path.parent))

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)

    def _holder(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
