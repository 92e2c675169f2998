"""timer schedules and message subscriptions

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("process_version_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("expression", sa.String(length=200), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("period_seconds", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["process_version_id"], ["process_versions.id"],
                                name=op.f("fk_timer_schedules_process_version_id_process_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer_schedules")),
    )
    op.create_index("ix_timer_schedules_due", "timer_schedules", ["active", "next_due_at"])
    op.create_index(op.f("ix_timer_schedules_process_id"), "timer_schedules", ["process_id"])
    op.create_table(
        "message_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("correlation", sa.String(length=1000), nullable=False),
        sa.Column("keys_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"],
                                name=op.f("fk_message_subscriptions_instance_id_instances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_subscriptions")),
    )
    op.create_index("ix_message_subscriptions_lookup", "message_subscriptions", ["kind", "name", "correlation"])
    op.create_index(op.f("ix_message_subscriptions_instance_id"), "message_subscriptions", ["instance_id"])


def downgrade() -> None:
    op.drop_table("message_subscriptions")
    op.drop_table("timer_schedules")
