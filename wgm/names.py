"""People's names as users type them: pinyin order and "did you mean" suggestions.

A name typed into a setting or a side file is usually wrong by a homophone (孙俪 for 孙丽: the
input method offers both) or by a character, so suggestions rank same-pinyin names first.
"""

from __future__ import annotations

import difflib
import functools
from typing import Iterable


def _as_they_are(chars: str) -> list[str]:
    """pypinyin's `errors`: characters without a reading (Latin, digits) stay as they are."""
    return list(chars)


# syllables pypinyin gave in an earlier run (wgm.cache.remember_pinyin): a cached re-run then need not
# load pypinyin and its dictionaries (~0.4 s) to sort the same names again
_KNOWN: dict[str, tuple[str, ...]] = {}


def remember(keys: dict[str, tuple[str, ...]]) -> None:
    """Take these names' pinyin keys as pinyin_key would give them (they were made by it)."""
    _KNOWN.update(keys)


@functools.lru_cache(maxsize=4096)
def pinyin_key(name: str) -> tuple[str, ...]:
    """The name's syllables without tones (孙丽 → ('sun', 'li')); other characters as themselves."""
    known = _KNOWN.get(name)
    if known is not None:
        return known
    from pypinyin import lazy_pinyin     # loaded only when a name is compared or sorted
    return tuple(s.lower() for s in lazy_pinyin(name, errors=_as_they_are))  # type: ignore[arg-type]


def pinyin_order(names: Iterable[str]) -> list[str]:
    """Names in the order of a Chinese name list: by pinyin, then by the characters themselves."""
    return sorted(names, key=lambda n: (pinyin_key(n), n))


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates most like `name`: same pinyin first, then by likeness of characters and of pinyin."""
    target = pinyin_key(name)
    spelled = "".join(target)
    scored = []
    for c in set(candidates):
        if not c or c == name:
            continue
        key = pinyin_key(c)
        same_sound = key == target
        chars = difflib.SequenceMatcher(None, name, c).ratio()
        sound = difflib.SequenceMatcher(None, spelled, "".join(key)).ratio()
        score = 2.0 if same_sound else max(chars, sound)
        if score >= 0.75:
            scored.append((-score, c))
    return [c for _, c in sorted(scored)[:limit]]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """'（是否指 孙丽？）' or '' when nothing is close."""
    near = closest(name, candidates)
    return f"（是否指 {'、'.join(near)}？）" if near else ""
