"""Rating cases: every poor rating's return visit, rectification, feedback and appeal.

The 好差评 closed loop of the national rules.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _when(step: str) -> list[sa.Column[object]]:
    """Who did a step, the instant and the business day (all empty until it is done)."""
    return [
        sa.Column(f"{step}_by", sa.String(length=64), nullable=True),
        sa.Column(f"{step}_at", sa.Float(), nullable=True),
        sa.Column(f"{step}_day", sa.String(length=10), nullable=True),
    ]


def _step(step: str) -> list[sa.Column[object]]:
    return [sa.Column(f"{step}_note", sa.String(length=500), nullable=True), *_when(step)]


def upgrade() -> None:
    op.create_table(
        "rating_case",
        sa.Column("hall", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("clerk", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("visit_due", sa.String(length=10), nullable=False),
        sa.Column("fix_due", sa.String(length=10), nullable=False),
        sa.Column("assignee", sa.String(length=40), nullable=True),
        *_when("assigned"),
        *_step("visit"),
        sa.Column("fix_required", sa.Boolean(), nullable=True),
        *_step("fix"),
        *_step("feedback"),
        *_step("appeal"),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        *_step("decided"),
        sa.PrimaryKeyConstraint("hall", "id"),
    )
    op.create_index("ix_rating_case_day", "rating_case", ["hall", "day"])
    op.create_index("ix_rating_case_stage", "rating_case", ["hall", "stage", "day"])


def downgrade() -> None:
    op.drop_index("ix_rating_case_stage", table_name="rating_case")
    op.drop_index("ix_rating_case_day", table_name="rating_case")
    op.drop_table("rating_case")
