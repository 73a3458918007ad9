"""The repository is enough to run its tests: fixtures live in tests/data, and reading beside
the repository is caught (tests/conftest.py)."""

from __future__ import annotations

import re

from tests import conftest, paths


def test_the_guard_catches_a_file_opened_beside_the_repository(monkeypatch):
    monkeypatch.setattr(conftest, "_SIBLINGS", conftest._SIBLINGS | {"shared"})   # as where CI lays the spec
    beside = str(paths.ROOT.parent / "shared" / "spec" / "rules.md")
    conftest._watch("open", (beside, "r", 0))
    caught = list(conftest._opened_outside)
    del conftest._opened_outside[:]        # this test's own probe must not fail it
    assert beside in caught


def test_the_guard_lets_the_repository_and_what_tests_make_be_read(tmp_path):
    assert not conftest._outside_the_repo(str(paths.SPEC_SAMPLES / "memotrace_v3_group.txt"))
    assert not conftest._outside_the_repo(str(tmp_path / "x.txt"))
    made_beside = paths.ROOT.parent / "made-by-a-test-after-the-start"
    assert not conftest._outside_the_repo(str(made_beside / "x"))


def test_no_test_names_a_path_beside_the_repository():
    """A path such as parents[2] / "shared" is the mistake the guard catches at run time; caught here
    even in a test that is skipped."""
    beside = re.compile(r"parents\[2\]|ROOT\.parent|\.\./shared")
    offenders = [p.name for p in (paths.ROOT / "tests").glob("*.py")
                 if p.name not in ("conftest.py", "spec_copies.py", "test_fixtures.py")
                 and beside.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_copied_fixtures_are_there():
    assert paths.EXAMPLES.is_file()
    assert len(list(paths.SPEC_SAMPLES.iterdir())) >= 15
