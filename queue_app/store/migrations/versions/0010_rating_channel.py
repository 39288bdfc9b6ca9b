"""Rating channels: a poor-rating case keeps how its rating came and its reasons; a closed
day's figures keep the ratings staff entered for the citizen (代评) apart.

A rating given before this revision is the citizen's own (pressed at the clerk terminal):
its case's channel stays empty, and a kept day's 代评 columns are 0, so its figures stay
as they were kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LEVELS = (5, 4, 3, 2, 1)


def upgrade() -> None:
    with op.batch_alter_table("rating_case") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=8), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("reasons", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("day_rollup") as batch:
        for lv in LEVELS:
            batch.add_column(
                sa.Column(f"proxy_{lv}", sa.Integer(), nullable=False, server_default="0")
            )


def downgrade() -> None:
    with op.batch_alter_table("day_rollup") as batch:
        for lv in LEVELS:
            batch.drop_column(f"proxy_{lv}")
    with op.batch_alter_table("rating_case") as batch:
        batch.drop_column("reasons")
        batch.drop_column("channel")
