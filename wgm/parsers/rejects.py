"""Exports that look like chats but cannot be audited (no message times, or no senders): recognised, then
refused with the export to choose instead. Each was checked on a file the exporter's own code wrote
(tests/data/spec/formats/real)."""

from __future__ import annotations

import re

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source

_AI_DAY = re.compile(r"^\*{20}\d{4}-\d{2}-\d{2}\*{20}$", re.M)
_TIME_ALONE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", re.M)
_WEFLOW_SQL = re.compile(r"CREATE TABLE IF NOT EXISTS weflow_messages\b")
CHOOSE_MEMOTRACE = "请改用 TXT、CSV、Excel 或 HTML 导出 / export the chat as TXT, CSV, XLSX or HTML instead"


class MemoTraceAiTxt:
    name = "memotrace_ai_txt"
    description = "留痕 AI-TXT (<群名>_chat.txt): no message times — refused"
    example = "********************2025-03-03********************"

    def sniff(self, head: str) -> float:
        return 0.99 if _AI_DAY.search(head) else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError(f"留痕 AI-TXT 导出没有消息时间，无法考核；{CHOOSE_MEMOTRACE} (留痕 AI-TXT has no message times)",
                         source=src.path, line=1)


class MemoTraceTrainingJson:
    name = "memotrace_training_json"
    description = "留痕 JSON for model training (conversations/role): no times or names — refused"
    example = '{"conversations": [{"role": "user", "content": "…"}]}'

    def sniff(self, head: str) -> float:
        return 0.99 if '"conversations"' in head and '"role"' in head else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError(f"留痕 训练用 JSON 没有消息时间和发送人，无法考核；{CHOOSE_MEMOTRACE} (留痕 training JSON has "
                         "no message times or senders)", source=src.path, line=1)


class EmptyJsonList:
    """`[]`: what 留痕's training JSON holds for a group chat (it pairs question and answer of two people)."""

    name = "empty_json_list"
    description = "an empty JSON list ([]), as 留痕's training JSON of a group: no messages — refused"
    example = "[]"

    def sniff(self, head: str) -> float:
        return 0.9 if head.strip() == "[]" else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError(f"空的 JSON 列表，没有消息（留痕 训练用 JSON 就是这样）；{CHOOSE_MEMOTRACE} (an empty JSON list: no "
                         "messages; 留痕's training JSON of a group looks so)", source=src.path, line=1)


class MemoTraceDocx:
    """留痕's Word export: a time only where the gap to the message before is long, names run into the
    text, line breaks inside a message lost — the messages cannot be told apart reliably."""

    name = "memotrace_docx"
    container = "docx"
    description = "留痕 Word (.docx): times only now and then, names run into the text — refused"
    example = "2025-03-03 09:01:23 / 张三-项目经理@李四 请今天18:00前提交本周周报"

    def sniff(self, head: str) -> float:
        return 0.9 if _TIME_ALONE.search(head) else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError(f"留痕 Word（DOCX）导出只偶尔标出时间、发送人与正文连在一起，无法考核；{CHOOSE_MEMOTRACE} "
                         "(留痕's Word export gives times only now and then and runs names into the text)",
                         source=src.path)


class WeFlowSql:
    """WeFlow's SQL dump: it has times and sender wxids, but no display names, and it writes one
    message_id for every row (the id rounded through a JavaScript number): the JSON export has it all."""

    name = "weflow_sql"
    description = "WeFlow SQL (CREATE TABLE weflow_messages …): no names, one id for all rows — refused"
    example = "INSERT INTO weflow_messages (session_id, local_id, message_id, create_time, sender, …) VALUES (…);"

    def sniff(self, head: str) -> float:
        return 0.99 if _WEFLOW_SQL.search(head) else 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError("WeFlow SQL 导出没有成员名称、所有消息的 message_id 相同；请改用 WeFlow 的 JSON、Excel 或 TXT 导出 / "
                         "WeFlow's SQL export has no member names and one message_id for every row: export the "
                         "chat as WeFlow JSON, Excel or TXT instead", source=src.path, line=1)


MEMOTRACE_AI_TXT = MemoTraceAiTxt()
MEMOTRACE_TRAINING_JSON = MemoTraceTrainingJson()
EMPTY_JSON_LIST = EmptyJsonList()
MEMOTRACE_DOCX = MemoTraceDocx()
WEFLOW_SQL = WeFlowSql()
PARSERS = (MEMOTRACE_AI_TXT, MEMOTRACE_TRAINING_JSON, EMPTY_JSON_LIST, MEMOTRACE_DOCX, WEFLOW_SQL)
