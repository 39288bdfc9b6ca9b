"""The schema of release 0.1.0: the hall's tables, and on PostgreSQL the NOTIFY trigger.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

A database that release 0.1.0 wrote (its tables, no alembic_version) is this revision:
``queue_app.store.schema`` stamps it so, then upgrades it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Each new event row is sent on channel queue_app_events when its transaction commits.
NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION queue_app_notify_event() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('queue_app_events', json_build_object(
    'id', NEW.id, 'kind', NEW.kind, 'ticket', NEW.ticket_number,
    'window', NEW."window", 'at', NEW.at)::text);
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
NOTIFY_TRIGGER = """
CREATE TRIGGER queue_app_event_notify AFTER INSERT ON event
  FOR EACH ROW EXECUTE FUNCTION queue_app_notify_event()
"""


def upgrade() -> None:
    op.create_table(
        "business_day",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.Float(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "day_counter",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("prefix", sa.String(length=2), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "prefix"),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("ticket_number", sa.String(length=8), nullable=True),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_day", "event", ["day"])
    op.create_index("ix_event_ticket_id", "event", ["ticket_id"])
    op.create_table(
        "hall_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("set_at", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "hall_window",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("current_ticket", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "idempotency",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_table(
        "staff",
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("full_name", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("token_digest"),
    )
    op.create_index("ix_staff_session_username", "staff_session", ["username"])
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("prefix", sa.String(length=2), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=12), nullable=True),
        sa.Column("is_priority", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("appointment_at", sa.Float(), nullable=True),
        sa.Column("queue_key", sa.Float(), nullable=False),
        sa.Column("issued_at", sa.Float(), nullable=False),
        sa.Column("called_at", sa.Float(), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("target_window", sa.Integer(), nullable=True),
        sa.Column("target_domain", sa.String(length=40), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("bundle", sa.String(length=40), nullable=True),
        sa.Column("matters", sa.String(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "number", name="uq_ticket_day_number"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_ticket_appointment", "ticket", ["day", "status", "appointment_at"])
    op.create_index("ix_ticket_queue", "ticket", ["day", "status", "is_priority", "queue_key"])
    op.create_table(
        "window_profile",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("set_at", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "ticket_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_item_ticket_id", "ticket_item", ["ticket_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS queue_app_event_notify ON event")
        op.execute("DROP FUNCTION IF EXISTS queue_app_notify_event()")
    for table in (
        "ticket_item",
        "window_profile",
        "ticket",
        "staff_session",
        "staff",
        "idempotency",
        "hall_window",
        "hall_setting",
        "event",
        "day_counter",
        "business_day",
    ):
        op.drop_table(table)  # its indexes go with it
