"""The seeded workspace of `burst demo`: a dozen people in several time zones, some of them mentors."""

from __future__ import annotations

from typing import Any

from storage.models import SkillLevel

BOT_USER = "U0BURST"
DIGEST_CHANNEL = "C0DIGEST"
GENERAL = "C0GEN"
ADMIN = "U0MAYA"
BOT_TOKEN, APP_TOKEN, SIGNING_SECRET = "xoxb-local", "xapp-local", "local-secret"

# (id, handle, real name, time zone, skills as "name:level")
PEOPLE: list[tuple[str, str, str, str, list[str]]] = [
    ("U0ALICE", "alice", "Alice Ng", "Europe/Berlin", []),
    ("U0BOB", "bob", "Bob Okafor", "America/New_York", ["python:expert", "postgresql:expert", "sql:peer"]),
    (
        "U0SAM",
        "sam",
        "Sam Rivera",
        "America/Los_Angeles",
        ["kubernetes:expert", "docker:expert", "terraform:peer"],
    ),
    ("U0PRIYA", "priya", "Priya Raman", "Asia/Kolkata", ["kubernetes:peer", "go:expert", "aws:expert"]),
    (
        "U0KENJI",
        "kenji",
        "Kenji Sato",
        "Asia/Tokyo",
        ["react:expert", "typescript:expert", "javascript:expert"],
    ),
    (
        "U0LENA",
        "lena",
        "Lena Fischer",
        "Europe/Berlin",
        ["pandas:expert", "python:peer", "machine learning:peer"],
    ),
    ("U0TOM", "tom", "Tom Becker", "Europe/London", ["public speaking:expert", "negotiation:peer"]),
    ("U0ZOE", "zoe", "Zoe Martin", "Australia/Sydney", ["figma:expert", "ux:expert"]),
    ("U0OMAR", "omar", "Omar Haddad", "Africa/Cairo", ["excel:expert", "sql:expert"]),
    ("U0MAYA", "maya", "Maya Cohen", "America/Chicago", ["hiring:expert", "product management:peer"]),
    ("U0LUCA", "luca", "Luca Rossi", "Europe/Rome", []),
    ("U0NINA", "nina", "Nina Petrova", "America/Sao_Paulo", []),
]


def workspace(mode: str = "socket", request_url: str | None = None) -> dict[str, Any]:
    app: dict[str, Any] = {
        "appId": "A0BURST",
        "botUserId": BOT_USER,
        "botName": "burst",
        "botToken": BOT_TOKEN,
        "appToken": APP_TOKEN,
        "signingSecret": SIGNING_SECRET,
        "mode": mode,
    }
    if request_url:
        app["requestUrl"] = request_url
    everyone = [p[0] for p in PEOPLE] + [BOT_USER]
    return {
        "workspace": {"name": "Acme", "domain": "acme", "teamId": "T0ACME"},
        "app": app,
        "users": [
            {"id": uid, "name": handle, "real_name": name, "email": f"{handle}@acme.test", "tz": tz}
            for uid, handle, name, tz, _ in PEOPLE
        ],
        "channels": [
            {"id": GENERAL, "name": "general", "members": everyone},
            {"id": DIGEST_CHANNEL, "name": "mentoring-digest", "members": [ADMIN, BOT_USER]},
        ],
    }


ABOUT: dict[str, str] = {
    "U0LENA": "Happy to help with experiment design, sample sizes, p-values and model evaluation.",
    "U0TOM": "I can help you structure a talk, tighten slides for an exec update, or rehearse a tough conversation.",
    "U0OMAR": "Spreadsheets of any size: lookups, pivot tables, month-end reports.",
}
"""What some mentors say they help with in their own words (`/burst about`): matched like skills."""


def mentor_skills() -> dict[str, list[tuple[str, SkillLevel]]]:
    return {
        uid: [(name, SkillLevel(level)) for name, _, level in (s.partition(":") for s in skills)]
        for uid, _, _, _, skills in PEOPLE
        if skills
    }


def time_zones() -> dict[str, tuple[str, str]]:
    return {uid: (name, tz) for uid, _, name, tz, _ in PEOPLE}
