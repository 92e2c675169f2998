"""who acts: task assignees and candidates, departments

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks") as batch:
        batch.add_column(sa.Column("assignee", sa.String(100), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(100), nullable=True))
        batch.add_column(sa.Column("assigned_via", sa.String(20), nullable=True))
        batch.add_column(sa.Column("case_title", sa.String(300), nullable=True))
        batch.create_index("ix_human_tasks_assignee", ["assignee"])
    op.create_table(
        "task_candidates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("human_tasks.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_index("ix_task_candidates_task_id", "task_candidates", ["task_id"])
    op.create_index("ix_task_candidates_kind_name", "task_candidates", ["kind", "name"])
    op.create_table(
        "departments",
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_code", sa.String(50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "department_members",
        sa.Column("department_code", sa.String(50), sa.ForeignKey("departments.code"), primary_key=True),
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("head", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_department_members_username", "department_members", ["username"])
    # Tasks that were ready before this revision keep their lane as candidate group ('*': a task outside lanes).
    op.execute("INSERT INTO task_candidates (task_id, kind, name) SELECT id, 'group', COALESCE(lane, '*') "
               "FROM human_tasks WHERE state = 'ready'")


def downgrade() -> None:
    op.drop_table("department_members")
    op.drop_table("departments")
    op.drop_table("task_candidates")
    with op.batch_alter_table("human_tasks") as batch:
        batch.drop_index("ix_human_tasks_assignee")
        for column in ("case_title", "assigned_via", "owner", "assignee"):
            batch.drop_column(column)
