"""What happens when wgm itself is wrong: the traceback goes to a log file, the terminal gets one line.

A user's mistake is a WgmError (exit 2, file:line: key). Anything else escaping a command is a
bug in wgm: cron must be able to tell it from a normal month, so it exits 4 (contract.md), and
the person reading the mail gets the path of a log holding everything a maintainer needs.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

INTERNAL_ERROR = 4


def log_folder() -> Path:
    """$WGM_LOG_DIR, else a wgm folder in the system's temp folder."""
    return Path(os.environ.get("WGM_LOG_DIR") or Path(tempfile.gettempdir()) / "wgm-logs")


def write_log(exc: BaseException, argv: list[str] | None = None) -> Path | None:
    """The traceback and the run's context in a new log file; None if no log could be written (the
    terminal line then says so: a crash report must not crash)."""
    from wgm import __version__
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (f"wgm {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
            f"command: {' '.join(argv if argv is not None else sys.argv)}\n"
            f"cwd: {os.getcwd()}\n\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"wgm-{stamp}-", suffix=".log", dir=folder)
        # errors=: a command line or path with bytes that are not UTF-8 (a GBK file name) still logs
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
        return Path(name)
    except OSError:
        return None


def one_line(exc: BaseException, log: Path | None) -> str:
    what = f"{type(exc).__name__}: {exc}".splitlines()[0][:200] if str(exc) else type(exc).__name__
    where = f"详情已写入 {log}" if log else "详情未能写入日志文件"
    return f"wgm: 内部错误（wgm 自身的问题，不是输入的问题）：{what}。{where}；请把该文件发给维护者。"
