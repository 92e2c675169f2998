"""index instances by creation time (lists are newest first)

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_instances_created_at", "instances", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_instances_created_at", table_name="instances")
