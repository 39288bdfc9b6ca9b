"""Bookings: booked slots, the places taken per slot, closures and no-show bars.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LIVE = sa.text("status = 'booked'")


def upgrade() -> None:
    op.create_table(
        "booking",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("slot_at", sa.Float(), nullable=False),
        sa.Column("slot_end", sa.Float(), nullable=False),
        sa.Column("check_in_from", sa.Float(), nullable=False),
        sa.Column("check_in_until", sa.Float(), nullable=False),
        sa.Column("matters", sa.String(length=2000), nullable=False),
        sa.Column("bundle", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("contact_digest", sa.String(length=64), nullable=False),
        sa.Column("contact_masked", sa.String(length=16), nullable=False),
        sa.Column("contact_sealed", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("changed_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("ticket_number", sa.String(length=8), nullable=True),
        sa.Column("ticket_token", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("hall", "id"),
    )
    op.create_index(
        "uq_booking_live_code",
        "booking",
        ["hall", "code"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index("ix_booking_code", "booking", ["hall", "code", "created_at"])
    op.create_index("ix_booking_day", "booking", ["hall", "day", "status"])
    op.create_index("ix_booking_due", "booking", ["hall", "status", "check_in_until"])
    op.create_index("ix_booking_contact", "booking", ["hall", "contact_digest", "day"])
    op.create_table(
        "booking_slot",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "day", "scope", "start"),
    )
    op.create_table(
        "booking_closure",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=True),
        sa.Column("start", sa.String(length=5), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "id"),
    )
    op.create_index("ix_booking_closure_day", "booking_closure", ["hall", "day"])
    op.create_table(
        "booking_ban",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("masked", sa.String(length=16), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("banned_at", sa.Float(), nullable=True),
        sa.Column("until", sa.String(length=10), nullable=True),
        sa.Column("counted_after", sa.Float(), nullable=False),
        sa.Column("lifted_at", sa.Float(), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lift_reason", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("hall", "digest"),
    )


def downgrade() -> None:
    op.drop_table("booking_ban")
    op.drop_index("ix_booking_closure_day", table_name="booking_closure")
    op.drop_table("booking_closure")
    op.drop_table("booking_slot")
    for name in (
        "ix_booking_contact",
        "ix_booking_due",
        "ix_booking_day",
        "ix_booking_code",
        "uq_booking_live_code",
    ):
        op.drop_index(name, table_name="booking")
    op.drop_table("booking")
