"""Retire the session card's once-a-minute refresh: its timer rows still waiting are cancelled

Cards now show the end time in Slack's date formatting and are edited only on extend and end, so no code runs a
`session_tick` any more; a pending one left by an older version would otherwise fail for want of a handler.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE timed_actions SET state = 'cancelled' WHERE kind = 'session_tick' AND state IN ('pending', 'running')"
    )


def downgrade() -> None:
    """Nothing to restore: an older version re-arms a running session's refresh chain only on its next extension."""
