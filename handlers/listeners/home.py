"""The App Home tab: my profile, my open requests, my recent bursts, with buttons and a modal to edit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.availability import WorkingHours, read_hours
from bot.domain.evidence import MAX_ABOUT_LENGTH, clean_about
from bot.domain.skills import MAX_SKILLS
from bot.services.container import Services
from bot.services.overview import Overview, overview
from bot.services.profiles import Profile
from handlers.listeners import home_signals
from handlers.listeners.modals import request_modal
from handlers.parsing.command_parser import AddSkills, ShowUsage, parse_skills
from handlers.slack.gateway import SlackGateway
from handlers.slack.listening import Listeners
from handlers.views import blocks as b
from handlers.views.blocks import escape, plain_text
from handlers.views.replies import availability_line, skills_line, status_text
from storage.models import SkillLevel, utcnow

HOME_EDIT = "home_edit_profile"
HOME_AWAY = "home_away_day"
HOME_AVAILABLE = "home_available"
HOME_ASK = "home_ask"
PROFILE_MODAL = "profile_modal"


def home_view(profile: Profile, view: Overview, sees: Sequence[Block] | None = None) -> b.Json:
    m = profile.member
    return b.home(
        [
            b.header("Burst: help in minutes"),
            b.section("Stuck? Ask for help and Burst finds someone who knows it and is free right now."),
            b.actions(b.button("Ask for help", HOME_ASK, "ask", "primary")),
            b.divider(),
            b.header("My mentor profile"),
            b.section(skills_line(profile)),
            b.section(
                f"*I can help with:* {escape(profile.about)}"
                if profile.about
                else "*I can help with:* nothing in your own words yet. Add a line or two under Edit profile."
            ),
            b.section(availability_line(profile)),
            b.context(
                "Working hours are in your Slack time zone. With none set, Burst may ping you at any time "
                "(unless you're away or snoozed)."
            ),
            b.actions(
                b.button("Edit profile", HOME_EDIT, "edit"),
                b.button("I'm available", HOME_AVAILABLE, "available")
                if m.away
                else b.button("Away for a day", HOME_AWAY, "away"),
            ),
            *(sees or ()),
            b.divider(),
            b.header("My requests and bursts"),
            b.section(status_text(view, m.id)),
        ]
    )


def profile_modal(profile: Profile) -> b.Json:
    m = profile.member
    skills = ", ".join(f"{s.skill}:{s.level}" for s in profile.skills)
    hours = f"{m.hours_start}-{m.hours_end}" if m.hours_start and m.hours_end else ""
    cap = "" if m.weekly_cap is None else str(m.weekly_cap)
    thanks = b.option("Thank me by name in the weekly digest", "yes")
    return b.modal(
        PROFILE_MODAL,
        "My mentor profile",
        [
            b.field(
                "skills",
                "Skills",
                b.text_input("skills", skills),
                optional=True,
                hint="Comma-separated, level after a colon: python, postgres:expert",
            ),
            b.field(
                "about",
                "What I can help with",
                b.text_input("about", profile.about, max_length=MAX_ABOUT_LENGTH, multiline=True),
                optional=True,
                hint="A line or two in your own words, e.g. experiment design, sample sizes and A/B test readouts.",
            ),
            b.field(
                "hours",
                "Working hours",
                b.text_input("hours", hours),
                optional=True,
                hint=f"Like 09:00-17:30, in your time zone ({m.tz}). Empty: any time.",
            ),
            b.field(
                "cap", "Most bursts a week", b.text_input("cap", cap), optional=True, hint="A number; empty for no cap."
            ),
            b.field(
                "thanks",
                "Digest",
                b.checkboxes("thanks", [thanks], [thanks] if m.thanks_opt_in else []),
                optional=True,
            ),
        ],
        submit="Save",
    )


@dataclass(frozen=True)
class ProfileForm:
    """The App Home form as read: what to save, or the errors to show next to its fields."""

    skills: list[tuple[str, SkillLevel]]
    hours: WorkingHours | None
    instead_of: WorkingHours | None  # the other reading of an ambiguous range ("9-5"), to confirm back
    about: str
    cap: int | None
    thanks_opt_in: bool
    errors: dict[str, str]


def read_profile_form(view: dict[str, Any]) -> ProfileForm:
    values = view.get("state", {}).get("values", {})

    def text(block: str) -> str:
        return (values.get(block, {}).get(block, {}).get("value") or "").strip()

    errors: dict[str, str] = {}
    skills_text = text("skills")
    parsed = parse_skills(skills_text) if skills_text else None
    if isinstance(parsed, ShowUsage):
        errors["skills"] = parsed.problem or "Use names separated by commas, e.g. python, sql:expert"
    elif isinstance(parsed, AddSkills) and len({s.name for s in parsed.skills}) > MAX_SKILLS:
        errors["skills"] = f"At most {MAX_SKILLS} skills, please."
    hours = instead_of = None
    if text("hours"):
        try:
            reading = read_hours(text("hours"))
            hours, instead_of = reading.hours, reading.instead_of
        except ValueError as exc:
            errors["hours"] = str(exc)
    about = ""
    try:
        about = clean_about(text("about"))
    except ValueError as exc:
        errors["about"] = str(exc)
    cap: int | None = None
    if text("cap"):
        if not (text("cap").isascii() and text("cap").isdigit()) or not 0 <= int(text("cap")) <= 50:
            errors["cap"] = "A whole number from 0 to 50, or empty for no cap."
        else:
            cap = int(text("cap"))
    wanted = {s.name: s.level for s in parsed.skills} if isinstance(parsed, AddSkills) else {}
    return ProfileForm(
        skills=list(wanted.items()),
        hours=hours,
        instead_of=instead_of,
        about=about,
        cap=cap,
        thanks_opt_in=bool(values.get("thanks", {}).get("thanks", {}).get("selected_options")),
        # Slack shows a form's errors as typed: no mrkdwn, no `&lt;`.
        errors={block: plain_text(e) for block, e in errors.items()},
    )


def register(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    listen = Listeners.of(app, services)

    async def publish(client: AsyncWebClient, user: str) -> None:
        profile = await services.profiles.profile(user)
        sees = await home_signals.blocks(services, user)
        await client.views_publish(user_id=user, view=home_view(profile, await overview(services.db, user), sees))

    home_signals.register(app, services, gateway, publish)

    @listen.event("app_home_opened", acts_on=lambda body: (body.get("event") or {}).get("tab", "home") == "home")
    async def opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        await publish(client, event["user"])

    @listen.action(HOME_ASK, opens_view=True)
    async def ask(body: dict[str, Any]) -> None:
        await gateway.open_view(
            body["trigger_id"],
            request_modal(None, default_seconds=services.requests.config.default_length_seconds),
            body["user"]["id"],
        )

    @listen.action(HOME_AWAY)
    async def away(body: dict[str, Any], client: AsyncWebClient) -> None:
        await services.profiles.set_away(body["user"]["id"], utcnow() + timedelta(days=1))
        await publish(client, body["user"]["id"])

    @listen.action(HOME_AVAILABLE)
    async def available(body: dict[str, Any], client: AsyncWebClient) -> None:
        await services.profiles.set_available(body["user"]["id"])
        await publish(client, body["user"]["id"])

    @listen.action(HOME_EDIT, opens_view=True)
    async def edit(body: dict[str, Any]) -> None:
        profile = await services.profiles.profile(body["user"]["id"])
        await gateway.open_view(body["trigger_id"], profile_modal(profile), body["user"]["id"])

    @listen.view(PROFILE_MODAL, check=lambda view: read_profile_form(view).errors)
    async def save(body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        form, user = read_profile_form(view), body["user"]["id"]
        await services.profiles.replace_profile(
            user,
            skills=form.skills,
            hours=form.hours,
            cap=form.cap,
            about=form.about,
            thanks_opt_in=form.thanks_opt_in,
        )
        await publish(client, user)
        if form.instead_of is not None:  # "9-5": say how it was read, and how to write the other reading
            await gateway.dm(
                user,
                f":clock9: I read your working hours as {form.hours}. For {form.instead_of} overnight instead, "
                f"type it in 24-hour time: {form.instead_of}.",
            )
