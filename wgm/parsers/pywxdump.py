"""(being written) parsers for the pywxdump family of export layouts."""

from __future__ import annotations

PARSERS: tuple = ()
