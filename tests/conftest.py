"""Every test reads only what the repository holds: a clone with nothing beside it passes.

An audit hook sees every file a test opens; one in a folder that sits beside the repository
(../shared, a sibling checkout) fails that test. What the tests make themselves (temporary
folders, even when the repository itself lies in the temp folder), the Python installation and
the system's own files are allowed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BESIDE = str(ROOT.parent) + os.sep


def _siblings() -> set[str]:
    """The entries beside the repository when the tests start (pytest's own temp folders excepted):
    anything a test makes later is its own."""
    try:
        names = set(os.listdir(ROOT.parent))
    except OSError:
        return set()
    # (jieba keeps its dictionary's cache in the temp folder: jieba.cache is its own, not input beside us)
    return {n for n in names if n != ROOT.name and not n.startswith(("pytest-of-", "wgm-logs", "jieba."))}


_SIBLINGS = _siblings()
# the Python running the tests (a virtual environment may sit beside the repository)
_PYTHON = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
_opened_outside: list[str] = []


def _outside_the_repo(path: str) -> bool:
    """A path inside one of the folders or files that sat beside the repository before the tests began."""
    full = os.path.abspath(path)
    if not full.startswith(_BESIDE) or full.startswith(_PYTHON):
        return False
    return full[len(_BESIDE):].split(os.sep, 1)[0] in _SIBLINGS


def _watch(event: str, args: tuple) -> None:
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if _outside_the_repo(path):
            _opened_outside.append(path)


sys.addaudithook(_watch)


@pytest.fixture(autouse=True)
def _reads_only_the_repository():
    del _opened_outside[:]
    yield
    found = sorted(set(_opened_outside))
    del _opened_outside[:]
    assert not found, f"the test read outside the repository (a fresh clone has none of it): {found[:5]}"
