"""The hall's notice line (set by a manager, shown on the boards) and the staff number and
public name of an account (shown on the window screens).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hall_state") as batch:
        batch.add_column(sa.Column("notice", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("notice_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("notice_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("staff_number", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("display_name", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("display_name")
        batch.drop_column("staff_number")
    with op.batch_alter_table("hall_state") as batch:
        batch.drop_column("notice_by")
        batch.drop_column("notice_at")
        batch.drop_column("notice")
