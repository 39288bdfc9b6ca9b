"""Notices to citizens: the notice outbox, and a ticket's mobile number (masked, sealed).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as t:
        t.add_column(sa.Column("contact_masked", sa.String(length=16), nullable=True))
        t.add_column(sa.Column("contact_sealed", sa.String(length=200), nullable=True))
    op.create_table(
        "notice",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("contact_sealed", sa.String(length=200), nullable=True),
        sa.Column("contact_masked", sa.String(length=16), nullable=False),
        sa.Column("params", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.Float(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("delivered_at", sa.Float(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("hall", "id"),
    )
    op.create_index("ix_notice_due", "notice", ["hall", "state", "next_try_at"])
    op.create_index("ix_notice_ref", "notice", ["hall", "ref", "kind"])


def downgrade() -> None:
    op.drop_index("ix_notice_ref", table_name="notice")
    op.drop_index("ix_notice_due", table_name="notice")
    op.drop_table("notice")
    with op.batch_alter_table("ticket") as t:
        t.drop_column("contact_sealed")
        t.drop_column("contact_masked")
