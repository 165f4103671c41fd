"""index members.tz: routing reads the distinct time zones for every request

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 00:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_members_tz", "members", ["tz"])


def downgrade() -> None:
    op.drop_index("ix_members_tz", "members")
