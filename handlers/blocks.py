"""Block Kit builders for the messages Burst sends by DM: pings, progress, matches and session cards."""

from __future__ import annotations

from typing import Any

from handlers.mrkdwn import clip, escape, escape_within, mention, when
from storage.models import FlashSession, HelpRequest, PingState

Block = dict[str, Any]

PING_ACCEPT = "ping_accept"
PING_DECLINE = "ping_decline"
PING_SNOOZE = "ping_snooze"
PING_HAND_OFF = "ping_hand_off"  # a person picker: "Not me, try ..."
SESSION_EXTEND = "session_extend"
SESSION_END = "session_end"
ASK_AGAIN = "request_again"
FEEDBACK_YES = "feedback_helpful"
FEEDBACK_NO = "feedback_not_helpful"
FEEDBACK_NOTE = "feedback_note"
FOLLOWUP_SOLVED = "followup_solved"
FOLLOWUP_STUCK = "followup_stuck"
WHICH_SKILL = "which_skill"  # + the option's number: action ids are unique within a message
WHICH_NONE = "which_none"


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
    if request.level != "any":
        facts += f" · asked for an {request.level}" if request.level == "expert" else " · asked for a peer"
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


def ping_closed_blocks(request: HelpRequest, outcome: str) -> list[Block]:
    who = asker(request) if outcome != PingState.ACCEPTED else mention(request.requester_id)
    return [
        section(f"{who} needed help with *{escape(request.topic)}*"),
        context(PING_OUTCOMES.get(outcome, "This request has closed.")),
    ]


def session_card(request: HelpRequest, flash: FlashSession) -> list[Block]:
    """The one message of a session: who helps whom with what, until when, and its buttons.

    The end time is Slack's date formatting, which each reader's client shows in their own zone and keeps current,
    so the card is edited only when what it shows changes (an extension, the end), never to count down.
    """
    ends = flash.ends_at.timestamp()
    if flash.state == "active":
        status = f"Ends at {when(ends, flash.ends_at.strftime('%H:%M UTC'))}"
        if flash.extensions:
            status += f" · extended {flash.extensions}x"
        controls = [
            actions(
                button("Extend 10 min", SESSION_EXTEND, str(flash.id)),
                button("End", SESSION_END, str(flash.id), "danger"),
                block_id=f"session:{flash.id}",
            )
        ]
    else:
        status = "Session ended"
        controls = []
    return [section(f":zap: *Flash session*\n{intro_text(request, flash)}"), context(status), *controls]


def intro_text(request: HelpRequest, flash: FlashSession) -> str:
    details = f"\n>{escape_within(request.details, 1500)}" if request.details else ""
    return (
        f":wave: {mention(flash.mentor_id)} is helping {mention(request.requester_id)} with "
        f"*{escape(request.topic)}* for {minutes(flash.length_seconds)}. Say hello here!{details}"
    )


def ask_again(topic: str) -> Block:
    return actions(button("Ask again", ASK_AGAIN, topic[:2000]))


def feedback_prompt(flash: FlashSession) -> list[Block]:
    value = str(flash.id)
    return [
        context("Quick feedback, each of you: was it helpful?"),
        actions(
            button(":thumbsup: Helpful", FEEDBACK_YES, value, "primary"),
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
