"""`burst mentors import <csv>`: onboard many mentors at once; good rows are imported, bad rows are reported.

Columns (a header row is required; order free): `user` (a Slack user ID, e.g. U012ABC), `skills` (separated by
`;` or `,`, each optionally `name:expert` or `name:peer`), and optionally `hours` (09:00-17:30), `cap` and `about`
(what they can help with, in their own words; a row may have an about text instead of skills).
A skill without a level is a new skill at `peer`, or an existing one at the level it has: a CSV never demotes.
With a Slack directory, each user ID is checked (users.info) and a row for nobody in the workspace is reported.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.domain import event_kinds as ev
from bot.domain.availability import WorkingHours, read_hours
from bot.domain.evidence import clean_about
from bot.domain.skills import validate_skill
from bot.runtime.ports import Directory
from bot.services import directory_sync
from storage.database import Database
from storage.models import DEFAULT_LEVEL, SkillLevel, utcnow

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
MAX_IMPORT_CHARS = 10_000_000
"""About 100,000 mentors with a dozen skills each: more than any workspace has, so a larger file is a mistake."""
MAX_CELL_CHARS = 4000
"""Longer than any cell of a real row (50 skills of the longest name fit); a longer one is refused unread."""
MAX_LINE_CHARS = 4 * MAX_CELL_CHARS
"""Four full cells: a longer line is refused before the csv module splits it into however many cells it holds."""


@dataclass(frozen=True)
class MentorRow:
    line: int
    user_id: str
    skills: list[tuple[str, SkillLevel | None]]  # level None: not stated in the CSV
    hours: WorkingHours | None
    cap: int | None
    about: str = ""
    note: str = ""  # how an ambiguous value was read ("9-5"), to confirm back


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # imported, but read in one of two ways: said back


def parse_rows(text: str) -> Iterator[MentorRow | RowError]:
    if len(text) > MAX_IMPORT_CHARS:
        yield RowError(1, f"the file has {len(text):,} characters; split it into files under {MAX_IMPORT_CHARS:,}")
        return
    long = next((n for n, line in enumerate(text.splitlines(), 1) if len(line) > MAX_LINE_CHARS), None)
    if long is not None:
        yield RowError(long, f"line {long} is longer than {MAX_LINE_CHARS:,} characters; is this the right file?")
        return
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower() for h in reader.fieldnames or []}
    if not {"user", "skills"} <= headers:
        yield RowError(1, "the header must name at least the columns `user` and `skills`")
        return
    try:
        for record in reader:
            line = reader.line_num
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items() if isinstance(v, str)}
            yield parse_row(line, row)
    except csv.Error as exc:  # a field past the csv module's own size limit, a NUL byte: the rest is unreadable
        yield RowError(reader.line_num, f"the file stops being readable CSV here ({exc})")


def parse_row(line: int, row: dict[str, str]) -> MentorRow | RowError:
    long = next((name for name, cell in row.items() if len(cell) > MAX_CELL_CHARS), None)
    if long is not None:
        return RowError(line, f"the `{long[:30]}` cell is longer than {MAX_CELL_CHARS} characters")
    user = row.get("user", "")
    if not USER_ID.match(user):
        return RowError(line, f"`{user or '(empty)'}` is not a Slack user ID (like U012ABC)")
    skills: list[tuple[str, SkillLevel | None]] = []
    for part in re.split(r"[;,]", row.get("skills", "")):
        if not part.strip():
            continue
        name, _, stated = part.partition(":")
        level = stated.strip().lower()
        if level and level not in tuple(SkillLevel):
            return RowError(line, f"level `{level}` of `{name.strip()}` must be expert or peer")
        try:
            skills.append((validate_skill(name), SkillLevel(level) if level else None))
        except ValueError as exc:
            return RowError(line, str(exc))
    try:
        about = clean_about(row.get("about") or "")
    except ValueError as exc:
        return RowError(line, f"about: {exc}")
    if not skills and not about:
        return RowError(line, "no skills given (nor an about text)")
    hours, note = None, ""
    if row.get("hours"):
        try:
            reading = read_hours(row["hours"])
        except ValueError as exc:
            return RowError(line, str(exc))
        hours = reading.hours
        if reading.instead_of is not None:
            note = f"hours `{row['hours']}` read as {hours}; write {reading.instead_of} for the overnight reading"
    cap = None
    if row.get("cap"):
        if not row["cap"].isdigit() or int(row["cap"]) > 50:
            return RowError(line, f"cap `{row['cap']}` must be a whole number from 0 to 50")
        cap = int(row["cap"])
    return MentorRow(line, user, skills, hours, cap, about, note)


async def import_mentors(
    db: Database,
    text: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
    directory: Directory | None = None,
) -> ImportReport:
    """Import the good rows, report the bad ones; with a `directory`, only people Slack knows are imported."""
    parsed = list(parse_rows(text))
    report = ImportReport(errors=[p for p in parsed if isinstance(p, RowError)])
    rows = [p for p in parsed if isinstance(p, MentorRow)]
    if directory is not None:
        known = await asyncio.gather(*(directory.profile(r.user_id) for r in rows))
        report.errors += [
            RowError(r.line, f"`{r.user_id}` is nobody in this Slack workspace (users.info)")
            for r, who in zip(rows, known, strict=True)
            if who is None
        ]
        report.errors.sort(key=lambda e: e.line)
        rows = [r for r, who in zip(rows, known, strict=True) if who is not None]
    report.notes = [RowError(r.line, r.note) for r in rows if r.note]
    for start in range(0, len(rows), 200):  # one transaction per batch: fast, and a failure loses one batch
        batch = rows[start : start + 200]
        async with db.uow() as uow:
            for row in batch:
                member = await uow.members.get_or_create(row.user_id)
                held = {s.skill: s.level for s in await uow.members.skills_of(row.user_id)}
                levels = [(name, level or held.get(name, DEFAULT_LEVEL)) for name, level in row.skills]
                for name, level in levels:
                    await uow.members.set_skill(row.user_id, name, level)
                if row.hours is not None:
                    member.hours_start = row.hours.start.strftime("%H:%M")
                    member.hours_end = row.hours.end.strftime("%H:%M")
                if row.cap is not None:
                    member.weekly_cap = row.cap
                if row.about:
                    await uow.evidence.set_about(row.user_id, row.about)
                uow.events.append(
                    ev.SKILLS_ADDED, actor_id=row.user_id, added=[f"{n}:{lv}" for n, lv in levels], via="import"
                )
            await uow.commit()
        report.imported += len(batch)
        progress(start + len(batch), len(rows))
    if rows:
        # Imported mentors' zones are unknown (UTC) until Slack's directory is read: a running Burst does that next.
        now = utcnow()
        async with db.uow() as uow:
            await directory_sync.schedule(uow, now, after_import=True)
            await uow.commit()
    return report
