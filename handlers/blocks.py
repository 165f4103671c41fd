"""Block Kit builders for the messages Burst sends by DM: pings, progress, matches and session cards."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from handlers.mrkdwn import clip, escape, escape_within, mention, when
from storage.models import FlashSession, HelpRequest, PingState, SessionState, WantedLevel

Block = dict[str, Any]

PING_ACCEPT = "ping_accept"
PING_DECLINE = "ping_decline"
PING_SNOOZE = "ping_snooze"
PING_HAND_OFF = "ping_hand_off"  # a person picker: "Not me, try ..."
SESSION_EXTEND = "session_extend"
SESSION_END = "session_end"
ASK_AGAIN = "request_again"
REQUEST_CANCEL = "request_cancel"
FEEDBACK_YES = "feedback_helpful"
FEEDBACK_NO = "feedback_not_helpful"
FEEDBACK_NOTE = "feedback_note"
FOLLOWUP_SOLVED = "followup_solved"
FOLLOWUP_STUCK = "followup_stuck"
WHICH_SKILL = "which_skill"  # + the option's number: action ids are unique within a message
WHICH_NONE = "which_none"
FIND_ANOTHER = "followup_find_another"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        b["style"] = style
    return b


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def minutes(seconds: int) -> str:
    """Session lengths read in minutes; sub-minute lengths only happen in tests and demos."""
    if seconds < 60:
        return f"{seconds} s"
    return f"{round(seconds / 60)} min"


def asker(request: HelpRequest) -> str:
    return "Someone" if request.anonymous else mention(request.requester_id)


def ping_text(request: HelpRequest) -> str:
    return f"{asker(request)} needs help with {escape(request.topic)} ({minutes(request.length_seconds)})"


def ping_blocks(request: HelpRequest, ping_id: int, reason: str) -> list[Block]:
    blocks = [section(f":raising_hand: {asker(request)} needs help with *{escape(request.topic)}*")]
    if request.details:
        blocks.append(section(f">{escape_within(request.details, 1500)}"))
    facts = f"About {minutes(request.length_seconds)}"
    if request.level != WantedLevel.ANY:
        facts += f" · asked for an {request.level}" if request.level == WantedLevel.EXPERT else " · asked for a peer"
    if request.anonymous:
        facts += " · you'll see who asked once you accept"
    if reason:
        facts += f" · why you: {escape(reason)}"
    blocks.append(context(facts))
    value = str(ping_id)
    blocks.append(
        actions(
            button("Accept", PING_ACCEPT, value, "primary"),
            button("Decline", PING_DECLINE, value),
            button("Snooze 1h", PING_SNOOZE, value),
            {
                "type": "users_select",
                "action_id": PING_HAND_OFF,
                "placeholder": {"type": "plain_text", "text": "Not me, try…"},
            },
            block_id=f"ping:{ping_id}",
        )
    )
    return blocks


def ask_which_text(request: HelpRequest) -> str:
    return f"Did you mean {' or '.join(escape(s) for s in request.skills)}? Pick one and I'll find someone."


def ask_which_blocks(request: HelpRequest) -> list[Block]:
    """ "Did you mean ...?": a button per skill the topic might be about, and one for none of them."""
    options = [button(skill, f"{WHICH_SKILL}_{n}", f"{request.id}:{skill}") for n, skill in enumerate(request.skills)]
    return [
        section(
            f":thinking_face: I'm not sure who can help with *{escape(request.topic)}*. Did you mean one of these? "
            "I'll ask people who know it."
        ),
        actions(*options, button("None of these", WHICH_NONE, str(request.id)), block_id=f"which:{request.id}"),
    ]


def which_answered_blocks(request: HelpRequest, skill: str | None) -> list[Block]:
    if skill is None:
        return [section(f"Got it: nobody here lists *{escape(request.topic)}* yet. I've noted it for the team.")]
    return [section(f":mag: Looking for someone who knows *{escape(skill)}* to help with *{escape(request.topic)}*.")]


PING_OUTCOMES = {
    PingState.ACCEPTED: ":white_check_mark: You accepted. Your session details are in your messages.",
    PingState.TAKEN: ":handshake: Someone else picked this up. Thanks for being there!",
    PingState.EXPIRED: ":hourglass: This request has closed.",
    PingState.DECLINED: "You declined. No worries!",
    PingState.SNOOZED: ":zzz: Snoozed: no pings for an hour.",
}


def ping_closed_blocks(request: HelpRequest, outcome: PingState) -> list[Block]:
    who = asker(request) if outcome != PingState.ACCEPTED else mention(request.requester_id)
    return [
        section(f"{who} needed help with *{escape(request.topic)}*"),
        context(PING_OUTCOMES.get(outcome, "This request has closed.")),
    ]


def time_left(seconds: float) -> str:
    """Whole minutes, rounded up: "3 min left" from 2:01 to 3:00, so a warning never says 0 while time remains."""
    if seconds < 60:
        return "less than a minute left"
    return f"{math.ceil(seconds / 60)} min left"


def status_blocks(text: str, cancel: int | None = None) -> list[Block]:
    """The requester's one status message; a Cancel button (carrying the request id) while the search goes on."""
    blocks = [section(text)]
    if cancel is not None:
        blocks.append(actions(button("Cancel", REQUEST_CANCEL, str(cancel)), block_id=f"request:{cancel}"))
    return blocks


def session_intro(request: HelpRequest, flash: FlashSession, viewer: str | None) -> str:
    """Who helps whom and where to talk: here, in a group DM; or, in each one's own DM with Burst, directly."""
    topic, mentor, requester = escape(request.topic), mention(flash.mentor_id), mention(request.requester_id)
    if viewer == request.requester_id:
        return (
            f":wave: {mentor} is helping you with *{topic}*. Only you and Burst see this DM: "
            f"message {mentor} directly to start."
        )
    if viewer == flash.mentor_id:
        return (
            f":wave: You're helping {requester} with *{topic}*. Only you and Burst see this DM: "
            f"message {requester} directly to start."
        )
    return f":wave: {mentor} is helping {requester} with *{topic}*. Say hello here!"


def session_card(
    request: HelpRequest,
    flash: FlashSession,
    *,
    extension: timedelta,
    max_extensions: int,
    viewer: str | None = None,
) -> list[Block]:
    """The session in one message: who, where to talk, the real end (extensions included), Extend while it can.

    The end time is Slack's date formatting, which each reader's client shows in their own zone and keeps current,
    so the card is edited only when what it shows changes (an extension, the end), never to count down.
    """
    ends = flash.ends_at.timestamp()
    length = round((flash.ends_at - flash.started_at).total_seconds())
    if flash.state == SessionState.ACTIVE:
        status = f"Ends at {when(ends, flash.ends_at.strftime('%H:%M UTC'))} · {minutes(length)}"
        if flash.extensions:
            status += " in all, extended " + ("once" if flash.extensions == 1 else f"{flash.extensions} times")
        elements = [button(f"Extend {minutes(round(extension.total_seconds()))}", SESSION_EXTEND, str(flash.id))]
        if flash.extensions >= max_extensions:
            elements = []
        elements.append(button("End", SESSION_END, str(flash.id), "danger"))
        controls = [actions(*elements, block_id=f"session:{flash.id}")]
    else:
        status = f"Session ended · {minutes(length)}"
        controls = []
    details = f"\n>{escape_within(request.details, 1500)}" if request.details else ""
    intro = session_intro(request, flash, viewer)
    return [
        section(f":zap: *Flash session* on *{escape(request.topic)}*\n{intro}{details}"),
        context(status),
        *controls,
    ]


def session_text(request: HelpRequest, flash: FlashSession) -> str:
    """The card's notification text: who helps whom."""
    return (
        f"Flash session on {escape(request.topic)}: {mention(flash.mentor_id)} is helping "
        f"{mention(request.requester_id)}"
    )


def ask_again(topic: str) -> Block:
    return actions(button("Ask again", ASK_AGAIN, topic[:2000]))


def feedback_prompt(flash: FlashSession, viewer: str | None = None) -> list[Block]:
    """Each person their own question: the asker whether it helped, the mentor how it went for them."""
    value = str(flash.id)
    if viewer == flash.mentor_id:
        question, yes = "Quick feedback: did it go well for you?", ":thumbsup: Went well"
    elif viewer == flash.requester_id:
        question, yes = "Quick feedback: was it helpful?", ":thumbsup: Helpful"
    else:
        question, yes = "Quick feedback, each of you: did it go well?", ":thumbsup: Went well"
    return [
        context(question),
        actions(
            button(yes, FEEDBACK_YES, value, "primary"),
            button("Not really", FEEDBACK_NO, value),
            button("Add a note", FEEDBACK_NOTE, value),
            block_id=f"feedback:{flash.id}",
        ),
    ]


def followup_buttons(flash: FlashSession) -> Block:
    value = str(flash.id)
    return actions(
        button(":white_check_mark: Solved", FOLLOWUP_SOLVED, value, "primary"),
        button("Still stuck", FOLLOWUP_STUCK, value),
        block_id=f"followup:{flash.id}",
    )


def ago(seconds: float) -> str:
    """How long since, as people say it: "an hour", "a day", "3 days", "a week" (minutes in tests and demos)."""
    minutes_, hours, days = round(seconds / 60), round(seconds / 3600), round(seconds / 86400)
    if seconds < 3600:
        return "a few minutes" if minutes_ < 2 else f"{minutes_} minutes"
    if seconds < 86400 - 1800:
        return "an hour" if hours == 1 else f"{hours} hours"
    if days == 7:
        return "a week"
    return "a day" if days == 1 else f"{days} days"


def followup_text(request: HelpRequest, flash: FlashSession, index: int, since: float) -> str:
    """Each check-back worded for its moment: the first asks whether it stuck, a later one whether it is sorted."""
    topic, mentor, when_ = escape(request.topic), mention(flash.mentor_id), ago(since)
    if index == 0:
        return f":wave: {when_.capitalize()} after your session with {mentor} on *{topic}*: did it stick?"
    return f":calendar: {when_.capitalize()} on from your session on *{topic}*: is it sorted now?"


def followup_answered(topic: str, outcome: str, session_id: int, latest: bool) -> list[Block]:
    """A follow-up once answered: the choice, and on the newest, Find someone else after Still stuck."""
    if outcome == "solved":
        return [section(f":tada: You said *{escape(topic)}* is solved. Glad to hear it!")]
    blocks = [section(f"You said you're still stuck on *{escape(topic)}*.")]
    if latest:
        again = button("Find someone else", FIND_ANOTHER, str(session_id), "primary")
        blocks.append(actions(again, block_id=f"again:{session_id}"))
    return blocks
