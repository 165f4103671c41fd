"""mentor_evidence (about texts, topics helped with, suggestions); help_requests.mentors, mentor_notes and gap

Matching reads a request against what mentors wrote they help with and what they have helped with before, not
only their skill list; a request keeps the mentors that evidence found (and why), beside its skills, and a topic
nobody could route keeps the skill it is about, so the digest groups skill gaps by meaning.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_evidence_member_kind", "mentor_evidence", ["member_id", "kind"], unique=False)
    op.create_index(op.f("ix_mentor_evidence_request_id"), "mentor_evidence", ["request_id"], unique=False)
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mentors", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("mentor_notes", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("gap", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_column("gap")
        batch_op.drop_column("mentor_notes")
        batch_op.drop_column("mentors")
    op.drop_index(op.f("ix_mentor_evidence_request_id"), table_name="mentor_evidence")
    op.drop_index("ix_mentor_evidence_member_kind", table_name="mentor_evidence")
    op.drop_table("mentor_evidence")
