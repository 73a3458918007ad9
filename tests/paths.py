"""Where the tests find their fixtures: inside the repository only (tests/data), never beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SPEC = DATA / "spec"                                   # copies of shared/spec (see its README)
SPEC_SAMPLES = SPEC / "formats" / "samples"
EXAMPLES = SPEC / "examples" / "examples.yaml"
REAL_EXPORTS = SPEC / "formats" / "real"              # files the exporters' own code wrote (its README)
