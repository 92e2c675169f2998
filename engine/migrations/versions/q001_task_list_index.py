"""index ready tasks by creation time (the task lists page along it with a keyset cursor)

Revision ID: q001
Revises: 0004
"""

from alembic import op

revision = "q001"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_human_tasks_state_created", "human_tasks", ["state", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_human_tasks_state_created", table_name="human_tasks")
