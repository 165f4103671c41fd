"""one active session per mentor; indexes for delete-my-data and timer cancellation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("state = 'active'")


def upgrade() -> None:
    op.create_index(
        "uq_flash_sessions_active_mentor",
        "flash_sessions",
        ["mentor_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index("ix_events_actor", "interaction_events", ["actor_id"])
    op.create_index("ix_timed_actions_request", "timed_actions", ["request_id"])
    op.create_index("ix_timed_actions_session", "timed_actions", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_timed_actions_session", "timed_actions")
    op.drop_index("ix_timed_actions_request", "timed_actions")
    op.drop_index("ix_events_actor", "interaction_events")
    op.drop_index("uq_flash_sessions_active_mentor", "flash_sessions")
