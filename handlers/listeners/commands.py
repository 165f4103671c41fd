"""`/burst ...`: parse, call a service, answer ephemerally (the ack is handlers.slack.listening's)."""

from __future__ import annotations

from typing import Any, assert_never

from slack_bolt.async_app import AsyncApp, AsyncRespond

from bot.domain.skills import MAX_SKILL_LENGTH
from bot.services.asking import Ask
from bot.services.container import Services
from bot.services.overview import overview
from handlers.listeners import calendar_replies
from handlers.listeners.modals import request_modal
from handlers.parsing import command_parser as cp
from handlers.slack.gateway import SlackGateway
from handlers.slack.listening import Listeners
from handlers.views import blocks as b
from handlers.views.blocks import clip, escape, local_time, plural
from handlers.views.digest_blocks import digest_blocks, digest_text
from handlers.views.replies import ask_reply, availability_line, skills_line, status_text
from storage.models import utcnow

EPHEMERAL = "ephemeral"
"""Every reply to a command says so: Slack's default for a response_url happens to be ephemeral, but a reply that
only its reader should see must not depend on a default."""


def opens_form(command: dict[str, Any]) -> bool:
    return isinstance(cp.parse_command(command.get("text") or ""), cp.OpenRequestModal)


def register(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    listen = Listeners.of(app, services)
    register_confirmations(listen, services)

    @listen.command("/burst", opens_view=opens_form)
    async def burst(command: dict[str, Any], respond: AsyncRespond) -> None:
        """Every command has its case: mypy proves it (`assert_never`), so a new command cannot go unanswered."""
        parsed = cp.parse_command(command.get("text") or "")
        user = command["user_id"]

        async def reply(text: str) -> None:
            await respond(text, response_type=EPHEMERAL)

        match parsed:
            case cp.OpenRequestModal():
                form = request_modal(
                    command.get("channel_id"), default_seconds=services.requests.config.default_length_seconds
                )
                await gateway.open_view(command["trigger_id"], form, user)
            case cp.AskHelp(topic=topic):
                ask = Ask(
                    requester_id=user,
                    topic=topic,
                    source="command",
                    channel_id=command.get("channel_id"),
                    dedup_key=f"cmd:{command.get('trigger_id')}",
                )
                outcome = await services.requests.store(ask)
                if text := ask_reply(outcome):
                    await reply(text)
                await services.requests.search(outcome)
            case cp.DeleteMyData():
                await respond(
                    text="Delete all your Burst data?", blocks=confirm_delete_blocks(user), response_type=EPHEMERAL
                )
            case cp.ShowDigest():
                await respond(**await digest_reply(parsed, user, services), response_type=EPHEMERAL)
            case cp.ShowSkills():
                await reply(await _show_skills(user, services))
            case cp.AddSkills():
                await reply(await _add_skills(parsed, user, services))
            case cp.RemoveSkill():
                await reply(await _remove_skill(parsed, user, services))
            case cp.SetAvailable():
                await reply(await _available(user, services))
            case cp.SetAway():
                await reply(await _away(parsed, user, services))
            case cp.SetHours():
                await reply(await _hours(parsed, user, services))
            case cp.SetCap():
                await reply(await _cap(parsed, user, services))
            case cp.Snooze():
                await reply(await _snooze(parsed, user, services))
            case cp.SetAbout():
                await reply(await _about(parsed, user, services))
            case cp.ShowStatus():
                await reply(await _status(user, services))
            case cp.CancelRequest():
                await reply(await _cancel(user, services))
            case cp.ConnectCalendar():
                await reply(await calendar_replies.connect(parsed, user, services))
            case cp.DisconnectCalendar():
                await reply(await calendar_replies.disconnect(parsed, user, services))
            case cp.ShowCalendar():
                await reply(await calendar_replies.show(parsed, user, services))
            case cp.ShowUsage():
                await reply(_usage(parsed))
            case _:
                assert_never(parsed)


DELETE_CONFIRM = "delete_my_data_confirm"
DELETE_CANCEL = "delete_my_data_cancel"


def confirm_delete_blocks(user: str) -> list[b.Json]:
    """The confirmation carries whose data it deletes, so only that person's press counts."""
    return b.message(
        b.section(
            ":warning: This removes your profile and skills, cancels your open request, and strips your name and "
            "notes from past bursts (the team's totals keep their numbers). It can't be undone."
        ),
        b.actions(
            b.button("Yes, delete my data", DELETE_CONFIRM, user, "danger"),
            b.button("Keep it", DELETE_CANCEL, "no"),
        ),
    )


async def digest_reply(cmd: cp.ShowDigest, user: str, services: Services) -> dict[str, Any]:
    """Admins only: a preview (just for them) or posting now to the digest channel."""
    if not services.settings.is_admin(user):
        return {"text": "Sorry, only Burst admins can see or post the digest."}
    digest = services.digest
    if not cmd.post:
        preview = await digest.build()
        return {"text": digest_text(preview), "blocks": digest_blocks(preview)}
    if not services.settings.burst_digest_channel:
        return {"text": "No digest channel is configured (BURST_DIGEST_CHANNEL), so there is nowhere to post."}
    label = await digest.post(utcnow(), force=True)
    channel = services.settings.burst_digest_channel
    return {"text": f"Posted the digest to <#{channel}>." if label else "Slack refused the post."}


def register_confirmations(listen: Listeners, services: Services) -> None:
    @listen.action(DELETE_CONFIRM)
    async def confirmed(body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        if action.get("value") != body["user"]["id"]:
            await respond(
                text="Only the person who asked to delete their data can confirm it.", response_type=EPHEMERAL
            )
            return
        await services.privacy.forget(body["user"]["id"])
        await respond(
            text="Done: Burst has forgotten you. You can start again any time.",
            replace_original=True,
            response_type=EPHEMERAL,
        )

    @listen.action(DELETE_CANCEL)
    async def kept(respond: AsyncRespond) -> None:
        await respond(text="Nothing was deleted.", replace_original=True, response_type=EPHEMERAL)


# A pasted list can hold thousands of bad names; a reply lists the first few (Slack cuts messages at 40,000).
REJECTIONS_SHOWN = 10


def _usage(parsed: cp.ShowUsage) -> str:
    """The whole list when asked for; after a mistake, what was wrong, the line that helps, and where the rest is."""
    if parsed.problem is None:
        return cp.USAGE
    line = cp.USAGE_LINES.get(parsed.about or "")
    return f":warning: {parsed.problem}" + (f"\n{line}" if line and parsed.about else "") + f"\n{cp.ALL_COMMANDS}"


async def _show_skills(user: str, services: Services) -> str:
    profile = await services.profiles.profile(user)
    return f"{skills_line(profile)}\n{availability_line(profile)}"


async def _add_skills(cmd: cp.AddSkills, user: str, services: Services) -> str:
    change = await services.profiles.add_skills(user, [(s.name, s.level) for s in cmd.skills])
    lines = []
    if change.added:
        lines.append("Added " + ", ".join(f"*{escape(s)}*" for s in change.added) + ".")
    if change.updated:
        lines.append("Updated " + ", ".join(f"*{escape(s)}*" for s in change.updated) + ".")
    shown = change.rejected[:REJECTIONS_SHOWN]
    lines.extend(f":warning: {escape(r)}" for r in shown)
    if hidden := len(change.rejected) - len(shown):
        lines.append(f":warning: …and {hidden} more were skipped for the same kinds of reasons.")
    profile = await services.profiles.profile(user)
    lines.append(skills_line(profile))
    return "\n".join(lines)


async def _remove_skill(cmd: cp.RemoveSkill, user: str, services: Services) -> str:
    removed = await services.profiles.remove_skill(user, cmd.name)
    if removed is None:
        # No skill is longer than MAX_SKILL_LENGTH, so a longer name is echoed clipped (escaping can quadruple it).
        shown = escape(clip(cmd.name, MAX_SKILL_LENGTH + 1))
        return f"You don't have *{shown}* in your skills. `/burst skills` lists them."
    return f"Removed *{escape(removed)}*."


async def _available(user: str, services: Services) -> str:
    await services.profiles.set_available(user)
    return ":large_green_circle: You're available for pings again."


async def _away(cmd: cp.SetAway, user: str, services: Services) -> str:
    until = utcnow() + cmd.duration if cmd.duration else None
    await services.profiles.set_away(user, until)
    if until is None:
        return ":palm_tree: You're away until you say `/burst available`."
    return f":palm_tree: You're away until {local_time(until, with_date=True)}. Pings resume by themselves."


async def _hours(cmd: cp.SetHours, user: str, services: Services) -> str:
    member = await services.profiles.set_hours(user, cmd.hours)
    if cmd.hours is None:
        return "Working hours cleared: you may be pinged at any time."
    done = f":clock9: Working hours set to {cmd.hours} in your time zone ({escape(member.tz)})."
    if cmd.instead_of is not None:  # "9-5": say how it was read, and how to write the other reading
        done += f" For {cmd.instead_of} overnight instead, type it in 24-hour time: `/burst hours {cmd.instead_of}`."
    return done


async def _cap(cmd: cp.SetCap, user: str, services: Services) -> str:
    await services.profiles.set_cap(user, cmd.cap)
    return "Weekly cap removed." if cmd.cap is None else f"At most {plural(cmd.cap, 'burst')} a week for you."


async def _snooze(cmd: cp.Snooze, user: str, services: Services) -> str:
    member = await services.profiles.snooze(user, cmd.duration)
    assert member.snoozed_until is not None
    return f":zzz: Snoozed: no pings until {local_time(member.snoozed_until)}."


async def _about(cmd: cp.SetAbout, user: str, services: Services) -> str:
    if cmd.text is None:
        about = (await services.profiles.profile(user)).about
        if not about:
            return (
                "You haven't said what you can help with yet. `/burst about I can help with experiment design,"
                " sample sizes and A/B test readouts` tells me, in your own words."
            )
        return f"What you can help with, in your words: _{escape(about)}_ (`/burst about off` clears it)"
    try:
        about = await services.profiles.set_about(user, cmd.text)
    except ValueError as exc:
        return f":warning: {escape(str(exc))}"
    if not about:
        return "Cleared what you can help with. Your skills still count."
    return f"Saved. I'll also ask you about things like: _{escape(about)}_"


async def _status(user: str, services: Services) -> str:
    return status_text(await overview(services.db, user), user)


async def _cancel(user: str, services: Services) -> str:
    cancelled = await services.requests.cancel(user)
    if cancelled is None:
        return "You have no open request to cancel."
    return f"Cancelled your request about *{escape(cancelled.topic)}*."
