"""data_versions: one number that changes whenever what matching and routing read on every request changes

Every request reads the skills mentors hold, the time zones members are in and the mentors' evidence. They change
rarely (a profile edit, a new member, a session marked solved) and are read constantly, so each process keeps them
(storage.database) for as long as the `matching` row's version is the one it read them at. Triggers bump the
version from the database itself, so every writer (a profile edit, a CSV import, an erasure cascading from
members, another Burst process) is covered without the code that writes remembering to.

SQLite: a row trigger per change (SQLite has one writer at a time, so the one row is never contended).
PostgreSQL: a deferred constraint trigger, so the row is locked only at commit, after every other lock the
transaction takes (two transactions cannot each hold a lock the other waits for), and bumped once per transaction
(`bumped_by`), however many rows it changed.

A later migration that recreates member_skills, members or mentor_evidence (SQLite's batch mode copies a table)
drops its triggers and must create them again: tests/storage/test_data_versions.py fails if it does not.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (trigger name, the change that bumps, optional row condition)
_WATCHED = (
    ("member_skills_insert", "INSERT ON member_skills", None),
    ("member_skills_delete", "DELETE ON member_skills", None),
    ("member_skills_rename", "UPDATE OF skill ON member_skills", "OLD.skill IS DISTINCT FROM NEW.skill"),
    ("members_insert", "INSERT ON members", None),
    ("members_delete", "DELETE ON members", None),
    ("members_zone", "UPDATE OF tz ON members", "OLD.tz IS DISTINCT FROM NEW.tz"),
    ("mentor_evidence_insert", "INSERT ON mentor_evidence", None),
    ("mentor_evidence_delete", "DELETE ON mentor_evidence", None),
    ("mentor_evidence_update", "UPDATE ON mentor_evidence", None),
)
_BUMP_FUNCTION = "burst_bump_matching_version"


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("bumped_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.execute("INSERT INTO data_versions (name, version) VALUES ('matching', 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {_BUMP_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE data_versions SET version = version + 1, bumped_by = txid_current()
                WHERE name = 'matching' AND bumped_by IS DISTINCT FROM txid_current();
                RETURN NULL;
            END $$
            """
        )
        for name, change, condition in _WATCHED:
            when = f"WHEN ({condition})" if condition else ""
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {name}_version AFTER {change} DEFERRABLE INITIALLY DEFERRED "
                f"FOR EACH ROW {when} EXECUTE FUNCTION {_BUMP_FUNCTION}()"
            )
    else:
        for name, change, condition in _WATCHED:
            when = f"WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            op.execute(
                f"CREATE TRIGGER {name}_version AFTER {change} FOR EACH ROW {when} "
                "BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'matching'; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, change, _ in _WATCHED:
        table = change.split(" ON ")[1]
        op.execute(f"DROP TRIGGER IF EXISTS {name}_version" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute(f"DROP FUNCTION IF EXISTS {_BUMP_FUNCTION}()")
    op.drop_table("data_versions")
