"""Exports that look like chats but cannot be audited (no message times): recognised, then refused."""

from __future__ import annotations

import re

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source

_AI_DAY = re.compile(r"^\*{20}\d{4}-\d{2}-\d{2}\*{20}$", re.M)


class MemoTraceAiTxt:
    name = "memotrace_ai_txt"
    description = "留痕 AI-TXT (<群名>_chat.txt): no message times — refused"
    example = "********************2025-03-03********************"

    def sniff(self, head: str) -> float:
        return 0.99 if _AI_DAY.search(head) else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError("留痕 AI-TXT export has no message times and cannot be audited; "
                         "export the chat as TXT or CSV instead", source=src.path, line=1)


class MemoTraceTrainingJson:
    name = "memotrace_training_json"
    description = "留痕 JSON for model training (conversations/role): no times or names — refused"
    example = '{"conversations": [{"role": "user", "content": "…"}]}'

    def sniff(self, head: str) -> float:
        return 0.99 if '"conversations"' in head and '"role"' in head else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError("留痕 training JSON has no message times or senders and cannot be audited; "
                         "export the chat as TXT or CSV instead", source=src.path, line=1)


MEMOTRACE_AI_TXT = MemoTraceAiTxt()
MEMOTRACE_TRAINING_JSON = MemoTraceTrainingJson()
