"""Day rollups: each closed business day's figures by group, and its wait and handling
histograms (added up by month too), kept after its raw rows go.

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

_KEY = ("hall", "dim", "day", "name")
_COUNTS = (
    "issued", "served", "no_shows", "transfers", "cancelled", "expired", "within_target",
    "bundles", "bundles_one_visit", "wait_n", "wait_sum", "handling_n", "handling_sum",
    *(f"rating_{lv}" for lv in (5, 4, 3, 2, 1)),
    *(f"excluded_{lv}" for lv in (5, 4, 3, 2, 1)),
    *(f"outcome_{o}" for o in ("completed", "accepted", "correction", "rejected")),
)  # fmt: skip


def _key() -> list[sa.Column[str]]:
    return [
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("dim", sa.String(length=12), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "day_rollup",
        *_key(),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in _COUNTS),
        sa.Column("busy_s", sa.Float(), nullable=False),
        sa.Column("open_s", sa.Float(), nullable=False),
        sa.Column("wait_median", sa.Integer(), nullable=True),
        sa.Column("wait_p90", sa.Integer(), nullable=True),
        sa.Column("balance", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(*_KEY),
    )
    op.create_table(
        "day_rollup_step",
        *_key(),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("step", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "kind", "step"),
    )
    op.create_table(
        "month_rollup_step",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("dim", sa.String(length=12), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("step", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "dim", "month", "name", "kind", "step"),
    )


def downgrade() -> None:
    op.drop_table("month_rollup_step")
    op.drop_table("day_rollup_step")
    op.drop_table("day_rollup")
