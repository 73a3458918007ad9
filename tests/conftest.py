"""Every test reads only what the repository holds: a clone with nothing beside it passes.

An audit hook sees every file a test opens; one outside the repository's folder but beside it
(../shared, a sibling checkout) fails that test. Temporary folders, the Python installation and
the system's own files are elsewhere and allowed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BESIDE = str(ROOT.parent) + os.sep
_INSIDE = str(ROOT) + os.sep
_opened_outside: list[str] = []


def _outside_the_repo(path: str) -> bool:
    """A path in the folder that holds the repository but not in the repository (nor its venvs)."""
    full = os.path.abspath(path)
    return full.startswith(_BESIDE) and not full.startswith(_INSIDE) and full != str(ROOT)


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
