"""slack deliveries: the ids of deliveries acted on, so a redelivery is acted on once

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_deliveries",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("received_at", storage.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_slack_deliveries_received", "slack_deliveries", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_slack_deliveries_received", table_name="slack_deliveries")
    op.drop_table("slack_deliveries")
