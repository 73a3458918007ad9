"""(being written) parsers for the weflow_json family of export layouts."""

from __future__ import annotations

PARSERS: tuple = ()
