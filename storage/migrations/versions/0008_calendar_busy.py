"""Calendar free/busy: a mentor's encrypted calendar address and the busy intervals read from it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("url_secret", sa.String(length=4000), nullable=False),
        sa.Column("url_hint", sa.String(length=120), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("fetched_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("read_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("failure", sa.String(length=200), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "calendar_busy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("starts_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("ends_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["calendar_feeds.member_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_calendar_busy_member_ends", "calendar_busy", ["member_id", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_calendar_busy_member_ends", table_name="calendar_busy")
    op.drop_table("calendar_busy")
    op.drop_table("calendar_feeds")
