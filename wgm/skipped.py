"""The files an input folder held that are not chat exports, counted by kind: a 留痕 folder of 2,000
images is one line on the terminal (跳过 2000 个非聊天文件：图片 1998，其他 2), not 2,000 rows. Files
refused (an export that could not be read) are not counted here: each one is shown, they leave the
input incomplete. No pandas: the CLI imports this for every run."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath
from typing import Iterable

# kind → (zh, en, file suffixes); the order is the order of the line
_KINDS = (
    ("image", "图片", "images", {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".heic", ".tif", ".tiff"}),
    ("video", "视频", "videos", {".mp4", ".mov", ".avi", ".mkv"}),
    ("audio", "语音", "voice", {".mp3", ".amr", ".silk", ".wav", ".m4a", ".aac"}),
    ("document", "文档", "documents", {".docx", ".doc", ".pdf", ".xlsx", ".xls", ".pptx", ".md"}),
    ("web", "网页", "web pages", {".html", ".htm", ".js", ".css"}),
    ("archive", "压缩包", "archives", {".zip", ".rar", ".7z"}),
    ("side", "附带文件", "side files", {".yaml", ".yml", ".json", ".csv"}),
)
_OTHER = ("other", "其他", "other")
_HIDDEN = ("hidden", "隐藏", "hidden")


def kind(path: str, reason: str) -> str:
    """The kind of a skipped file, by its name (and a hidden one by why it was skipped)."""
    if reason.startswith("隐藏") or PurePath(path).name.startswith("."):
        return _HIDDEN[0]
    suffix = PurePath(path).suffix.lower()
    return next((k for k, _zh, _en, suffixes in _KINDS if suffix in suffixes), _OTHER[0])


def not_chat_files(inputs: Iterable) -> list:
    """The inputs (InputInfo) skipped as not chat exports: not read, and not refused."""
    return [i for i in inputs if not i.fmt and not i.refused]


def count_by_kind(inputs: Iterable) -> Counter:
    return Counter(kind(i.path, i.skipped_reason) for i in not_chat_files(inputs))


def summary_line(counts: Counter, lang: str = "zh") -> str:
    """跳过 2000 个非聊天文件：图片 1998，其他 2 (or in English); "" when nothing was skipped."""
    total = sum(counts.values())
    if not total:
        return ""
    labels = [(k, zh, en) for k, zh, en, _ in _KINDS] + [_HIDDEN, _OTHER]
    parts = [(zh if lang == "zh" else en, counts[k]) for k, zh, en in labels if counts.get(k)]
    if lang == "zh":
        return f"跳过 {total} 个非聊天文件：" + "，".join(f"{label} {n}" for label, n in parts)
    return f"skipped {total} files that are not chat exports: " + ", ".join(f"{label} {n}" for label, n in parts)
