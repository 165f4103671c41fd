"""`/burst <text>` read into one typed command, so the Slack handler only dispatches and never parses.

Parsing is total: any text gives a `Command`, and a mistake gives `ShowUsage` with a one-line, friendly
`problem` (in Slack mrkdwn, user text escaped) so the person sees what was wrong next to the usage text.
Subcommand words are case-insensitive; whatever follows them (a topic, skill names) keeps the person's case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, TypeAlias

from bot.domain.availability import WorkingHours, read_hours
from bot.domain.durations import format_duration, parse_duration
from bot.domain.intents import MAX_TOPIC_LENGTH
from handlers.views.blocks import escape
from storage.models import DEFAULT_LEVEL, SkillLevel

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_SNOOZE",
    "MAX_AWAY",
    "MAX_CAP",
    "MAX_COMMAND_LENGTH",
    "MAX_SNOOZE",
    "USAGE",
    "AddSkills",
    "AskHelp",
    "CancelRequest",
    "Command",
    "ConnectCalendar",
    "DeleteMyData",
    "DisconnectCalendar",
    "OpenRequestModal",
    "RemoveSkill",
    "SetAbout",
    "SetAvailable",
    "SetAway",
    "SetCap",
    "SetHours",
    "ShowCalendar",
    "ShowDigest",
    "ShowSkills",
    "ShowStatus",
    "ShowUsage",
    "SkillLevel",
    "SkillSpec",
    "Snooze",
    "parse_command",
    "parse_skills",
]

MAX_CAP: Final = 50
MAX_COMMAND_LENGTH: Final = 4000
"""Longer than any command (50 skills of the longest name still fit), so longer text is refused before it is read."""
DEFAULT_SNOOZE: Final = timedelta(hours=1)
MAX_SNOOZE: Final = timedelta(days=7)
"""A snooze is a short pause; a longer break is `away`, which shows on the profile and in the App Home."""
MAX_AWAY: Final = timedelta(days=365)
"""Keeps `now + duration` a sensible, storable date."""


@dataclass(frozen=True)
class OpenRequestModal:
    """`/burst` or `/burst help` alone: ask for the topic in the request form."""


@dataclass(frozen=True)
class AskHelp:
    topic: str


@dataclass(frozen=True)
class ShowSkills:
    pass


@dataclass(frozen=True)
class SkillSpec:
    name: str  # as typed, trimmed; canonical names are decided by the skills module
    level: SkillLevel


@dataclass(frozen=True)
class AddSkills:
    skills: tuple[SkillSpec, ...]


@dataclass(frozen=True)
class RemoveSkill:
    name: str


@dataclass(frozen=True)
class SetAvailable:
    pass


@dataclass(frozen=True)
class SetAway:
    duration: timedelta | None  # None: away until `/burst available`


@dataclass(frozen=True)
class SetHours:
    hours: WorkingHours | None  # None: clear, so pings may come at any time
    instead_of: WorkingHours | None = None  # the other reading of an ambiguous range ("9-5"), to confirm back


@dataclass(frozen=True)
class SetCap:
    cap: int | None  # None: no weekly cap


@dataclass(frozen=True)
class Snooze:
    duration: timedelta


@dataclass(frozen=True)
class SetAbout:
    text: str | None  # None: show it; "": clear it


@dataclass(frozen=True)
class ShowStatus:
    pass


@dataclass(frozen=True)
class CancelRequest:
    pass


@dataclass(frozen=True)
class DeleteMyData:
    """Only asks: the handler shows a confirmation before anything is deleted."""


@dataclass(frozen=True)
class ShowDigest:
    post: bool  # False: a private preview for the admin; True: post to the digest channel now


@dataclass(frozen=True)
class ConnectCalendar:
    # as pasted; bot.services.calendar_fetch.calendar_address checks it (and it is never echoed back in full)
    address: str


@dataclass(frozen=True)
class DisconnectCalendar:
    pass


@dataclass(frozen=True)
class ShowCalendar:
    pass


@dataclass(frozen=True)
class ShowUsage:
    problem: str | None  # one friendly mrkdwn line saying what was wrong; None when usage was asked for
    about: str | None = None  # the USAGE_LINES key of the command it is about, whose line goes with the problem


Command: TypeAlias = (
    OpenRequestModal
    | AskHelp
    | ShowSkills
    | AddSkills
    | RemoveSkill
    | SetAvailable
    | SetAway
    | SetHours
    | SetCap
    | Snooze
    | SetAbout
    | ShowStatus
    | CancelRequest
    | DeleteMyData
    | ShowDigest
    | ConnectCalendar
    | DisconnectCalendar
    | ShowCalendar
    | ShowUsage
)
_Parser: TypeAlias = Callable[[str], Command]

USAGE_LINES: Final[dict[str, str]] = {
    "help": "`/burst help &lt;topic&gt;` (or `/burst ask &lt;topic&gt;`): find someone who knows it and is free now",
    "": "`/burst`: open the request form (topic, details, length, expert or peer)",
    "status": "`/burst status`: your open request and sessions",
    "cancel": "`/burst cancel`: cancel your open request",
    "skills": "`/burst skills`: show your skills",
    "skills add": (
        "`/burst skills add python, postgres:expert, kubernetes:peer`: add skills (level `expert` or `peer`;"
        " `peer` when left out)"
    ),
    "skills remove": "`/burst skills remove &lt;skill&gt;`: remove a skill",
    "available": "`/burst available`: take pings again",
    "away": "`/burst away [2h | 3d]`: no pings for a while, or until `/burst available` when no duration is given",
    "hours": (
        "`/burst hours 9-5` (or `09:00-17:30`, `9am-5:30pm`): your working hours in your Slack time zone"
        " (`/burst hours off` clears them)"
    ),
    "cap": f"`/burst cap &lt;0-{MAX_CAP}&gt;`: most bursts a week for you (`/burst cap off` removes the cap)",
    "snooze": "`/burst snooze [30m]`: pause pings for a while (1 hour when left out)",
    "about": (
        "`/burst about &lt;a line or two&gt;`: what you can help with, in your own words (alone: shows it;"
        " `off` clears it)"
    ),
    "calendar": (
        "`/burst calendar &lt;secret iCal address&gt;`: no pings while your calendar says you're busy"
        " (`/burst calendar off` forgets it)"
    ),
    "delete-my-data": "`/burst delete-my-data`: forget everything Burst knows about you (asks first)",
    "digest": "`/burst digest`: preview this week's digest (admins)",
    "digest post": "`/burst digest post`: post the digest to its channel now (admins)",
    "usage": "`/burst usage`: this list",
}
"""One line per command; an error shows only the line of the command it is about (ShowUsage.about)."""

USAGE: Final = "\n".join(["*Burst: a quick burst of help from someone who knows*", *USAGE_LINES.values()])
ALL_COMMANDS: Final = "`/burst usage` lists every command."

_CLEAR_WORDS: Final = frozenset({"off", "clear", "none", "no", "remove", "reset", "unset"})
_USAGE_WORDS: Final = frozenset({"usage", "?", "commands", "-h", "--help", "/?", "man", "info"})
_SPLIT_HEAD = re.compile(r"\s*(\S+)\s*(.*)", re.DOTALL)
_HELP_LEAD = re.compile(r"(?:me(?:\s+|$))?(?:(?:with|on|about)(?:\s+|$)|w/\s*)?", re.IGNORECASE)
_QUOTE_PAIRS: Final = {'"': '"', "'": "'", "“": "”", "‘": "’", "`": "`"}
_CAP = re.compile(r"[0-9]{1,3}")
_SHOWN_WORD_LIMIT = 30


def parse_command(text: str) -> Command:
    """Read the text after `/burst`. Never raises: anything unusable becomes `ShowUsage(problem)`."""
    if len(text) > MAX_COMMAND_LENGTH:
        return ShowUsage(
            f"That is longer than any `/burst` command ({len(text)} characters; at most {MAX_COMMAND_LENGTH})."
        )
    head, rest = _split(text)
    word = head.lower()
    if not word:
        return OpenRequestModal()
    parser = _SUBCOMMANDS.get(word)
    if parser is not None:
        parsed = parser(rest)
        if isinstance(parsed, ShowUsage) and parsed.problem is not None and parsed.about is None:
            return ShowUsage(parsed.problem, _about(word, rest))
        return parsed
    if word in _USAGE_WORDS:
        return ShowUsage(None)
    if word == "delete":
        if rest.lower().replace("-", " ").split() == ["my", "data"]:
            return DeleteMyData()
        return ShowUsage("To remove your data, use `/burst delete-my-data`.")
    return ShowUsage(f"I don't know `{_shown(head)}`.")


def _about(word: str, rest: str) -> str | None:
    """The USAGE_LINES key for a problem with `word` (and, for skills and digest, the verb after it)."""
    canonical = _SYNONYMS.get(word, word)
    verb = _split(rest)[0].lower()
    if canonical == "skills":
        return "skills remove" if verb in {"remove", "rm", "delete", "del", "drop", "-"} else "skills add"
    return canonical if canonical in USAGE_LINES else None


# --- One parser per subcommand: (text after the subcommand word) -> Command ------------------------------------


def _help(rest: str) -> Command:
    lead = _HELP_LEAD.match(rest)  # `help me with X` asks about X
    topic = _unquote(rest[lead.end() if lead else 0 :].strip())
    if not topic:
        return OpenRequestModal()
    if not any(ch.isalnum() for ch in topic):
        return ShowUsage("Tell me what you need help with, e.g. `/burst help postgres indexes`.")
    if len(topic) > MAX_TOPIC_LENGTH:
        return ShowUsage(
            f"Keep the topic under {MAX_TOPIC_LENGTH} characters (yours has {len(topic)}); "
            "`/burst` alone opens a form with room for details."
        )
    return AskHelp(topic)


def _skills(rest: str) -> Command:
    action, args = _split(rest)
    verb = action.lower()
    if verb in {"", "list", "show", "mine"} and not args:
        return ShowSkills()
    if verb in {"add", "set", "+"}:
        return parse_skills(args)
    if verb in {"remove", "rm", "delete", "del", "drop", "-"}:
        return _remove_skill(args)
    return ShowUsage(
        "`skills` takes `add &lt;skills&gt;` (e.g. `skills add python, postgres:expert`) or `remove &lt;skill&gt;`, "
        "or nothing to show yours."
    )


def parse_skills(args: str) -> AddSkills | ShowUsage:
    """`python, postgres:expert`: what `/burst skills add` takes, and the App Home form's skills field."""
    specs: list[SkillSpec] = []
    for item in args.split(","):
        if not item.strip():
            continue
        spec = _skill_spec(item)
        if isinstance(spec, ShowUsage):
            return spec
        specs.append(spec)
    if not specs:
        return ShowUsage("List the skills to add, separated by commas, e.g. `/burst skills add python, sql:expert`.")
    return AddSkills(tuple(specs))


def _skill_spec(item: str) -> SkillSpec | ShowUsage:
    before, colon, after = item.rpartition(":")
    name, level = (before.strip(), after.strip()) if colon else (after.strip(), "")
    if not name:
        return ShowUsage(f"`{_shown(item.strip())}` needs a skill name before the colon, e.g. `postgres:expert`.")
    if not colon:
        return SkillSpec(name, DEFAULT_LEVEL)
    if not level:
        return ShowUsage(
            f"*{_shown(name)}* has a colon but no level after it: use `expert` or `peer`, "
            "or leave the colon out for `peer`."
        )
    checked = _level(level)
    if checked is None:
        return ShowUsage(
            f"`{_shown(level)}` isn't a level for *{_shown(name)}*: use `expert` or `peer`, "
            "e.g. `postgres:expert` (no level means `peer`)."
        )
    return SkillSpec(name, checked)


def _remove_skill(args: str) -> Command:
    name = args.strip()
    if not name:
        return ShowUsage("Say which skill to remove, e.g. `/burst skills remove python`.")
    if "," in name:
        return ShowUsage("Remove one skill at a time, e.g. `/burst skills remove python`.")
    base, colon, level = name.rpartition(":")
    if colon and base.strip() and _level(level) is not None:
        name = base.strip()  # `remove postgres:expert` removes postgres, whatever its level
    return RemoveSkill(name)


def _available(rest: str) -> Command:
    if rest.lower() in {"", "now", "again"}:
        return SetAvailable()
    return _no_arguments("available")


def _away(rest: str) -> Command:
    text = _drop_for(rest)
    if not text or text.lower() in {"indefinitely", "forever", "until further notice", "until i say"}:
        return SetAway(None)
    duration = _duration(text)
    if duration is None:
        return ShowUsage("`away` takes a duration like `2h` or `3d`, or nothing to stay away until `/burst available`.")
    if duration > MAX_AWAY:
        return ShowUsage(
            f"`away` lasts at most {format_duration(MAX_AWAY)}; leave it empty to stay away until `/burst available`."
        )
    return SetAway(duration)


def _hours(rest: str) -> Command:
    if rest.lower() in _CLEAR_WORDS:
        return SetHours(None)
    if not rest:
        return ShowUsage("`hours` takes a range like `09:00-17:30` or `9am-5:30pm`, or `off` to clear them.")
    try:
        reading = read_hours(rest)
        return SetHours(reading.hours, reading.instead_of)
    except ValueError as exc:
        return ShowUsage(escape(str(exc)) + " `hours off` clears them.")


def _cap(rest: str) -> Command:
    word = rest.lower()
    if word in _CLEAR_WORDS:
        return SetCap(None)
    if _CAP.fullmatch(word) and int(word) <= MAX_CAP:
        return SetCap(int(word))
    return ShowUsage(f"`cap` takes a whole number from 0 to {MAX_CAP} (most bursts a week), or `off` to remove it.")


def _snooze(rest: str) -> Command:
    text = _drop_for(rest)
    if not text:
        return Snooze(DEFAULT_SNOOZE)
    duration = _duration(text)
    if duration is None:
        return ShowUsage("`snooze` takes a duration like `30m` or `2h` (1 hour when left out).")
    if duration > MAX_SNOOZE:
        return ShowUsage(
            f"`snooze` lasts at most {format_duration(MAX_SNOOZE)}; for a longer break use `/burst away 2w`."
        )
    return Snooze(duration)


def _set_about(rest: str) -> Command:
    if not rest:
        return SetAbout(None)
    return SetAbout("" if rest.lower() in _CLEAR_WORDS else _unquote(rest))


def _digest(rest: str) -> Command:
    word = rest.lower()
    if word in {"", "preview"}:
        return ShowDigest(post=False)
    if word in {"post", "publish", "send"}:
        return ShowDigest(post=True)
    return ShowUsage("`digest` previews this week's digest; `digest post` posts it now.")


def _calendar(rest: str) -> Command:
    if not rest:
        return ShowCalendar()
    if rest.lower() in _CLEAR_WORDS | {"disconnect", "forget", "stop"}:
        return DisconnectCalendar()
    if len(rest.split()) > 1:
        return ShowUsage("`calendar` takes one address: the secret iCal address from your calendar's settings.")
    return ConnectCalendar(rest)


def _no_arguments(word: str) -> ShowUsage:
    return ShowUsage(f"`{word}` doesn't take anything after it.")


def _exact(command: Command, word: str) -> _Parser:
    def parse(rest: str) -> Command:
        return command if not rest else _no_arguments(word)

    return parse


# --- Helpers ----------------------------------------------------------------------------------------------------


def _split(text: str) -> tuple[str, str]:
    """First word and the rest, both stripped."""
    found = _SPLIT_HEAD.fullmatch(text)
    return (found[1], found[2].strip()) if found else ("", "")


def _level(text: str) -> SkillLevel | None:
    word = text.strip().lower()
    return next((level for level in SkillLevel if level == word), None)


def _duration(text: str) -> timedelta | None:
    try:
        return parse_duration(text)
    except ValueError:
        return None


def _drop_for(text: str) -> str:
    """`away for 2h` reads like `away 2h`."""
    return re.sub(r"^for\s+", "", text, flags=re.IGNORECASE).strip()


def _unquote(text: str) -> str:
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def _shown(text: str) -> str:
    """User text made safe to show inside backticks in mrkdwn, and short."""
    clipped = text if len(text) <= _SHOWN_WORD_LIMIT else text[: _SHOWN_WORD_LIMIT - 1] + "…"
    return escape(" ".join(clipped.replace("`", "'").split()))


_SYNONYMS: Final = {"ask": "help", "skill": "skills", "back": "available", "delete_my_data": "delete-my-data"}

_SUBCOMMANDS: Final[dict[str, _Parser]] = {
    "help": _help,
    "ask": _help,
    "skills": _skills,
    "skill": _skills,
    "available": _available,
    "back": _available,
    "away": _away,
    "hours": _hours,
    "cap": _cap,
    "snooze": _snooze,
    "about": _set_about,
    "status": _exact(ShowStatus(), "status"),
    "cancel": _exact(CancelRequest(), "cancel"),
    "delete-my-data": _exact(DeleteMyData(), "delete-my-data"),
    "delete_my_data": _exact(DeleteMyData(), "delete-my-data"),
    "digest": _digest,
    "calendar": _calendar,
}
