"""Parsers of user text stay cheap whatever they are fed: hostile inputs end in well under a second (they took 10
to 30 s of CPU before), and each cap refuses or ignores text past it in a way the person can act on.

The bounds here are 100 times the parsers' figures (`python -m benchmarks parsers` prints those), so they hold on a
loaded machine and still fail on quadratic parsing, whose cost on these inputs is seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.domain.availability import parse_hours
from bot.domain.intents import MAX_MESSAGE_LENGTH, MAX_TOPIC_LENGTH, HelpIntent, parse_help_intent
from bot.domain.skills import MAX_SKILL_LENGTH, validate_skill
from bot.services.importer import MAX_CELL_CHARS, MAX_LINE_CHARS, MentorRow, RowError, parse_rows
from handlers.parsing.command_parser import MAX_COMMAND_LENGTH, AskHelp, ShowUsage, parse_command

BOUND_SECONDS = 0.5


def _cpu_seconds(parse: Callable[[], object]) -> float:
    began = time.process_time()
    parse()
    return time.process_time() - began


@pytest.mark.parametrize(
    "text",
    [
        "help me with " + "<!" * 10_000,  # the crafted DM of the issue
        "help me with " + "<!" * 20_000,
        "help me with " + "<a" * 20_000,
        "help me with " + "<@U1|" * 8_000,
        "help me with x" + " :)" * 20_000,
        "help me with x" + " please" * 6_000,
        "a. " * 20_000,
        "i " + "really " * 6_000 + "stuck",
    ],
)
def test_hostile_messages_parse_in_linear_time(text: str) -> None:
    assert _cpu_seconds(lambda: parse_help_intent(text)) < BOUND_SECONDS


def test_markup_is_still_read_as_slack_writes_it() -> None:
    text = "hey <@U0BURST|burst> <!here> help with <https://x.io/a|the docs> in <#C123|dev-ops> <#C9> now"
    assert parse_help_intent(text) == HelpIntent("the docs in #dev-ops now")
    assert parse_help_intent("help with <https://x.io/b> &lt;tag&gt;") == HelpIntent("https://x.io/b <tag>")
    assert parse_help_intent("help with a <| b> c") == HelpIntent("a <| b> c")  # not markup: kept as typed


def test_only_the_start_of_a_long_message_is_read() -> None:
    filler = "x" * (MAX_MESSAGE_LENGTH - 10) + "\n"
    assert parse_help_intent(filler[:100] + "\nhelp me with kafka") == HelpIntent("kafka")
    assert parse_help_intent(filler + "help me with kafka") is None


def test_a_topic_too_long_is_still_reported_as_too_long() -> None:
    intent = parse_help_intent("help me with " + "word " * 700)
    assert intent is not None
    assert len(intent.topic) > MAX_TOPIC_LENGTH


@pytest.mark.parametrize("greetings", [94, 95, 96, 97])
def test_a_long_sentence_cut_inside_the_request_keeps_its_topic(greetings: int) -> None:
    text = "hey " * greetings + "help me with kafka streams please"  # cut inside "kafka", "with", or after it
    assert parse_help_intent(text) == HelpIntent("kafka streams")


def test_commands_past_the_cap_are_refused_unread() -> None:
    long = "help " + "<!" * MAX_COMMAND_LENGTH
    assert _cpu_seconds(lambda: parse_command(long)) < BOUND_SECONDS
    refused = parse_command(long)
    assert isinstance(refused, ShowUsage)
    assert "longer than any" in (refused.problem or "")
    assert parse_command("help " + "k" * 100) == AskHelp("k" * 100)


def test_hours_past_their_cap_are_refused_with_the_syntax() -> None:
    with pytest.raises(ValueError, match="too long to be working hours"):
        parse_hours("9" * 101)
    assert str(parse_hours("09:00 " + " " * 50 + "- 17:30")) == "09:00-17:30"


def test_skill_names_past_their_cap_are_refused_before_cleaning() -> None:
    nested = "&" + "amp;" * 50_000 + "lt;python"
    dots = "." * 50_000 + "x"
    for name in (nested, dots):
        began = time.process_time()
        with pytest.raises(ValueError, match=f"at most {MAX_SKILL_LENGTH} characters"):
            validate_skill(name)
        assert time.process_time() - began < BOUND_SECONDS
    assert validate_skill("  **Python**  ") == "python"


def test_a_csv_field_beyond_the_csv_modules_limit_is_a_row_error() -> None:
    huge = '"' + "xxx\n" * 50_000  # a quoted field of short lines: past the csv module's own 128 KiB limit
    rows = list(parse_rows("user,skills\nU123,python\nU124," + huge + '"\n'))
    assert isinstance(rows[0], MentorRow)
    assert isinstance(rows[-1], RowError)
    assert "readable CSV" in rows[-1].message


def test_csv_cells_and_lines_past_their_caps_are_row_errors() -> None:
    cell = "p" * (MAX_CELL_CHARS + 1)
    rows = list(parse_rows(f"user,skills\nU123,{cell}\nU124,python\n"))
    assert isinstance(rows[0], RowError)
    assert "longer than" in rows[0].message
    assert isinstance(rows[1], MentorRow)
    line = "U123," + ", " * MAX_LINE_CHARS
    assert _cpu_seconds(lambda: list(parse_rows(f"user,skills\n{line}\n"))) < BOUND_SECONDS
    (refused,) = parse_rows(f"user,skills\n{line}\n")
    assert isinstance(refused, RowError)
    assert refused.line == 2
