"""Parked tickets (waiting for materials): the window a returned ticket is held for, when it
was parked, the note of what the citizen went to fetch (补材料), the time served before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as t:
        t.add_column(sa.Column("held_for", sa.Integer(), nullable=True))
        t.add_column(sa.Column("parked_at", sa.Float(), nullable=True))
        t.add_column(
            sa.Column("park_note", sa.String(length=200), nullable=False, server_default="")
        )
        t.add_column(sa.Column("handled_before", sa.Float(), nullable=False, server_default="0"))
    op.create_index("ix_ticket_held", "ticket", ["hall", "held_for", "day"])


def downgrade() -> None:
    op.drop_index("ix_ticket_held", table_name="ticket")
    with op.batch_alter_table("ticket") as t:
        t.drop_column("handled_before")
        t.drop_column("park_note")
        t.drop_column("parked_at")
        t.drop_column("held_for")
