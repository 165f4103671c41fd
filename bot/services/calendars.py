"""A mentor's calendar as Burst keeps it: the address sealed, the next two days as busy intervals, refreshed.

Connecting reads the calendar at once, so a wrong address is told right away rather than failing quietly later.
Every feed is then re-read on a durable timer (one per refresh slot, as the directory walk does), so one process
reads it per slot however many run, and a restart does not skip one. A feed that fails keeps its last busy
intervals (a calendar rarely empties itself), and the App Home says why the last read failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog

from bot.domain.calendar_feed import CalendarError, busy_intervals
from bot.runtime.ports import Waker
from bot.runtime.timer_kinds import CalendarRefreshDue, schedule, slot_start
from bot.services.calendar_fetch import CalendarAddressError, CalendarFetcher, Fetched, address_hint, calendar_address
from bot.services.calendar_secret import CalendarSecrets
from storage.database import Database, UnitOfWork
from storage.models import CalendarFeed, utcnow

WINDOW: Final = timedelta(days=2)  # ahead of now: enough to say when someone is free again
# The stored intervals cover the window from the last full read; past this, the calendar is read in full again
# even if unchanged (its recurring events must be expanded for the days the window has moved on to).
REREAD: Final = timedelta(hours=6)
PARALLEL: Final = 4  # feeds read at once during a refresh
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Connected:
    busy: int  # intervals in the next two days
    next_busy: tuple[datetime, datetime] | None
    hint: str


@dataclass(frozen=True)
class CalendarState:
    hint: str
    fetched_at: datetime | None
    failure: str | None
    busy_until: datetime | None  # busy right now until then
    next_busy: datetime | None  # free now; the next busy interval starts then


class CalendarService:
    def __init__(
        self,
        db: Database,
        fetcher: CalendarFetcher,
        secrets: CalendarSecrets,
        waker: Waker,
        every: timedelta,
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.secrets = secrets
        self.waker = waker
        self.every = every

    # --- the mentor's commands ----------------------------------------------------------------------------

    async def connect(self, member_id: str, text: str) -> Connected:
        """Read the calendar now and keep it; raises CalendarAddressError or CalendarError, in words to show."""
        url = calendar_address(text, allow_local=self.fetcher.allow_local)
        fetched = await self.fetcher.fetch(url)
        if fetched.outcome != "read":
            raise CalendarAddressError(f"I couldn't read that calendar: {fetched.failure}.")
        now = utcnow()
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(member_id)
            intervals = busy_intervals(fetched.body, now, now + WINDOW, _zone(member.tz))
            await uow.calendars.remove(member_id)
            await uow.flush()
            uow.calendars.add(
                CalendarFeed(
                    member_id=member_id,
                    url_secret=self.secrets.seal(url),
                    url_hint=address_hint(url),
                    etag=fetched.etag,
                    last_modified=fetched.last_modified,
                    fetched_at=now,
                    read_at=now,
                )
            )
            await uow.flush()
            await uow.calendars.replace_busy(member_id, intervals)
            await uow.commit()
        log.info("calendar connected", member=member_id, busy_intervals=len(intervals))
        return Connected(len(intervals), intervals[0] if intervals else None, address_hint(url))

    async def disconnect(self, member_id: str) -> bool:
        async with self.db.uow() as uow:
            removed = await uow.calendars.remove(member_id)
            await uow.commit()
        return removed

    async def state(self, member_id: str) -> CalendarState | None:
        now = utcnow()
        async with self.db.uow(readonly=True) as uow:
            feed = await uow.calendars.feed(member_id)
            if feed is None:
                return None
            intervals = (await uow.calendars.busy([member_id], now, now + WINDOW)).get(member_id, [])
        current = next(((s, e) for s, e in intervals if s <= now < e), None)
        upcoming = next((s for s, _ in intervals if s > now), None)
        return CalendarState(
            hint=feed.url_hint,
            fetched_at=feed.fetched_at,
            failure=feed.failure,
            busy_until=current[1] if current else None,
            next_busy=None if current else upcoming,
        )

    # --- the refresh timer --------------------------------------------------------------------------------

    async def start(self) -> None:
        now = utcnow()
        async with self.db.uow() as uow:
            await self._schedule(uow, now)
            await uow.commit()
        self.waker.wake_at(now)

    async def _schedule(self, uow: UnitOfWork, due: datetime) -> None:
        await schedule(uow, CalendarRefreshDue(due, self.every), due)

    async def on_timer(self, due: CalendarRefreshDue) -> None:
        read = await self.refresh_all()
        following = slot_start(due.due_at, self.every) + self.every
        async with self.db.uow() as uow:
            await self._schedule(uow, following)
            await uow.commit()
        self.waker.wake_at(following)
        log.info("calendars refreshed", feeds=read)

    async def refresh_all(self) -> int:
        async with self.db.uow(readonly=True) as uow:
            members = [feed.member_id for feed in await uow.calendars.feeds()]
        limit = asyncio.Semaphore(PARALLEL)

        async def one(member_id: str) -> None:
            async with limit:
                await self.refresh(member_id)

        await asyncio.gather(*(one(m) for m in members))
        return len(members)

    async def refresh(self, member_id: str) -> None:
        async with self.db.uow(readonly=True) as uow:
            feed = await uow.calendars.feed(member_id)
            member = await uow.members.get(member_id)
        if feed is None:
            return
        url = self.secrets.open(feed.url_secret)
        if url is None:
            await self._failed(member_id, "Burst's key changed since you connected it: connect it again")
            return
        fresh = feed.read_at is not None and utcnow() - feed.read_at < REREAD
        fetched = await self.fetcher.fetch(url, *((feed.etag, feed.last_modified) if fresh else (None, None)))
        if fetched.outcome == "failed":
            await self._failed(member_id, fetched.failure or "unknown")
            return
        await self._store(member_id, fetched, _zone(member.tz if member else "UTC"))

    async def _store(self, member_id: str, fetched: Fetched, zone: ZoneInfo) -> None:
        now = utcnow()
        intervals = None
        if fetched.outcome == "read":
            try:
                intervals = busy_intervals(fetched.body, now, now + WINDOW, zone)
            except CalendarError as exc:
                await self._failed(member_id, str(exc))
                return
        async with self.db.uow() as uow:
            feed = await uow.calendars.feed(member_id)
            if feed is None:  # disconnected meanwhile
                return
            feed.fetched_at, feed.failure = now, None
            if fetched.outcome == "read":
                feed.etag, feed.last_modified, feed.read_at = fetched.etag, fetched.last_modified, now
            if intervals is not None:
                await uow.calendars.replace_busy(member_id, intervals)
            await uow.commit()

    async def _failed(self, member_id: str, failure: str) -> None:
        log.info("calendar not read", member=member_id, failure=failure)
        async with self.db.uow() as uow:
            feed = await uow.calendars.feed(member_id)
            if feed is not None:
                feed.failure = failure[:200]
            await uow.commit()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
