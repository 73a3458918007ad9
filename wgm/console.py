"""The terminal side of the CLI: consoles that print export text safely, the language of what is shown,
and the progress of a run (a bar on a terminal, a line per stage with --verbose). No pandas here:
`wgm --help` and `wgm formats` import this and must start at once."""

from __future__ import annotations

import re
import time
from typing import Any, Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

# what a terminal would act on rather than show: control characters (ESC starts a command), and the
# marks that reorder text (bidi overrides) — shown as their escapes, so a name cannot move the cursor
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: str) -> str:
    """A text safe to print on a terminal: its control characters as escapes (\\x1b), and a file name
    that is not UTF-8 (GBK bytes from a Windows zip) with its undecodable bytes escaped too."""
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class SafeConsole(Console):
    """A console whose plain strings are printed with their control characters escaped: names, texts and
    paths from an export reach the terminal in every message wgm prints."""

    def print(self, *objects, **kwargs) -> None:
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)


def cell(value) -> Text:
    """A table cell taken as it is: a display name like [/bold]-运营部 is text, never rich markup."""
    return Text(visible(str(value)))


def add_row(table: Table, *cells, **kwargs) -> None:
    table.add_row(*(cell(c) for c in cells), **kwargs)


def say(lang: str, zh: str, en: str) -> str:
    """The text in the run's language (--lang): Chinese unless English was asked for."""
    return en if lang == "en" else zh


# the stages api reports (its step texts begin with these words), as the terminal names them
_STAGES = {"reading": ("读取", "reading"), "judging": ("判定", "judging"), "writing": ("写入", "writing")}
_STAGE_UNITS = {"reading": ("个文件", "files"), "judging": ("", ""), "writing": ("个文件", "files")}


def stage_text(step: str, lang: str) -> str:
    """An api progress step (`reading 群.txt`, `judging 1,234 messages`, `writing report.xlsx`) in the
    run's language."""
    word, _, rest = step.partition(" ")
    zh, en = _STAGES.get(word, (word, word))
    if word == "judging" and lang != "en":
        rest = rest.replace(" messages", " 条消息")
    return f"{say(lang, zh, en)} {rest}".strip()


class Progress:
    """A run's progress through every stage to the last file written: a transient bar on a terminal
    (never under --quiet or into a pipe), and with `verbose` one line per finished stage on stderr."""

    def __init__(self, console: Console, lang: str, show_bar: bool, verbose: bool,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console, self.lang, self.show_bar, self.verbose, self.clock = console, lang, show_bar, verbose, clock
        self.bar: Any = None          # rich.progress.Progress, loaded only for a terminal
        self.task: Any = None
        self.stage = ""
        self.started = 0.0
        self.steps = 0

    def __enter__(self) -> "Progress":
        if self.show_bar:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar
            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(stage_text("reading …", self.lang), total=None)
        return self

    def __call__(self, step: str, done: int, total: int) -> None:
        stage = step.partition(" ")[0]
        if stage != self.stage:
            self._finish_stage()
            self.stage, self.started, self.steps = stage, self.clock(), 0
        self.steps = max(self.steps, total)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=stage_text(step, self.lang), completed=done, total=total)

    def _finish_stage(self) -> None:
        if not self.verbose or not self.stage:
            return
        zh, en = _STAGES.get(self.stage, (self.stage, self.stage))
        unit_zh, unit_en = _STAGE_UNITS.get(self.stage, ("", ""))
        count = f"，{self.steps} {unit_zh}" if self.lang != "en" and unit_zh else \
            f", {self.steps} {unit_en}" if self.lang == "en" and unit_en else ""
        seconds = self.clock() - self.started
        self.console.print(say(self.lang, f"阶段 {zh}：完成{count}，{seconds:.1f} 秒",
                               f"stage {en}: done{count}, {seconds:.1f} s"), markup=False, highlight=False)

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self._finish_stage()
        if self.bar is not None:
            self.bar.stop()
