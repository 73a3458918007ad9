"""(being written) renderers of the weflow_json family of export layouts; see tests/layouts.py."""

from __future__ import annotations

RENDERERS: dict = {}
LOSSES: dict = {}
