"""Day rollups: each closed business day's figures by group, kept after its raw rows go.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COUNTS = ("issued", "served", "no_shows", "transfers", "cancelled", "expired")


def upgrade() -> None:
    op.create_table(
        "day_rollup",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("dim", sa.String(length=12), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in _COUNTS),
        sa.Column("waits", sa.String(), nullable=False),
        sa.Column("within_target", sa.Integer(), nullable=False),
        sa.Column("handling", sa.String(), nullable=False),
        sa.Column("outcomes", sa.String(), nullable=False),
        sa.Column("bundles", sa.Integer(), nullable=False),
        sa.Column("bundles_one_visit", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.String(), nullable=False),
        sa.Column("excluded", sa.String(), nullable=False),
        sa.Column("busy_s", sa.Float(), nullable=False),
        sa.Column("open_s", sa.Float(), nullable=False),
        sa.Column("balance", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("hall", "dim", "day", "name"),
    )


def downgrade() -> None:
    op.drop_table("day_rollup")
