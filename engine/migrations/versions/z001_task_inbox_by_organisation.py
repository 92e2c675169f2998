"""index ready tasks by organisation, then creation time: a member's inbox in a federation of many enterprises
reads its own organisation's ready tasks only, instead of walking every organisation's and dropping the others

Revision ID: z001
Revises: y006
"""

from alembic import op

revision = "z001"
down_revision = "y006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_human_tasks_org_state_created", "human_tasks", ["org_id", "state", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_human_tasks_org_state_created", table_name="human_tasks")
