"""(being written) renderers of the wecom family of export layouts; see tests/layouts.py."""

from __future__ import annotations

RENDERERS: dict = {}
LOSSES: dict = {}
