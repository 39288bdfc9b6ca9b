"""The hall's running state: its business day (for the roll-over at a new day's first
operation), the version of its run-time settings, late issuing, a day closed by hand.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

The row itself is written when a store first opens the database: the day is the latest
one tickets were issued on (so a day left open before the upgrade is ended at the next
operation), else today.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("open_until", sa.Float(), nullable=True),
        sa.Column("day_closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("hall_state")
