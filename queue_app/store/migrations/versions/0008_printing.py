"""Printed slips: the station a session signed in at, the print jobs (the outbox of the
slip printers) and each printer's state.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_session") as batch:
        batch.add_column(sa.Column("station", sa.String(length=40), nullable=True))
    op.create_table(
        "print_job",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("copy_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("printer", sa.String(length=40), nullable=False),
        sa.Column("station", sa.String(length=40), nullable=True),
        sa.Column("queued_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("printed_at", sa.Float(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("hall", "ticket_id", "copy_no"),
    )
    op.create_index(
        "ix_print_job_waiting", "print_job", ["hall", "printer", "printed_at", "queued_at"]
    )
    op.create_table(
        "printer_state",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("printer", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.Float(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("hall", "printer"),
    )


def downgrade() -> None:
    op.drop_table("printer_state")
    op.drop_index("ix_print_job_waiting", table_name="print_job")
    op.drop_table("print_job")
    with op.batch_alter_table("staff_session") as batch:
        batch.drop_column("station")
