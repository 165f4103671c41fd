"""member_skills.last_pinged_at and the routing index: holders of a skill read in fairness order, a page at a time

Routing used to group every holder of a matched skill (thousands for a popular one) to keep a page of 40; with
the member's last ping copied onto each skill row, an index on (skill, level, last_pinged_at, member_id) hands
out the holders of each (skill, level) longest-unpinged first and the database stops after a page.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# storage.models.NEVER_PINGED as each engine stores it (naive UTC).
NEVER = "1970-01-01 00:00:00.000000"


def upgrade() -> None:
    with op.batch_alter_table("member_skills", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_pinged_at", storage.models.UtcDateTime(), nullable=False, server_default=sa.text(f"'{NEVER}'")
            )
        )
    op.execute(
        "UPDATE member_skills SET last_pinged_at = (SELECT members.last_pinged_at FROM members "
        "WHERE members.id = member_skills.member_id) "
        "WHERE EXISTS (SELECT 1 FROM members WHERE members.id = member_skills.member_id "
        "AND members.last_pinged_at IS NOT NULL)"
    )
    with op.batch_alter_table("member_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_member_skills_skill_member")
        batch_op.create_index("ix_member_skills_route", ["skill", "level", "last_pinged_at", "member_id"])


def downgrade() -> None:
    with op.batch_alter_table("member_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_member_skills_route")
        batch_op.create_index("ix_member_skills_skill_member", ["skill", "member_id"])
        batch_op.drop_column("last_pinged_at")
