"""The Slack side of the domain's ports (bot.runtime.ports): Web API calls, the clients they go out on, and the Block
Kit they carry.

Slack calls give up their work slot while they wait: Web API calls and `respond()`. Waiting on the network is not
work: a call to real Slack takes a tenth of a second, a 429 may ask for thirty, and a slot held meanwhile would leave
the process idle with work queued. Every Web API call goes through `GatedWebClient.api_call`, and Bolt hands listeners
the `respond` it finds in the request's context (`gated_respond`), so these two cover every call Burst makes, a
listener's or a timer's.

Slack failures are logged and reported as "no message" rather than raised: the database already holds the truth,
and a ping that could not be delivered is recorded as failed by the service. A failure is anything a call can end
in once the client's retries are spent: Slack's refusal, an answer that is not Slack's JSON (a 500 page), or no
answer at all (a dropped connection, a timeout).
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import structlog
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook import WebhookResponse

from bot.runtime.ports import MessageRef, UserProfile, redelivering
from bot.runtime.work_gate import WorkGate
from bot.services.digest import Digest
from bot.services.digest_chart import render_chart
from bot.services.sessions import EXTENSION, MAX_EXTENSIONS
from handlers.views import blocks as b
from handlers.views.blocks import escape, local_time, mention, plural, when
from handlers.views.digest_blocks import chart_alt_text, digest_blocks, digest_markdown, digest_text
from storage.models import FlashSession, HelpRequest, PingState, utcnow

log = structlog.get_logger(__name__)

SLACK_FAILURES = (SlackClientError, aiohttp.ClientError, TimeoutError)


def reply_lost(exc: Exception) -> bool:
    """Slack may have acted on a call that failed this way: a 5xx, or a connection dropped or timed out after the
    request went out. A refusal (ok: false) or a 429 says it did not."""
    if isinstance(exc, SlackApiError):
        return int(exc.response.status_code) >= 500
    return isinstance(exc, aiohttp.ClientError | TimeoutError)


def why(exc: Exception) -> str:
    """Slack's error code when it answered with one, else what the failure was."""
    if isinstance(exc, SlackApiError) and isinstance(exc.response.data, dict):
        return str(exc.response.data.get("error"))
    if isinstance(exc, SlackApiError):
        return f"HTTP {exc.response.status_code}"
    return repr(exc)[:200]


Counted = Callable[[str], None]  # told a Web API method's name (operational metrics, bot.runtime.metrics)


class GatedWebClient(AsyncWebClient):
    def __init__(self, *, gate: WorkGate, on_call: Counted | None, on_429: Counted | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.on_call, self.on_429 = on_call, on_429

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if self.on_call is not None:
            self.on_call(api_method)
        try:
            async with self.gate.outside():
                return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            # A 429 the retries gave up on (those retried are counted by CountingRateLimitHandler).
            if exc.response.status_code == 429 and self.on_429 is not None:
                self.on_429(api_method)
            raise


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """Slack's 429s, retried after Retry-After as the stock handler does, each told to `on_429` first."""

    def __init__(self, on_429: Counted, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_429 = on_429

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if limited:
            self.on_429(request.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
        return limited


def rate_limit_handler(on_429: Counted | None, max_retry_count: int) -> AsyncRetryHandler:
    if on_429 is None:
        return AsyncRateLimitErrorRetryHandler(max_retry_count=max_retry_count)
    return CountingRateLimitHandler(on_429, max_retry_count=max_retry_count)


class GatedRespond(AsyncRespond):
    def __init__(self, context: AsyncBoltContext, gate: WorkGate) -> None:
        client = context.client
        super().__init__(
            response_url=context.response_url,
            proxy=client.proxy if client is not None else None,
            ssl=client.ssl if client is not None else None,
        )
        self.gate = gate

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        async with self.gate.outside():
            return await super().__call__(*args, **kwargs)


def gated_respond(gate: WorkGate) -> Any:
    """A global middleware: the `respond` listeners get gives up its slot while it waits."""

    async def middleware(context: AsyncBoltContext, next: Any) -> BoltResponse | None:
        if context.response_url is not None:
            context["respond"] = GatedRespond(context, gate)
        response: BoltResponse | None = await next()
        return response

    return middleware


DIRECTORY_PAGE = 200  # users.list's recommended page size
STAMP = "burst:"
"""Prefix of the block_id that names each message Burst owes (e.g. "burst:ping:12"), so a step that runs again
after a crash can look for it in the channel before posting it twice (bot.runtime.ports.redelivering)."""
CARD_CHANGES = ("extended", "ended")  # what changes a session card: its end time, its buttons
KEYED_RETRIES = 6  # as many as the client gives any other call (bot.entrypoints.app.ERROR_RETRIES)
KEYED_BACKOFF = 0.5  # seconds before the first look and resend, doubling, plus up to as much again of jitter
LOOKBACK_PAGES = 5  # of conversations.history: 1,000 messages back is far beyond any step's lifetime


def next_cursor(page: Any) -> str | None:
    """Where a paged Web API answer (users.list, conversations.history) goes on; None on its last page."""
    return (page.get("response_metadata") or {}).get("next_cursor") or None


def stamped(blocks: list[b.Json], key: str) -> list[b.Json]:
    """The blocks with the first one carrying the message's key (Slack keeps block_ids, on updates too)."""
    first, *rest = blocks
    return [{**first, "block_id": STAMP + key}, *rest]


def stamp_of(message: dict[str, Any]) -> str | None:
    for block in message.get("blocks") or []:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(STAMP):
            return block_id[len(STAMP) :]
    return None


def is_user(channel: str) -> bool:
    """A user id (U..., or W... on Enterprise Grid) where a channel id goes: Slack then posts to the app's DM."""
    return channel.startswith(("U", "W"))


def _profile_of(user: dict[str, Any]) -> UserProfile:
    name = user.get("real_name") or user.get("profile", {}).get("real_name") or user.get("name") or user["id"]
    return UserProfile(name=str(name), tz=str(user.get("tz") or "UTC"))


def clicked_message(body: dict[str, Any]) -> MessageRef | None:
    """The message whose button was pressed, from an interaction payload."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return MessageRef(channel, ts) if channel and ts else None


class SlackGateway:
    """Implements bot.runtime.ports.Notifier and bot.runtime.ports.Directory."""

    def __init__(self, client: AsyncWebClient, gate: WorkGate | None = None, extension: timedelta = EXTENSION) -> None:
        self.client = client
        self.extension = extension  # what the session cards' Extend adds (bot.services.sessions.extension_for)
        # A backoff between a keyed post's attempts waits outside the work gate, as the client's own retries do:
        # holding the one slot for it would stall every other piece of work in the process.
        self._pause = gate.sleep if gate is not None else asyncio.sleep
        # Keyed posts retry themselves (`_post_keyed`): a blind resend after a lost reply would post twice. This
        # client shares the other's connections and work gate, and retries only 429s, which Slack did not act on.
        self._keyed = copy.copy(client)
        self._keyed.retry_handlers = [
            h for h in client.retry_handlers if isinstance(h, AsyncRateLimitErrorRetryHandler)
        ]
        # Each person's DM with Burst, learnt from the answers to posts addressed to them (no conversations.open,
        # a Tier 3 method, per message); needed only to read a DM's history or update a message in it.
        self._dm_channels: dict[str, str] = {}

    # --- plumbing -----------------------------------------------------------------------------------------

    async def _dm_channel(self, user_id: str) -> str | None:
        if known := self._dm_channels.get(user_id):
            return known
        try:
            opened = await self.client.conversations_open(users=user_id)
        except SLACK_FAILURES as exc:
            log.warning("conversations.open failed", user=user_id, error=why(exc))
            return None
        self._dm_channels[user_id] = channel = str(opened["channel"]["id"])
        return channel

    async def post(
        self, channel: str, text: str, blocks: list[b.Json] | None = None, key: str | None = None
    ) -> MessageRef | None:
        """Post a message (`channel` may be a user id: their DM with Burst); with a key, one Slack already has (a step
        running again after a crash) is not re-posted."""
        if key is not None:
            blocks = stamped(blocks or b.message(b.section(text)), key)
            if redelivering.get() and (found := await self._look_for(channel, key)):
                return found
            return await self._post_keyed(channel, text, blocks, key)
        try:
            sent = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SLACK_FAILURES as exc:
            log.warning("chat.postMessage failed", channel=channel, error=why(exc))
            return None
        return self._sent(channel, sent)

    async def _post_keyed(self, channel: str, text: str, blocks: list[b.Json], key: str) -> MessageRef | None:
        """Post, and when the answer is lost (Slack may have posted it), look for the key before posting again."""
        for attempt in range(KEYED_RETRIES + 1):
            try:
                sent = await self._keyed.chat_postMessage(channel=channel, text=text, blocks=blocks)
                return self._sent(channel, sent)
            except SLACK_FAILURES as exc:
                if not reply_lost(exc) or attempt == KEYED_RETRIES:
                    log.warning("chat.postMessage failed", channel=channel, key=key, error=why(exc))
                    return None
            pause = KEYED_BACKOFF * 2**attempt
            await self._pause(pause + random.uniform(0, pause))  # jitter: processes retrying at once spread out
            if found := await self._look_for(channel, key):
                return found
        return None

    async def _look_for(self, channel: str, key: str) -> MessageRef | None:
        where = await self._dm_channel(channel) if is_user(channel) else channel
        return None if where is None else await self._find(where, key)

    def _sent(self, channel: str, sent: Any) -> MessageRef:
        if is_user(channel):
            self._dm_channels[channel] = str(sent["channel"])
        return MessageRef(str(sent["channel"]), str(sent["ts"]))

    async def _find(self, channel: str, key: str) -> MessageRef | None:
        """The message stamped `key` in the channel's recent history, if Burst posted it already."""
        return (await self._find_all(channel, lambda found: found == key)).get(key)

    async def _find_all(self, channel: str, wanted: Callable[[str], bool]) -> dict[str, MessageRef]:
        """The messages whose key is `wanted` in the channel's recent history (key -> where, newest first)."""
        found: dict[str, MessageRef] = {}
        cursor: str | None = None
        for _ in range(LOOKBACK_PAGES):
            try:
                page = await self.client.conversations_history(channel=channel, limit=200, cursor=cursor)
            except SLACK_FAILURES as exc:
                # Not knowing, post: a message twice is better than a person never told (the next step needs it).
                log.warning("conversations.history failed", channel=channel, error=why(exc))
                return found
            for message in page.get("messages") or []:
                if (key := stamp_of(message)) and wanted(key):
                    found.setdefault(key, MessageRef(channel, str(message["ts"])))
            cursor = next_cursor(page)
            if not page.get("has_more") or cursor is None:
                return found
        return found

    async def dm(
        self, user_id: str, text: str, blocks: list[b.Json] | None = None, key: str | None = None
    ) -> MessageRef | None:
        return await self.post(user_id, text, blocks, key)

    async def update(self, ref: MessageRef, text: str, blocks: list[b.Json], key: str | None = None) -> None:
        if key is not None:
            blocks = stamped(blocks, key)
        try:
            await self.client.chat_update(channel=ref.channel, ts=ref.ts, text=text, blocks=blocks)
        except SLACK_FAILURES as exc:
            log.warning("chat.update failed", channel=ref.channel, error=why(exc))

    async def ephemeral(self, channel: str, user_id: str, text: str, blocks: list[b.Json] | None = None) -> None:
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
        except SLACK_FAILURES as exc:
            log.info("ephemeral failed, sending a DM instead", error=why(exc))
            await self.dm(user_id, text, blocks)

    async def tell_clicker(self, body: dict[str, Any], text: str) -> None:
        """Answer whoever pressed a button, just for them, where they pressed it."""
        channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
        await self.ephemeral(channel, body["user"]["id"], text)

    async def open_view(self, trigger_id: str, view: b.Json, user_id: str) -> bool:
        """Open a modal; when Slack refuses (an expired trigger, say), tell the person how else to do it."""
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
            return True
        except SLACK_FAILURES as exc:
            log.warning("views.open failed", error=why(exc))
            await self.dm(
                user_id,
                "Sorry, Slack wouldn't open the form just now. Try again, or type `/burst help <topic>`.",
            )
            return False

    # --- Directory ----------------------------------------------------------------------------------------

    async def profile(self, user_id: str) -> UserProfile | None:
        try:
            info = await self.client.users_info(user=user_id)
        except SLACK_FAILURES as exc:
            log.warning("users.info failed", user=user_id, error=why(exc))
            return None
        return _profile_of(info["user"])

    async def everyone(self) -> AsyncIterator[dict[str, UserProfile]]:
        cursor: str | None = None
        while True:
            try:
                page = await self.client.users_list(limit=DIRECTORY_PAGE, cursor=cursor)
            except SLACK_FAILURES as exc:  # a refusal, a 500 page that is not JSON, or no answer at all
                log.warning("users.list failed", error=why(exc))
                return
            members: list[dict[str, Any]] = page.get("members") or []
            yield {str(u["id"]): _profile_of(u) for u in members if not u.get("deleted") and not u.get("is_bot")}
            cursor = next_cursor(page)
            if cursor is None:
                return

    # --- Notifier -----------------------------------------------------------------------------------------

    async def ping(self, mentor_id: str, request: HelpRequest, ping_id: int, reason: str) -> MessageRef | None:
        return await self.dm(
            mentor_id, b.ping_text(request), b.ping_blocks(request, ping_id, reason), f"ping:{ping_id}"
        )

    async def find_ping(self, mentor_id: str, ping_id: int) -> MessageRef | None:
        channel = await self._dm_channel(mentor_id)
        return None if channel is None else await self._find(channel, f"ping:{ping_id}")

    async def ping_closed(self, ref: MessageRef, request: HelpRequest, outcome: PingState) -> None:
        await self.update(ref, f"Request about {escape(request.topic)}", b.ping_closed_blocks(request, outcome))

    async def _status(
        self, request: HelpRequest, text: str, *, cancel: bool = False, again: bool = False
    ) -> MessageRef | None:
        """Edit the requester's one status message, or post it the first time (bot.runtime.ports.Notifier.searching)."""
        blocks = b.status_blocks(text, request.id if cancel else None, request.topic if again else None)
        key = f"status:{request.id}"
        if request.status_channel and request.status_ts:
            ref = MessageRef(request.status_channel, request.status_ts)
            await self.update(ref, text, blocks, key)
            return ref
        return await self.dm(request.requester_id, text, blocks, key)

    async def searching(self, request: HelpRequest, asked: int, wave: int) -> MessageRef | None:
        topic = escape(request.topic)
        if asked == 0:
            text = f":mag: Looking for someone who knows *{topic}*…"
        else:
            text = (
                f":mag: Asking {plural(asked, 'person', 'people')} who {'knows' if asked == 1 else 'know'} *{topic}*"
                + (f" (round {wave})" if wave > 1 else "")
                + ". This message changes as soon as someone accepts."
            )
        return await self._status(request, text, cancel=True)

    async def no_match(self, request: HelpRequest, reason: str) -> MessageRef | None:
        topic = escape(request.topic)
        if reason == "no_skill":
            text = (
                f"I couldn't find anyone who lists *{topic}* among their skills yet, so I haven't pinged "
                "anyone. I've noted it so the team sees the gap. Other words may match (a tool or language name "
                "works best), or ask in a channel."
            )
        else:
            text = (
                f"Everyone who knows *{topic}* is busy, away or outside their working hours right now, so I "
                "haven't pinged anyone. I've noted it. Try again a bit later."
            )
        return await self._status(request, text, again=reason != "no_skill")

    async def expired(self, request: HelpRequest, asked: int) -> MessageRef | None:
        who = "the person I asked" if asked == 1 else f"the {asked} people I asked" if asked else "anyone"
        text = (
            f"Sorry, nobody could take *{escape(request.topic)}* this time: {who} couldn't make it just now. "
            "I've noted it as something the team needs help with. Try again later."
        )
        return await self._status(request, text, again=True)

    async def cancelled(self, request: HelpRequest) -> MessageRef | None:
        return await self._status(request, f"Cancelled: you asked about *{escape(request.topic)}*.")

    async def ask_which(self, request: HelpRequest) -> None:
        text = b.ask_which_text(request)
        await self.dm(request.requester_id, text, b.ask_which_blocks(request), f"which:{request.id}")

    async def all_busy(self, request: HelpRequest, busy: int, why: str, retry_at: datetime | None) -> None:
        topic = escape(request.topic)
        who = f"{busy} people who know *{topic}* are" if busy != 1 else f"The one person who knows *{topic}* is"
        if retry_at is not None:
            text = (
                f":spiral_calendar_pad: {who} {why} right now; I'll try again at {local_time(retry_at)} "
                "unless you cancel (`/burst cancel`)."
            )
            await self.dm(request.requester_id, text, key=f"busy:{request.id}:{retry_at.timestamp():.0f}")
            return
        text = (
            f":spiral_calendar_pad: {who} {why} for a while, so I haven't pinged anyone. "
            "I've noted it. Try again later."
        )
        blocks = b.message(b.section(text), b.ask_again(request.topic))
        await self.dm(request.requester_id, text, blocks, f"told:{request.id}")

    async def matched(self, request: HelpRequest, flash: FlashSession) -> list[MessageRef]:
        """The status says who is helping; then one session card: in a group DM where Slack allows, else one each."""
        places = await self._pair_channels(request.requester_id, flash.mentor_id)
        where = "just below" if any(viewer for _, viewer in places) else "in your group DM with them"
        await self._status(
            request,
            f":white_check_mark: {mention(flash.mentor_id)} is helping you: "
            f"your session on *{escape(request.topic)}* is {where}.",
        )
        refs: list[MessageRef] = []
        for channel, viewer in places:
            card = self._card(request, flash, viewer)
            ref = await self.post(channel, b.session_text(request, flash), card, f"card:{flash.id}")
            if ref:
                refs.append(MessageRef(ref.channel, ref.ts, viewer))
        return refs

    def _card(self, request: HelpRequest, flash: FlashSession, viewer: str | None) -> list[b.Json]:
        return b.session_card(request, flash, extension=self.extension, max_extensions=MAX_EXTENSIONS, viewer=viewer)

    async def _pair_channels(self, requester_id: str, mentor_id: str) -> list[tuple[str, str | None]]:
        """Where the pair talks: a group DM (read by both) or, where Slack won't open one, each one's own DM."""
        try:
            opened = await self.client.conversations_open(users=f"{requester_id},{mentor_id}")
            channel = str(opened["channel"]["id"])
            # A 1:1 DM's id starts with D, a group DM's never does: local-slack answers a group open with a 1:1 DM.
            if not channel.startswith("D"):
                return [(channel, None)]
        except SLACK_FAILURES as exc:
            log.info("group DM unavailable", error=why(exc))
        # Degrade: one DM each, addressed by user id (its answer teaches the DM's channel: _dm_channels).
        return [(requester_id, requester_id), (mentor_id, mentor_id)]

    async def session_changed(self, request: HelpRequest, flash: FlashSession, what: str) -> None:
        cards = [MessageRef(c["channel"], c["ts"], c.get("viewer") or None) for c in flash.cards]
        if what in CARD_CHANGES:  # a warning changes nothing the card shows (its end time is the same)
            for ref in cards:
                card = self._card(request, flash, ref.viewer)
                await self.update(ref, b.session_text(request, flash), card, f"card:{flash.id}")
        topic = escape(request.topic)
        lines = {
            "warning": f":hourglass_flowing_sand: {b.time_left((flash.ends_at - utcnow()).total_seconds())} "
            f"in your session on *{topic}*.",
            "extended": (
                f":heavy_plus_sign: Session on *{topic}* extended by "
                f"{b.minutes(round(self.extension.total_seconds()))}: it now ends at "
                f"{when(flash.ends_at.timestamp(), flash.ends_at.strftime('%H:%M UTC'))}."
            ),
            "ended": (
                f":checkered_flag: Session on *{topic}* has ended. Thanks, "
                f"{mention(flash.mentor_id)} and {mention(request.requester_id)}!"
            ),
            "closed": f":octagonal_sign: This session on *{escape(request.topic)}* was closed.",
        }
        text = lines.get(what, "")
        if not text:
            return
        key = f"{what}:{flash.id}" + (f":{flash.extensions}" if what != "ended" else "")
        # Where the cards are; if they are not stored yet (the announcement is still on its way through a slow
        # Slack, and the session ended or was warned first), where the announcement goes.
        places = {(ref.channel, ref.viewer) for ref in cards}
        for channel, viewer in places or await self._pair_channels(request.requester_id, flash.mentor_id):
            extra = b.message(b.section(text), *b.feedback_prompt(flash, viewer)) if what == "ended" else None
            await self.post(channel, text, extra, key)

    async def post_digest(self, channel: str, digest: Digest) -> bool:
        """The chart as the main post, the summary as its comment; where Slack's files API refuses (local-slack has
        none, or a scope is missing), the summary alone in Block Kit."""
        png = await asyncio.to_thread(render_chart, digest)  # matplotlib's drawing is CPU work: not on the event loop
        try:
            await self.client.files_upload_v2(
                channel=channel,
                content=png,
                filename=f"burst-{digest.period}.png",
                title=f"Burst, {digest.week_of}",
                initial_comment=digest_markdown(digest),
                alt_txt=chart_alt_text(digest),
            )
            return True
        except SLACK_FAILURES as exc:
            log.info("digest chart not uploaded, posting the summary alone", error=str(exc)[:200])
        return await self.post(channel, digest_text(digest), digest_blocks(digest)) is not None

    async def follow_up(self, request: HelpRequest, flash: FlashSession, index: int) -> None:
        since = (utcnow() - (flash.ended_at or flash.ends_at)).total_seconds()
        text = b.followup_text(request, flash, index, since)
        blocks = b.message(b.section(text), b.followup_buttons(flash))
        await self.dm(request.requester_id, text, blocks, f"followup:{flash.id}:{index}")

    async def followups_answered(self, answered: MessageRef, session_id: int, topic: str, outcome: str) -> None:
        """Every follow-up of a session shows the answer and loses its buttons: no two live ones to contradict.

        The one answered keeps Find someone else after Still stuck; the others are found by their keys."""
        prefix = f"followup:{session_id}:"
        found = await self._find_all(answered.channel, lambda key: key.startswith(prefix))
        for key, ref in found.items():
            if ref.ts != answered.ts:
                blocks = b.followup_answered(topic, outcome, session_id, latest=False)
                await self.update(ref, escape(topic), blocks, key)

    async def thank_mentor(self, request: HelpRequest, flash: FlashSession, sessions_given: int) -> None:
        text = (
            f":sparkles: Thanks for helping with *{escape(request.topic)}*! "
            f"That's {plural(sessions_given, 'burst')} you've given so far."
        )
        await self.dm(flash.mentor_id, text, key=f"thanks:{flash.id}")
