"""Run this checkout's bad-input corpus (tests/test_bad_input_corpus.py) against the wgm package of another
commit, to show which probes fail there:

    python -m tests.corpus_against 37f106d            # the code issue #15 was filed against
    python -m tests.corpus_against 37f106d -k cache   # some probes only

The package of REV (`git archive REV wgm`) is laid beside a copy of today's tests, fixtures and sample month
in a temporary folder, and pytest runs there; the probes drive only the command line, so they run unchanged.
Prints one line per probe (pass, or FAIL with the first line of why) and leaves the folder for a look.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lay_out(rev: str) -> Path:
    where = Path(tempfile.mkdtemp(prefix=f"wgm-corpus-{rev[:10]}-"))
    archive = subprocess.run(["git", "archive", rev, "wgm"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(where, filter="data")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("tests", "sample_exports"):
        shutil.copytree(ROOT / name, where / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev")
    parser.add_argument("-k", default=None, help="pytest -k expression")
    parser.add_argument("-n", default="2", help="pytest-xdist workers")
    args = parser.parse_args(argv)
    where = lay_out(args.rev)
    report = where / "corpus.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", args.n, "-p", "no:cacheprovider", f"--junitxml={report}",
           "tests/test_bad_input_corpus.py", *(["-k", args.k] if args.k else [])]
    # PYTHONPATH: the probes' child processes import the same package as the tests (REV's)
    subprocess.run(cmd, cwd=where, env={**__import__("os").environ, "PYTHONPATH": str(where)},
                   stdout=subprocess.DEVNULL)
    failed = 0
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("name", "")
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            print(f"pass  {name}")
            continue
        failed += 1
        text = (problem.get("message") or problem.text or "").strip().splitlines()
        print(f"FAIL  {name}  —  {text[0][:220] if text else ''}")
    print(f"{failed} failed; package of {args.rev} laid out in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
