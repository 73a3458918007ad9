"""Refresh or compare the copies of shared/spec in tests/data/spec (tests/data/spec/README.md).

    python -m tests.spec_copies            # say which copies differ from ../shared/spec
    python -m tests.spec_copies --update   # copy them again

Not a test: a clone of its own has no ../shared to compare with.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

from tests.paths import ROOT, SPEC

COPIED = ("examples/examples.yaml", "formats/samples", "formats/real", "rules.md")


def differences(shared: Path) -> list[str]:
    out = []
    for rel in COPIED:
        src, dst = shared / rel, SPEC / rel
        if src.is_dir():
            # every level down: formats/real keeps one folder per exporter
            names = sorted({_under(p, src) for p in src.rglob("*") if p.is_file()}
                           | ({_under(p, dst) for p in dst.rglob("*") if p.is_file()} if dst.is_dir() else set()))
            out += [f"{rel}/{n}" for n in names
                    if not (src / n).is_file() or not (dst / n).is_file() or not filecmp.cmp(src / n, dst / n, False)]
        elif not dst.is_file() or not filecmp.cmp(src, dst, shallow=False):
            out.append(rel)
    return out


def _under(path: Path, top: Path) -> str:
    return path.relative_to(top).as_posix()


def main(argv: list[str]) -> int:
    shared = ROOT.parent / "shared" / "spec"
    if not shared.is_dir():
        print(f"no spec at {shared}")
        return 2
    changed = differences(shared)
    if "--update" in argv:
        for rel in COPIED:
            src, dst = shared / rel, SPEC / rel
            if src.is_dir():
                shutil.rmtree(dst, ignore_errors=True)
                shutil.copytree(src, dst)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
        print(f"copied {len(COPIED)} entries ({len(changed)} files had changed)")
        return 0
    print("\n".join(changed) if changed else "the copies match the spec")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
