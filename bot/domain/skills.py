"""Skill names as people type them -> one canonical form, so mentors and askers find each other.

A mentor's `Postgres`, `*postgres*` and `PostgreSQL.` must all be stored as `postgresql`, or the matcher would see
three skills with one mentor each. Punctuation that is part of a name (c++, c#, .net, node.js, ci/cd) survives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from bot.domain.skill_aliases import ALIASES

MAX_SKILL_LENGTH = 50
"""The storage column's width, and longer than any real skill name: a longer one is a sentence pasted by mistake."""
MAX_SKILLS = 50
"""Skills one person may list: more than anyone mentors in, and 50 of the longest (`name:expert, ...`) still fit
the 3000 characters Slack allows to pre-fill the App Home form's skills field."""

_MAX_TYPED_LENGTH = 4 * MAX_SKILL_LENGTH
"""Room for quotes, markup and spaces around a name of the longest length; anything longer is refused unread."""

_SPACES = re.compile(r"\s+")
# Edges people add around a name: quotes, chat formatting (*bold*, `code`, ~strike~), brackets, list punctuation.
# `+` and `#` are kept at the end (c++, c#); a lone leading `.` before a letter is kept (.net). Stripped with
# str.lstrip/rstrip plus whitespace, not a `[...]+$` search, which rescans a long run of them from every start.
_LEADING = "\"'`*~,;:!?()[]{}<>|\\/+#-"
_TRAILING = "\"'`*~,;:!?()[]{}<>|\\/.-"
_LEADING_OR_DOT = _LEADING + "."
# Separators between two letters or digits that people write either way: node.js / node js / nodejs.
_SEPARATORS = re.compile(r"(?<=[a-z0-9])[\s./-]+(?=[a-z0-9])")
_MARKUP = "<>@"


def compact(text: str) -> str:
    """`node.js`, `node js` and `nodejs` -> `nodejs`: the form spelling variants share (c++, c#, .net unchanged)."""
    return _SEPARATORS.sub("", text)


def spaced(text: str) -> str:
    """`node.js` -> `node js`, `ci/cd` -> `ci cd`: the form a variant takes when a sentence splits it into words."""
    return _SEPARATORS.sub(" ", text)


def _compact_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical in set(ALIASES.values()):
        table.setdefault(compact(canonical), canonical)
    for alias, canonical in ALIASES.items():
        table.setdefault(compact(alias), canonical)
    return table


_COMPACT: dict[str, str] = _compact_table()


def unescape(text: str) -> str:
    """Undo the three HTML escapes chat platforms put in message text (`R&amp;D` -> `R&D`).

    Repeated until nothing changes, so a double-escaped `&amp;lt;` cannot smuggle a `<` past `validate_skill`
    and normalising stays idempotent.
    """
    while True:
        before = text
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        if text == before:
            return text


def strip_edges(text: str) -> str:
    """Drop quotes, chat formatting, brackets and list punctuation around a name; keep c++, c#, .net intact."""
    # Most words have nothing to strip: every word of a topic and of 51,000 knowledge terms passes through here.
    if text and not (text[0] in _LEADING_OR_DOT or text[-1] in _TRAILING or text[0].isspace() or text[-1].isspace()):
        return text
    while True:
        before = text
        text = _strip_chars(text, _LEADING, _TRAILING)
        if text.startswith("."):
            rest = text.lstrip(".")
            text = "." + rest if rest[:1].isalpha() else rest
        if text == before:
            return text


def _strip_chars(text: str, leading: str, trailing: str) -> str:
    start, end = 0, len(text)
    while start < end and (text[start] in leading or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in trailing or text[end - 1].isspace()):
        end -= 1
    return text[start:end]


def normalise_skill(name: str) -> str:
    """The canonical name for what someone typed; "" when nothing is left.

    Lower case, one space between words, no surrounding punctuation, underscores read as spaces, aliases applied
    (`k8s` -> `kubernetes`), and spelling variants of known skills folded (`Node JS` -> `node.js`).
    Normalising a canonical name returns it unchanged.
    """
    text = unicodedata.normalize("NFKC", unescape(name)).lower().replace("_", " ")
    text = strip_edges(_SPACES.sub(" ", text).strip())
    if text in ALIASES:
        return ALIASES[text]
    return _COMPACT.get(compact(text), text)


def _shown(name: str) -> str:
    """The name as typed, safe to echo back: no markup characters, and short."""
    text = "".join(ch for ch in unescape(name) if ch not in _MARKUP and ch not in "`").strip()
    return text if len(text) <= 30 else text[:29] + "…"


def validate_skill(name: str) -> str:
    """The canonical name, or ValueError with a message fit to show the person (one line per rejected name).

    Markup is rejected rather than cleaned: `<@U123>` or `<!channel>` in a skill list is a paste mistake, and
    storing what is left of it would give the mentor a skill they never meant.
    """
    if len(name) > _MAX_TYPED_LENGTH:  # before any cleaning: undoing nested escapes is a pass per level
        raise ValueError(
            f"`{_shown(name[:40])}` was skipped: skill names can be at most {MAX_SKILL_LENGTH} characters"
            f" (that one has {len(name.strip())})"
        )
    if any(ch in unescape(name) for ch in _MARKUP):
        shown = _shown(name)
        which = f"`{shown}`" if shown else "a skill"
        raise ValueError(f"{which} was skipped: skill names can't contain <, > or @ (mentions and links aren't skills)")
    skill = normalise_skill(name)
    if not skill:
        raise ValueError("an empty skill name was skipped (a stray comma?)")
    if not any(ch.isalnum() for ch in skill):
        raise ValueError(f"`{_shown(name)}` was skipped: a skill name needs at least one letter or digit")
    if any(unicodedata.category(ch).startswith("C") for ch in skill):
        raise ValueError(f"`{_shown(name)}` was skipped: it contains characters that can't be shown")
    if len(skill) > MAX_SKILL_LENGTH:
        raise ValueError(
            f"`{_shown(name)}` was skipped: skill names can be at most {MAX_SKILL_LENGTH} characters"
            f" (that one has {len(skill)})"
        )
    return skill


def same_question(a: str, b: str) -> bool:
    """Two topics in the same words, whatever their case, spacing and punctuation: "Kubernetes ingress?" is
    "kubernetes  ingress". Rephrased topics are not the same question; a person rephrasing means to ask again."""
    return _words_of(a) == _words_of(b)


def _words_of(topic: str) -> list[str]:
    return re.findall(r"\w+", topic.casefold())


def topic_key(topic: str, skills: Mapping[str, float] | None, gap: str | None = None) -> str:
    """What a request is about, to group requests by meaning (the digest's demand, the abuse limits' "same topic"):
    its best matched skill, else the skill a gap is about ("tf drift on every plan" and "terraform state lock" are
    both terraform), else its words."""
    if skills:
        return max(skills.items(), key=lambda kv: kv[1])[0]
    if gap:
        return gap
    return re.sub(r"\s+", " ", topic.strip().lower())[:60]
