"""help_requests.status_channel / status_ts / previous_mentor_id: one status message; asking others first

Each request has one status message in the requester's DM with Burst ("Asking 2 people who know ..."), edited in
place as the request moves on (someone accepted, nobody could, cancelled), instead of a new message per step.
help_requests.previous_mentor_id: a request made from a follow-up ("Still stuck" -> "Find someone else") asks
others before the mentor of that session.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("status_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("previous_mentor_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_column("previous_mentor_id")
        batch_op.drop_column("status_ts")
        batch_op.drop_column("status_channel")
