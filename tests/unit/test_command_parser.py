"""`/burst <text>`: every subcommand, every mistake, and properties that hold for any text."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.availability import WorkingHours
from bot.domain.durations import format_duration
from bot.domain.intents import MAX_TOPIC_LENGTH
from handlers.parsing import command_parser as cp
from handlers.parsing.command_parser import (
    USAGE,
    USAGE_LINES,
    AddSkills,
    AskHelp,
    CancelRequest,
    Command,
    DeleteMyData,
    OpenRequestModal,
    RemoveSkill,
    SetAvailable,
    SetAway,
    SetCap,
    SetHours,
    ShowDigest,
    ShowSkills,
    ShowStatus,
    ShowUsage,
    SkillLevel,
    SkillSpec,
    Snooze,
    parse_command,
    parse_skills,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OpenRequestModal()),
        ("   ", OpenRequestModal()),
        ("help", OpenRequestModal()),
        ("HELP", OpenRequestModal()),
        ("ask", OpenRequestModal()),
        ("help me", OpenRequestModal()),
        ("help pandas groupby", AskHelp("pandas groupby")),
        ("ask  Kubernetes networking  ", AskHelp("Kubernetes networking")),
        ("Help me with Postgres indexes", AskHelp("Postgres indexes")),
        ("help with CSS grid", AskHelp("CSS grid")),
        ("help on-call rotations", AskHelp("on-call rotations")),
        ("help onboarding docs", AskHelp("onboarding docs")),
        ('help "pandas groupby"', AskHelp("pandas groupby")),
        ("help " + "x" * MAX_TOPIC_LENGTH, AskHelp("x" * MAX_TOPIC_LENGTH)),
        ("skills", ShowSkills()),
        ("SKILLS", ShowSkills()),
        ("skills list", ShowSkills()),
        (
            "skills add python, postgres:expert, kubernetes:peer",
            AddSkills(
                (
                    SkillSpec("python", SkillLevel.PEER),
                    SkillSpec("postgres", SkillLevel.EXPERT),
                    SkillSpec("kubernetes", SkillLevel.PEER),
                )
            ),
        ),
        ("skills add Machine Learning : EXPERT", AddSkills((SkillSpec("Machine Learning", SkillLevel.EXPERT),))),
        (
            "Skills Add  python ,, sql,",
            AddSkills((SkillSpec("python", SkillLevel.PEER), SkillSpec("sql", SkillLevel.PEER))),
        ),
        ("skill add c++:expert", AddSkills((SkillSpec("c++", SkillLevel.EXPERT),))),
        ("skills remove python", RemoveSkill("python")),
        ("skills rm Machine Learning", RemoveSkill("Machine Learning")),
        ("skills remove postgres:expert", RemoveSkill("postgres")),
        ("available", SetAvailable()),
        ("Available now", SetAvailable()),
        ("back", SetAvailable()),
        ("away", SetAway(None)),
        ("away 2h", SetAway(timedelta(hours=2))),
        ("away 3d", SetAway(timedelta(days=3))),
        ("away for 1w", SetAway(timedelta(weeks=1))),
        ("away PT90M", SetAway(timedelta(minutes=90))),
        ("hours 09:00-17:30", SetHours(WorkingHours(time(9), time(17, 30)))),
        ("hours 9-17:30", SetHours(WorkingHours(time(9), time(17, 30)))),
        ("hours 9am-5:30pm", SetHours(WorkingHours(time(9), time(17, 30)))),
        ("hours 09:00 - 17:30", SetHours(WorkingHours(time(9), time(17, 30)))),
        ("hours 22:00-06:00", SetHours(WorkingHours(time(22), time(6)))),
        ("hours off", SetHours(None)),
        ("HOURS Clear", SetHours(None)),
        ("cap 5", SetCap(5)),
        ("cap 0", SetCap(0)),
        ("cap 50", SetCap(50)),
        ("cap off", SetCap(None)),
        ("cap none", SetCap(None)),
        ("snooze", Snooze(timedelta(hours=1))),
        ("snooze 30m", Snooze(timedelta(minutes=30))),
        ("snooze for 2h", Snooze(timedelta(hours=2))),
        ("status", ShowStatus()),
        ("  Status  ", ShowStatus()),
        ("cancel", CancelRequest()),
        ("delete-my-data", DeleteMyData()),
        ("delete my data", DeleteMyData()),
        ("digest", ShowDigest(post=False)),
        ("digest preview", ShowDigest(post=False)),
        ("digest post", ShowDigest(post=True)),
        ("DIGEST POST", ShowDigest(post=True)),
        ("usage", ShowUsage(None)),
        ("?", ShowUsage(None)),
    ],
)
def test_parses(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("frobnicate", "`frobnicate`"),
        ("kubernetes please", "`kubernetes`"),
        ("help ???", "what you need help with"),
        ("help " + "x" * (MAX_TOPIC_LENGTH + 1), f"under {MAX_TOPIC_LENGTH} characters"),
        ("skills add", "List the skills"),
        ("skills add , ,", "List the skills"),
        ("skills add x:guru", "`expert` or `peer`"),
        ("skills add python, x:guru", "`guru`"),
        ("skills add :expert", "skill name"),
        ("skills add python:", "no level"),
        ("skills remove", "which skill"),
        ("skills remove a, b", "one skill at a time"),
        ("skills python", "`add"),
        ("available tomorrow", "`available`"),
        ("away soon", "`away` takes a duration like `2h` or `3d`"),
        ("away 0", "`away` takes a duration"),
        ("away -2h", "`away` takes a duration"),
        ("away 400d", "at most"),
        ("hours", "`09:00-17:30`"),
        ("hours 9-9", "09:00-17:30"),
        ("hours 25:00-17:00", "09:00-17:30"),
        ("hours whenever", "09:00-17:30"),
        ("cap", "0 to 50"),
        ("cap 51", "0 to 50"),
        ("cap -1", "0 to 50"),
        ("cap 2.5", "0 to 50"),
        ("cap lots", "0 to 50"),
        ("cap 99999999999999999999999", "0 to 50"),
        ("snooze zzz", "`snooze` takes a duration"),
        ("snooze 2w", "`/burst away"),
        ("status please", "`status`"),
        ("cancel everything", "`cancel`"),
        ("delete-my-data now", "`delete-my-data`"),
        ("delete", "`/burst delete-my-data`"),
        ("digest later", "`digest post`"),
    ],
)
def test_mistakes_give_usage_with_a_problem(text: str, says: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, ShowUsage)
    assert parsed.problem is not None
    assert says in parsed.problem


def test_problems_escape_user_text() -> None:
    parsed = parse_command("<!channel> hi")
    assert isinstance(parsed, ShowUsage)
    assert parsed.problem is not None
    assert "<!channel>" not in parsed.problem
    assert "&lt;!channel&gt;" in parsed.problem


def test_long_unknown_words_are_clipped() -> None:
    parsed = parse_command("x" * 500)
    assert isinstance(parsed, ShowUsage)
    assert parsed.problem is not None
    assert len(parsed.problem) < 120


def test_usage_lists_every_subcommand_one_per_line() -> None:
    for word in ["help", "ask", "skills", "skills add", "skills remove", "available", "away", "hours", "cap", "snooze",
                 "about", "status", "cancel", "delete-my-data", "digest", "digest post"]:  # fmt: skip
        assert f"`/burst {word}" in USAGE, word
    assert all(line.count("`/burst ") <= 2 for line in USAGE.splitlines())
    assert "<" not in USAGE  # mrkdwn: a literal angle bracket would start a link or mention


def test_default_level_is_peer() -> None:
    assert cp.DEFAULT_LEVEL == SkillLevel.PEER
    assert parse_command("skills add python") == AddSkills((SkillSpec("python", SkillLevel.PEER),))


# --- Properties -------------------------------------------------------------------------------------------------

SUBCOMMAND_WORDS = ["help", "ask", "skills", "skills add", "skills remove", "available", "away", "hours", "cap",
                    "snooze", "status", "cancel", "delete-my-data", "digest", "usage", "delete"]  # fmt: skip


@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    assert isinstance(parse_command(text), Command)


@given(st.sampled_from(SUBCOMMAND_WORDS), st.text(max_size=100))
def test_never_raises_after_a_subcommand(word: str, rest: str) -> None:
    parsed = parse_command(f"{word} {rest}")
    assert isinstance(parsed, Command)
    if isinstance(parsed, ShowUsage) and parsed.problem is not None:
        assert "\n" not in parsed.problem


_QUOTES = "\"'“‘`"
_LEADS = {"me", "with", "on", "about"}


def _plain_topic(topic: str) -> bool:
    """Topics `help` takes as they are: with a letter or digit, not starting like `help me with`, not quoted."""
    return (
        any(ch.isalnum() for ch in topic)
        and len(topic) <= MAX_TOPIC_LENGTH
        and topic.split()[0].lower() not in _LEADS
        and not topic.lower().startswith("w/")
        and topic[0] not in _QUOTES
    )


topics = st.text(min_size=1, max_size=MAX_TOPIC_LENGTH).map(str.strip).filter(lambda t: bool(t) and _plain_topic(t))


@given(st.sampled_from(["help", "ask", "HELP", "Ask"]), topics, st.sampled_from([" ", "  ", "\t", " \n "]))
def test_ask_round_trips(word: str, topic: str, gap: str) -> None:
    assert parse_command(f"{word}{gap}{topic}  ") == AskHelp(topic)


skill_names = (
    st.text(st.characters(exclude_characters=",:", codec="utf-8"), min_size=1, max_size=40).map(str.strip).filter(bool)
)
# (what is typed after the colon, or None for no colon; the level it means)
levels: st.SearchStrategy[tuple[str | None, SkillLevel]] = st.sampled_from(
    [(None, "peer"), ("expert", "expert"), ("peer", "peer"), ("EXPERT", "expert"), (" Peer ", "peer")]
)


@given(st.lists(st.tuples(skill_names, levels), min_size=1, max_size=8))
def test_skills_add_round_trips(pairs: list[tuple[str, tuple[str | None, SkillLevel]]]) -> None:
    text = "skills add " + ", ".join(name if typed is None else f"{name}:{typed}" for name, (typed, _) in pairs)
    expected = tuple(SkillSpec(name, level) for name, (_, level) in pairs)
    assert parse_command(text) == AddSkills(expected)


@given(st.text(max_size=200))
def test_the_app_home_form_reads_skills_as_skills_add_does(text: str) -> None:
    command, form = parse_command(f"skills add {text}"), parse_skills(text.strip())
    assert form == (ShowUsage(command.problem) if isinstance(command, ShowUsage) else command)


@given(st.integers(min_value=0, max_value=50))
def test_cap_round_trips(cap: int) -> None:
    assert parse_command(f"cap {cap}") == SetCap(cap)


@given(st.timedeltas(min_value=timedelta(seconds=1), max_value=cp.MAX_AWAY))
def test_away_takes_what_format_duration_writes(duration: timedelta) -> None:
    assert parse_command(f"away {format_duration(duration)}") == SetAway(duration)


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("hours soon", "hours"),
        ("skills add :expert", "skills add"),
        ("skill remove", "skills remove"),
        ("cap lots", "cap"),
        ("back now please", "available"),
        ("digest later", "digest"),
    ],
)
def test_a_mistake_names_the_one_usage_line_it_is_about(text: str, about: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, ShowUsage)
    assert parsed.problem
    assert parsed.about == about
    assert about in USAGE_LINES
