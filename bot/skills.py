"""Skill names as people type them -> one canonical form, so mentors and askers find each other."""

from __future__ import annotations

import re

from bot.skill_aliases import ALIASES

MAX_SKILL_LENGTH = 50
_SPACES = re.compile(r"\s+")
_EDGE = re.compile(r"^[\s\"'`*_~.,;:!?()\[\]{}-]+|[\s\"'`*_~,;:!?()\[\]{}-]+$")


def normalise_skill(name: str) -> str:
    """Lower case, single spaces, no surrounding punctuation (but keep c++, c#, .net, node.js), aliases applied."""
    text = _SPACES.sub(" ", name.strip().lower())
    keep_dot = text.startswith(".")
    text = _EDGE.sub("", text)
    if keep_dot and text and not text.startswith("."):
        text = "." + text
    text = text.replace("_", " ").strip()
    return ALIASES.get(text, text)


def validate_skill(name: str) -> str:
    """The canonical name, or ValueError with a friendly reason."""
    if any(ch in name for ch in "<>@"):
        raise ValueError(f"`{name[:30]}` can't be a skill: no <, > or @ please")
    skill = normalise_skill(name)
    if not skill:
        raise ValueError("an empty skill name was skipped")
    if len(skill) > MAX_SKILL_LENGTH:
        raise ValueError(f"skill names are at most {MAX_SKILL_LENGTH} characters")
    return skill
