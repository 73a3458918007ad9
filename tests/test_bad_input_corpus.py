"""Issue #15's bad-input corpus (tests/bad_inputs.py): each kind of hostile or unlucky input, option, setting
or environment gives its exact exit code, no traceback, and — where an export is read — every line of it
accounted for (lines in = lines of messages + unparsed + layout)."""

from __future__ import annotations

import collections
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wgm
from tests import bad_inputs
from tests.bad_inputs import PROBES, Ctx, Outcome, Probe, Run

# the package under test, as a child process must find it (this checkout, or the one PYTHONPATH names)
_PACKAGE_HOME = str(Path(wgm.__file__).resolve().parents[1])

_CHILD = """
import os, resource, sys
code = 1
try:
    sys.argv = ["wgm", *sys.argv[1:]]
    from wgm.cli import main
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    raise
finally:
    with open(os.environ["WGM_PROBE_RSS"], "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
"""


def _in_process(run: Run, tmp: Path, patch) -> Outcome:
    from wgm.cli import app
    if run.cwd:
        patch.chdir(run.cwd)
    env = {"WGM_LOG_DIR": str(tmp / "logs"), "COLUMNS": "200", **run.env}
    result = CliRunner().invoke(app, run.args, env=env, catch_exceptions=True)
    try:
        stderr = result.stderr
    except ValueError:                     # an older click keeps stderr in the output
        stderr = result.output
    exc = None if result.exception is None or isinstance(result.exception, SystemExit) else result.exception
    return Outcome(result.exit_code, result.output, stderr, exc)


def _as_process(run: Run, tmp: Path) -> Outcome:
    env = {**os.environ, "WGM_LOG_DIR": str(tmp / "logs"), "COLUMNS": "200", "WGM_PROBE_RSS": str(tmp / "rss"),
           "PYTHONPATH": os.pathsep.join([_PACKAGE_HOME, os.environ.get("PYTHONPATH", "")]), **run.env}

    def limit() -> None:
        if run.memory:
            resource.setrlimit(resource.RLIMIT_AS, (run.memory, run.memory))
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, *run.args], cwd=run.cwd or tmp, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit)
    try:
        out, err = proc.communicate(timeout=run.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"still running after {run.timeout}s: {run.args}")
    rss = tmp / "rss"
    peak = int(rss.read_text()) if rss.exists() and rss.read_text() else 0
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    return Outcome(proc.returncode, stdout + stderr, stderr, None, peak)


def _real_path(shown: str, tmp: Path) -> Path:
    """The file audit.json names (a name that is not UTF-8 is shown with its bytes escaped as \\xNN)."""
    if os.path.lexists(shown):
        return Path(shown)
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), shown.encode("utf-8"))
    return Path(os.fsdecode(raw))


def _accounted(run: Run, tmp: Path) -> None:
    """Every file the audit read: its lines are in messages, in unparsed with a reason, or counted as layout;
    audit.json's counts of it are the parser's; none of its distinct messages is missing from the report."""
    from wgm import parsers
    doc = bad_inputs.audit_doc(run.out)
    out_messages = collections.Counter(m["source"] for m in doc["messages"])
    groups_of = collections.defaultdict(set)
    for m in doc["messages"]:
        groups_of[m["group"]].add(m["source"])
    unparsed = collections.defaultdict(list)
    for u in doc["unparsed"]:
        unparsed[u["source"]].append(u)
    hint = None
    if run.date_hint:
        from datetime import date
        hint = date.fromisoformat(run.date_hint)
    read = [i for i in doc["inputs"] if i["fmt"]]
    for info in read:
        shown = info["path"]
        res = parsers.read(_real_path(shown, tmp), info["fmt"], date_hint=hint)
        covered = int((res.messages["line_end"] - res.messages["line"] + 1).sum())
        assert res.structural_lines >= 0 and covered + len(res.unparsed) + res.structural_lines == res.lines, \
            (shown, res.lines, covered, len(res.unparsed), res.structural_lines)
        counts = (info["lines"], info["messages"], info["unparsed"], info["structural_lines"])
        assert counts == (res.lines, len(res.messages), len(res.unparsed), res.structural_lines), (shown, counts)
        assert len(unparsed[shown]) == info["unparsed"] and all(u["reason"] for u in unparsed[shown]), shown
        # every reason reads Chinese first, the English beside it
        assert all(re.search(r"[\u4e00-\u9fff]", u["reason"]) for u in unparsed[shown]), unparsed[shown][:3]
        own = {g for g, sources in groups_of.items() if sources == {shown}}
        if own:                                      # the file's groups are in no other file: nothing merged away
            distinct = len(res.messages.drop_duplicates(["ts", "sender", "content"]))
            assert out_messages[shown] >= distinct, f"{shown}: {distinct - out_messages[shown]} messages lost"


def run_probe(probe: Probe, tmp: Path, patch) -> None:
    def cli(args, **kw) -> Outcome:
        return _in_process(Run(list(args), **kw), tmp, patch)
    ctx = Ctx(tmp, patch, cli)
    run = probe.build(ctx)
    got = _as_process(run, tmp) if run.subprocess else _in_process(run, tmp, patch)
    assert got.exception is None, f"escaped the command (a traceback on a terminal): {got.exception!r}"
    assert "Traceback" not in got.output, got.output[-3000:]
    assert got.code == probe.code, f"exit {got.code}, contract says {probe.code}:\n{got.output[-3000:]}"
    if probe.code == 2:
        assert got.output.strip(), "exit 2 without a message"
    if probe.check:
        probe.check(ctx, run, got)
    if probe.code in (0, 1, 3) and run.out is not None and (run.out / "audit.json").exists():
        _accounted(run, tmp)
    elif probe.code in (0, 1, 3) and run.out is not None and "json" in run.args[run.args.index("--format") + 1]:
        pytest.fail("the audit wrote no audit.json")


@pytest.mark.parametrize("probe", PROBES, ids=[p.kind for p in PROBES])
def test_probe(probe: Probe, tmp_path, monkeypatch):
    run_probe(probe, tmp_path, monkeypatch)


def test_the_corpus_has_at_least_60_named_kinds():
    kinds = [p.kind for p in PROBES]
    assert len(kinds) >= 60 and len(set(kinds)) == len(kinds)
    assert all(p.finding and p.code in (0, 1, 2, 3) for p in PROBES)
