"""(being written) parsers for the chatlog family of export layouts."""

from __future__ import annotations

PARSERS: tuple = ()
