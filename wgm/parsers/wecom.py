"""(being written) parsers for the wecom family of export layouts."""

from __future__ import annotations

PARSERS: tuple = ()
