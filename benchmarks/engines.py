"""Where the benchmarks run: a throwaway database per measurement, bulk loading, ANALYZE, and query plans.

Each (benchmark, size, engine) gets a fresh database migrated with the real Alembic migrations, so the schema and
indexes measured are the ones production has, not `metadata.create_all`'s idea of them.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from sqlalchemy.event import listen, remove
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault
from sqlmodel import SQLModel

from storage.database import Database
from storage.migrate import upgrade_async
from storage.models import UtcDateTime
from tests.support.postgres import PostgresError, ThrowawayPostgres, ensure_postgres_installed

SQLITE, POSTGRESQL = "sqlite", "postgresql"
ENGINES = (SQLITE, POSTGRESQL)
# Rows per executemany on SQLite: big enough that per-call overhead vanishes, small enough to keep memory flat.
SQLITE_CHUNK = 20_000


class _CopyConnection(Protocol):
    """The one asyncpg method the loader needs; asyncpg ships no type information, so it is spelled out here."""

    async def copy_records_to_table(
        self, table_name: str, *, records: Iterable[Sequence[Any]], columns: Sequence[str]
    ) -> str: ...


@dataclass
class Engine:
    """One database engine able to hand out fresh, migrated databases."""

    name: str
    _sqlite_dir: Path | None = None
    _server: ThrowawayPostgres | None = None

    async def new_database(self, label: str) -> Database:
        if self._server is not None:
            url = await asyncio.to_thread(self._server.create_database, label)
        else:
            assert self._sqlite_dir is not None
            url = f"sqlite+aiosqlite:///{self._sqlite_dir / label}.db"
        await upgrade_async(url)
        return Database(url)


@asynccontextmanager
async def open_engines(names: Sequence[str], warn: list[str]) -> AsyncIterator[list[Engine]]:
    """SQLite in a temporary folder; PostgreSQL as a throwaway server, started once for the whole run.

    A missing PostgreSQL is reported in `warn` and skipped rather than failing: SQLite figures are still useful.
    """
    async with AsyncExitStack() as stack:
        engines: list[Engine] = []
        for name in names:
            if name == SQLITE:
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="burst-bench-"))
                engines.append(Engine(SQLITE, _sqlite_dir=Path(folder)))
            elif name == POSTGRESQL:
                server = await _start_postgres(warn)
                if server is not None:
                    stack.push_async_callback(asyncio.to_thread, server.stop)
                    engines.append(Engine(POSTGRESQL, _server=server))
            else:
                raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
        yield engines


async def _start_postgres(warn: list[str]) -> ThrowawayPostgres | None:
    if await asyncio.to_thread(ensure_postgres_installed) is None:
        warn.append("PostgreSQL server binaries not found: PostgreSQL figures skipped")
        return None
    server = ThrowawayPostgres()
    try:
        await asyncio.to_thread(server.start)
    except PostgresError as exc:
        warn.append(f"PostgreSQL did not start, its figures are skipped: {exc}")
        await asyncio.to_thread(server.stop)
        return None
    return server


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


async def bulk_insert(db: Database, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Load rows fast: COPY on PostgreSQL, chunked Core executemany on SQLite (never the ORM, one by one).

    SQLite gets executemany of one `insert(table)` rather than `insert(table).values([...])`: one prepared statement
    reused for every row, instead of a statement with rows x columns parameters compiled afresh for each chunk.
    Rows carry domain values (aware datetimes, dicts for JSON); the PostgreSQL path converts them itself because
    COPY bypasses SQLAlchemy's type processing, which is also what makes it the fast path.
    """
    if not rows:
        return
    t = table(name)
    if db.is_sqlite:
        keys = list(dict.fromkeys(key for row in rows for key in row))
        async with db.engine.begin() as conn:
            for start in range(0, len(rows), SQLITE_CHUNK):
                # executemany takes its columns from the first row: give every row every key (None when unsaid).
                chunk = [{k: row.get(k) for k in keys} for row in rows[start : start + SQLITE_CHUNK]]
                await conn.execute(insert(t), chunk)
        return
    given = list(dict.fromkeys(key for row in rows for key in row))
    defaults = _python_defaults(t, given)
    columns = given + list(defaults)
    converters = [_copy_converter(t, c) for c in columns]
    filled = [(*(row.get(c) for c in given), *defaults.values()) for row in rows]
    records = [tuple(conv(v) for conv, v in zip(converters, values, strict=True)) for values in filled]
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = cast(_CopyConnection, raw.driver_connection)
        await driver.copy_records_to_table(name, records=records, columns=columns)
        await conn.commit()


def _python_defaults(t: Table, given: Sequence[str]) -> dict[str, Any]:
    """The models' defaults live in Python (no server defaults), which COPY never runs: apply them here.

    The callables SQLModel registers (`utcnow`, `dict`, ...) ignore the execution context they are handed.
    """
    found: dict[str, Any] = {}
    for column in t.columns:
        default = column.default
        if (
            column.name in given
            or default is None
            or not isinstance(default, ScalarElementColumnDefault | CallableColumnDefault)
        ):
            continue
        found[column.name] = (
            default.arg(cast(ExecutionContext, None)) if isinstance(default, CallableColumnDefault) else default.arg
        )
    return found


def _copy_converter(t: Table, column: str) -> Callable[[Any], Any]:
    """What SQLAlchemy would have done to a value of this column before handing it to asyncpg."""
    kind = t.c[column].type
    if isinstance(kind, UtcDateTime):
        return _naive_utc
    if isinstance(kind, JSON):
        return json.dumps
    return _same


def _naive_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _same(value: Any) -> Any:
    return value


async def finish_load(db: Database, serial_tables: Sequence[str]) -> None:
    """Make a freshly loaded database look like one that has been running for a while.

    PostgreSQL: sequences moved past the explicit ids COPY wrote, then VACUUM ANALYZE. The VACUUM matters as much
    as the ANALYZE: autovacuum would set the visibility map within minutes in production, and without it every
    index-only scan still visits the heap, so timings right after a bulk load are pessimistic and noisy.
    SQLite: ANALYZE, so its planner has sqlite_stat1 to choose between indexes.
    """
    if db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
        return
    async with db.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for name in serial_tables:
            await auto.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
            )
        await auto.exec_driver_sql("VACUUM ANALYZE")


@dataclass
class QueryRecorder:
    """Remembers the queries a piece of code ran, with driver-level parameters, so they can be EXPLAINed as run.

    Only reads are kept: EXPLAIN ANALYZE executes its statement, and replaying a write would change the data.
    """

    db: Database
    queries: list[tuple[str, Any]] = field(default_factory=list)

    def _record(
        self,
        conn: Connection,
        cursor: DBAPICursor,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.queries.append((statement, parameters))

    def __enter__(self) -> QueryRecorder:
        listen(self.db.engine.sync_engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        remove(self.db.engine.sync_engine, "before_cursor_execute", self._record)


async def explain(db: Database, statement: str, parameters: Any) -> str:
    """The plan as executed: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    async with db.uow(readonly=True) as uow:
        conn = await uow.db_session.connection()
        if db.is_sqlite:
            rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
            depth: dict[int, int] = {0: 0}
            lines = []
            for row in rows:
                node, parent, _, detail = cast(tuple[int, int, int, str], tuple(row))
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + detail)
            return shorten_plan("\n".join(lines))
        rows = (await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)).all()
        return shorten_plan("\n".join(str(cast(tuple[str], tuple(r))[0]) for r in rows))


_PLACEHOLDER_RUN = re.compile(r"(?:(?:\$\d+(?:::\w+)?|\?)\s*,\s*){4,}(\$\d+(?:::\w+)?|\?)")
_LONG_ARRAY = re.compile(r"'\{([^{}']{0,80})[^{}']*\}'")


def shorten_sql(statement: str, limit: int = 1_500) -> str:
    """Long IN lists make a query unreadable: a run of placeholders becomes `…, $n`."""
    flat = _PLACEHOLDER_RUN.sub(r"…, \1", " ".join(statement.split()))
    return flat if len(flat) <= limit else flat[:limit] + " …"


def shorten_plan(plan: str) -> str:
    """The same for the literal arrays PostgreSQL prints in a plan's filters."""
    return _LONG_ARRAY.sub(r"'{\1…}'", plan)
