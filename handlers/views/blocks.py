"""Writing for Slack: user text escaped into mrkdwn, Slack's encoding read back, counts in words, and Block Kit for
everything Burst shows.

Text. User text is escaped so nobody can inject `<!channel>` or a fake mention. Also the way back: Slack's own
encoding of a message (`&lt;`, `<@U123|ana>`, `<https://x|a link>`) decoded into what the person saw, and mrkdwn
turned into plain text for the places Slack shows as typed (a form's errors). Counts are said in words, with the noun
that agrees ("1 person", "2 people", "1 session", "0 sessions"): one helper for every message, so no reply says
"1 sessions" or "session(s)".

Block Kit: slack_sdk's models, a few helpers to build them, the DM layouts. Messages and views are made of slack_sdk's
Block Kit model objects and become the Web API's JSON in one place, `message` or `modal`/`home` below. Their `to_dict`
runs the models' validators (lengths, counts, styles, nested ones included), so a layout that breaks one of Slack's
limits fails where it is built, not as Slack's `invalid_blocks` after the fact. What people typed can be any length,
so the helpers clip it deliberately (with an ellipsis, never through an `&amp;` or a `<@U123>`): a topic is never too
long to show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    InputInteractiveElement,
    InteractiveElement,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from storage.models import FlashSession, HelpRequest, PingState, SessionState, WantedLevel

Json = dict[str, Any]
"""A block or a view as the Web API takes it: what `message`, `modal` and `home` return, validated."""

MESSAGE_BLOCKS = 50  # chat.postMessage's limit on blocks: a message has no model to check it
INPUT_TEXT = 3000  # the most a plain_text_input holds, pre-filled text included (its max_length, if less)
SECTION_LIMIT = 3000  # characters in a section's text
BUTTON_LIMIT = 75

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


# --- text: user text into mrkdwn and back, counts in words -----------------------------------------------


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# "@here" typed as a plain word: Slack may still read it as a broadcast (a client's or a workflow's link_names), so a
# word joiner goes after the @ and the word reads the same but notifies nobody.
_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_TOKEN = re.compile(r"<([^<>]*)>")


def escape(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060\\1", escaped)


def escape_within(text: str, limit: int) -> str:
    """User text escaped into at most `limit` characters: trimmed before escaping, so no `&amp;` is cut in half."""
    if len(escape(text)) <= limit:
        return escape(text)
    room = limit - 1  # for the ellipsis
    used = 0
    for end, char in enumerate(text):
        used += len(_ENTITIES.get(char, char))
        if used > room:
            return escape(text[:end]) + "…"
    return escape(text)


def _decoded_token(token: str) -> str:
    target, _, label = token.partition("|")
    if target.startswith(("@", "#")):
        return target[0] + label if label else target
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        if label:
            return label
        return f"@{name}" if name in ("here", "channel", "everyone") else ""
    return label or target


def from_slack(text: str) -> str:
    """A message as Slack stores it (mentions, links and `&lt;` encoded) as the person saw it."""
    decoded = _TOKEN.sub(lambda m: _decoded_token(m.group(1)), text)
    return decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(mrkdwn: str) -> str:
    """What a mrkdwn line says, for a field Slack shows as typed: bold, italics and code marks gone, `&lt;` as `<`."""
    text = re.sub(r"`([^`]*)`", r"\1", mrkdwn)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"\1", text)
    return from_slack(text)


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    """At most `limit` characters, never cutting through an entity (`&amp;`) or a token (`<@U123>`)."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    for opener, closer in (("&", ";"), ("<", ">")):
        start = text.rfind(opener, 0, cut)
        if start != -1 and closer not in text[start:cut]:
            cut = start
    return text[:cut] + "…"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def when(at_epoch: float, fallback: str) -> str:
    """A time each reader sees in their own zone."""
    return f"<!date^{int(at_epoch)}^{{time}}|{fallback}>"


def local_time(at: datetime, *, with_date: bool = False) -> str:
    """`at` as each reader's own clock shows it ("Tue, Nov 24 at 09:30" with the date), UTC where Slack can't."""
    if not with_date:
        return when(at.timestamp(), f"{at:%H:%M} UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def plural(count: int, one: str, many: str | None = None) -> str:
    """`count` and the noun that agrees with it; `many` defaults to `one` + "s"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


# --- the models, built alike everywhere ------------------------------------------------------------------


def plain(text: str, *, emoji: bool | None = None) -> PlainTextObject:
    """Plain text, spelt out: slack_sdk turns a bare string into `emoji: true` text, or into mrkdwn where
    Slack wants plain text (a placeholder)."""
    return PlainTextObject(text=text, emoji=emoji)


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text)))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text))])


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=plain(text))


def divider() -> DividerBlock:
    return DividerBlock()


def button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    label = text if len(text) <= BUTTON_LIMIT else text[: BUTTON_LIMIT - 1] + "…"
    return ButtonElement(text=plain(label, emoji=True), action_id=action_id, value=value, style=style)


def actions(*elements: InteractiveElement, block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=elements, block_id=block_id)


def person_picker(action_id: str, placeholder: str) -> UserSelectElement:
    return UserSelectElement(action_id=action_id, placeholder=plain(placeholder))


def option(text: str, value: str) -> Option:
    return Option(value=value, text=plain(text))


def text_input(
    action_id: str, initial: str = "", *, max_length: int | None = None, multiline: bool | None = None
) -> PlainTextInputElement:
    """A text field, pre-filled with at most what it can hold (what Slack will not take is cut, not refused)."""
    return PlainTextInputElement(
        action_id=action_id,
        initial_value=initial[: min(max_length or INPUT_TEXT, INPUT_TEXT)] or None,
        multiline=multiline,
        max_length=max_length,
    )


def select(action_id: str, options: Sequence[Option], initial: Option) -> StaticSelectElement:
    return StaticSelectElement(action_id=action_id, options=options, initial_option=initial)


def radio_buttons(action_id: str, options: Sequence[Option], initial: Option | None = None) -> RadioButtonsElement:
    return RadioButtonsElement(action_id=action_id, options=options, initial_option=initial)


def checkboxes(action_id: str, options: Sequence[Option], initial: Sequence[Option] = ()) -> CheckboxesElement:
    return CheckboxesElement(action_id=action_id, options=options, initial_options=list(initial) or None)


def field(
    block_id: str,
    label: str,
    element: InputInteractiveElement,
    *,
    optional: bool | None = None,
    hint: str | None = None,
) -> InputBlock:
    """One input of a form; its value comes back under `block_id`."""
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        element=element,
        optional=optional,
        hint=None if hint is None else plain(hint),
    )


# --- the one way to the Web API's JSON ---------------------------------------------------------------------


def message(*blocks: Block) -> list[Json]:
    """A message's blocks as JSON, each checked against Slack's limits by its model."""
    if len(blocks) > MESSAGE_BLOCKS:
        raise SlackObjectFormationError(f"a message holds at most {MESSAGE_BLOCKS} blocks, not {len(blocks)}")
    return [block.to_dict() for block in blocks]


def modal(
    callback_id: str,
    title: str,
    blocks: Iterable[Block],
    *,
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str | None = None,
) -> Json:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain(title),
        submit=None if submit is None else plain(submit),
        close=None if close is None else plain(close),
        private_metadata=private_metadata,
        blocks=list(blocks),
    )
    return view.to_dict()


def home(blocks: Iterable[Block]) -> Json:
    return View(type="home", blocks=list(blocks)).to_dict()


# --- the DM layouts --------------------------------------------------------------------------------------


def minutes(seconds: int) -> str:
    """Session lengths read in minutes; sub-minute lengths only happen in tests and demos."""
    if seconds < 60:
        return f"{seconds} s"
    return f"{round(seconds / 60)} min"


def asker(request: HelpRequest) -> str:
    return "Someone" if request.anonymous else mention(request.requester_id)


def ping_text(request: HelpRequest) -> str:
    return f"{asker(request)} needs help with {escape(request.topic)} ({minutes(request.length_seconds)})"


def ping_blocks(request: HelpRequest, ping_id: int, reason: str) -> list[Json]:
    blocks: list[Block] = [section(f":raising_hand: {asker(request)} needs help with *{escape(request.topic)}*")]
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
            person_picker(PING_HAND_OFF, "Not me, try…"),
            block_id=f"ping:{ping_id}",
        )
    )
    return message(*blocks)


def ask_which_text(request: HelpRequest) -> str:
    return f"Did you mean {' or '.join(escape(s) for s in request.skills)}? Pick one and I'll find someone."


def ask_which_blocks(request: HelpRequest) -> list[Json]:
    """ "Did you mean ...?": a button per skill the topic might be about, and one for none of them."""
    options = [button(skill, f"{WHICH_SKILL}_{n}", f"{request.id}:{skill}") for n, skill in enumerate(request.skills)]
    return message(
        section(
            f":thinking_face: I'm not sure who can help with *{escape(request.topic)}*. Did you mean one of these? "
            "I'll ask people who know it."
        ),
        actions(*options, button("None of these", WHICH_NONE, str(request.id)), block_id=f"which:{request.id}"),
    )


def which_answered_blocks(request: HelpRequest, skill: str | None) -> list[Json]:
    if skill is None:
        return message(section(f"Got it: nobody here lists *{escape(request.topic)}* yet. I've noted it for the team."))
    return message(
        section(f":mag: Looking for someone who knows *{escape(skill)}* to help with *{escape(request.topic)}*.")
    )


PING_OUTCOMES = {
    PingState.ACCEPTED: ":white_check_mark: You accepted. Your session details are in your messages.",
    PingState.TAKEN: ":handshake: Someone else picked this up. Thanks for being there!",
    PingState.EXPIRED: ":hourglass: This request has closed.",
    PingState.DECLINED: "You declined. No worries!",
    PingState.SNOOZED: ":zzz: Snoozed: no pings for an hour.",
}


def ping_closed_blocks(request: HelpRequest, outcome: PingState) -> list[Json]:
    who = asker(request) if outcome != PingState.ACCEPTED else mention(request.requester_id)
    return message(
        section(f"{who} needed help with *{escape(request.topic)}*"),
        context(PING_OUTCOMES.get(outcome, "This request has closed.")),
    )


def time_left(seconds: float) -> str:
    """Whole minutes, rounded up: "3 min left" from 2:01 to 3:00, so a warning never says 0 while time remains."""
    if seconds < 60:
        return "less than a minute left"
    return f"{math.ceil(seconds / 60)} min left"


def status_blocks(text: str, cancel: int | None = None, again: str | None = None) -> list[Json]:
    """The requester's one status message; a Cancel button (carrying the request id) while the search goes on,
    Ask again (carrying the topic) once it ended with nobody."""
    blocks: list[Block] = [section(text)]
    if cancel is not None:
        blocks.append(actions(button("Cancel", REQUEST_CANCEL, str(cancel)), block_id=f"request:{cancel}"))
    if again is not None:
        blocks.append(ask_again(again))
    return message(*blocks)


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
) -> list[Json]:
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
    return message(
        section(f":zap: *Flash session* on *{escape(request.topic)}*\n{intro}{details}"),
        context(status),
        *controls,
    )


def session_text(request: HelpRequest, flash: FlashSession) -> str:
    """The card's notification text: who helps whom."""
    return (
        f"Flash session on {escape(request.topic)}: {mention(flash.mentor_id)} is helping "
        f"{mention(request.requester_id)}"
    )


def ask_again(topic: str) -> ActionsBlock:
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


def followup_buttons(flash: FlashSession) -> ActionsBlock:
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


def followup_answered(topic: str, outcome: str, session_id: int, latest: bool) -> list[Json]:
    """A follow-up once answered: the choice, and on the newest, Find someone else after Still stuck."""
    if outcome == "solved":
        return message(section(f":tada: You said *{escape(topic)}* is solved. Glad to hear it!"))
    blocks: list[Block] = [section(f"You said you're still stuck on *{escape(topic)}*.")]
    if latest:
        again = button("Find someone else", FIND_ANOTHER, str(session_id), "primary")
        blocks.append(actions(again, block_id=f"again:{session_id}"))
    return message(*blocks)
