"""Every parser of user text against hostile inputs of 10 KB and 100 KB: the worst time per parser.

The inputs are crafted to defeat regular expressions with overlapping or nested quantifiers (a long run of what
a pattern repeats, followed by what makes it fail), to make loops that strip one item per pass go round once per
character, and to hit every cap from just under to far over. Each input is parsed `REPEATS` times and its fastest
run kept (the machine is shared: the fastest run is the parser's own cost); the worst input is each parser's
figure. Target: every parser under 5 ms on every input.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.domain.availability import parse_hours
from bot.domain.durations import parse_duration
from bot.domain.intents import parse_help_intent
from bot.domain.skills import validate_skill
from bot.services.importer import parse_rows
from handlers.parsing.command_parser import parse_command

SIZES = (10_000, 100_000)
REPEATS = 5
TARGET_MS = 5.0

# Pieces that, repeated, make a pattern or a strip loop work hard: markup openers with no closer, words that the
# greeting, politeness, modal and subject groups each repeat, separators, escapes, and characters stripped one by one.
_RUNS = (
    "<!", "<@", "<#C1|", "<a", "<", "&amp;", "amp;", "help me ", "can ", "please ", "thanks ", "hi burst ",
    "really ", "some ", "anyone ", "i ", ":a:", " :)", "...", ". ", "a. ", "\n", "\u200d", "\U0001f600", '"', "*",
    "9", "1h", "1h ", ", ", ";", ":", "-", " ", "x", "P1", "T", "0", "am", "to ",
)  # fmt: skip


@dataclass(frozen=True)
class ParserResult:
    parser: str
    inputs: int
    worst_ms: float
    worst_input: str


def _ignore_errors(parse: Callable[[str], object]) -> Callable[[str], object]:
    def run(text: str) -> object:
        try:
            return parse(text)
        except ValueError:  # a refusal is an answer: the time to reach it is what is measured
            return None

    return run


def _csv(text: str) -> object:
    """One row whose cells hold the hostile text; a line break would start another row, so it reads as a space
    (a file of many rows costs its rows: the csv module reads about 4 MB of short lines a second here)."""
    cell = text.replace("\n", " ")
    return list(parse_rows(f"user,skills,hours,cap\nU123,{cell},{cell},{cell}\n"))


PARSERS: dict[str, tuple[Callable[[str], object], tuple[str, ...]]] = {
    "intents (DM, @mention)": (parse_help_intent, ("help me with ", "anyone know ", "i am stuck on ", "")),
    "command grammar (/burst)": (parse_command, ("help ", "skills add ", "away ", "snooze ", "hours ", "")),
    "durations": (_ignore_errors(parse_duration), ("", "1", "P", "PT")),
    "working hours": (_ignore_errors(parse_hours), ("", "9", "9-")),
    "skill names": (_ignore_errors(validate_skill), ("", "python ")),
    "CSV import (one row)": (_csv, ("", '"')),
}


def inputs(prefixes: tuple[str, ...]) -> Iterator[str]:
    for size in SIZES:
        for prefix in prefixes:
            for run in _RUNS:
                body = run * (size // len(run))
                yield prefix + body
                yield prefix + body + "!"  # a tail that fails what the run began
                yield prefix + body + " x?"


def run() -> list[ParserResult]:
    results = []
    for name, (parse, prefixes) in PARSERS.items():
        worst, worst_text, count = 0.0, "", 0
        for text in inputs(prefixes):
            best = min(_timed(parse, text) for _ in range(REPEATS))
            count += 1
            if best > worst:
                worst, worst_text = best, text
        results.append(ParserResult(name, count, worst * 1_000, _describe(worst_text)))
    return results


def _timed(parse: Callable[[str], object], text: str) -> float:
    began = time.perf_counter()
    parse(text)
    return time.perf_counter() - began


def _describe(text: str) -> str:
    return f"{len(text):,} chars: {text[:24]!r}…"
