"""(being written) renderers of the chatlog family of export layouts; see tests/layouts.py."""

from __future__ import annotations

RENDERERS: dict = {}
LOSSES: dict = {}
