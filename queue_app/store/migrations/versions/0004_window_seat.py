"""Seats: the one session that may operate a window; the windows an account may sit at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("windows", sa.String(length=200), nullable=True))
    op.create_table(
        "window_seat",
        sa.Column("window", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_digest"], ["staff_session.token_digest"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("window"),
        sa.UniqueConstraint("token_digest"),
    )
    op.create_index("ix_window_seat_username", "window_seat", ["username"])
    _seat_signed_in_clerks()


def downgrade() -> None:
    op.drop_index("ix_window_seat_username", table_name="window_seat")
    op.drop_table("window_seat")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("windows")


def _seat_signed_in_clerks() -> None:
    """The newest session at each window takes its seat; older ones at the same window (two
    clerks at once, which this revision forbids) end."""
    session = sa.table(
        "staff_session",
        sa.column("token_digest", sa.String),
        sa.column("username", sa.String),
        sa.column("window", sa.Integer),
        sa.column("created_at", sa.Float),
    )
    seat = sa.table(
        "window_seat",
        sa.column("window", sa.Integer),
        sa.column("token_digest", sa.String),
        sa.column("username", sa.String),
        sa.column("since", sa.Float),
    )
    s, later = session.alias("s"), session.alias("later")
    newer_there = (
        sa.select(sa.literal(1))
        .where(
            later.c.window == s.c.window,
            sa.or_(
                later.c.created_at > s.c.created_at,
                sa.and_(
                    later.c.created_at == s.c.created_at,
                    later.c.token_digest > s.c.token_digest,
                ),
            ),
        )
        .exists()
    )
    newest = sa.select(s.c.window, s.c.token_digest, s.c.username, s.c.created_at).where(
        s.c.window.is_not(None), ~newer_there
    )
    op.execute(sa.insert(seat).from_select(["window", "token_digest", "username", "since"], newest))
    op.execute(
        sa.delete(session).where(
            session.c.window.is_not(None),
            session.c.token_digest.not_in(sa.select(seat.c.token_digest)),
        )
    )
