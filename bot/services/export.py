"""`burst export`: the interaction log as CSV or JSON Lines, streamed in id order."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TextIO

from storage.database import Database
from storage.models import InteractionEvent

COLUMNS = ("id", "at", "kind", "actor_id", "request_id", "session_id", "data")
BATCH = 5000


async def events_since(db: Database, since: datetime) -> AsyncIterator[InteractionEvent]:
    last_id = 0
    while True:
        async with db.uow(readonly=True) as uow:
            rows = await uow.events.page(since, last_id, BATCH)
        for row in rows:
            yield row
        if len(rows) < BATCH:
            return
        last_id = rows[-1].id or last_id


def _record(e: InteractionEvent) -> dict[str, object]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "kind": e.kind,
        "actor_id": e.actor_id,
        "request_id": e.request_id,
        "session_id": e.session_id,
        "data": e.data,
    }


async def export(db: Database, since: datetime, fmt: str, out: TextIO) -> int:
    count = 0
    writer = csv.DictWriter(out, fieldnames=COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    async for event in events_since(db, since):
        record = _record(event)
        if writer:
            writer.writerow({**record, "data": json.dumps(record["data"], sort_keys=True)})
        else:
            out.write(json.dumps(record, sort_keys=True) + "\n")
        count += 1
    return count
