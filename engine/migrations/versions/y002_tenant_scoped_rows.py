"""the organisation of the engine's tenant-scoped rows (engine.tenancy): org_id on every table whose rows belong
to one enterprise or federation; rows that existed before belong to the installation's first organisation (id 1)

Revision ID: y002
Revises: ("y001", "l001", "n001")
"""

import sqlalchemy as sa
from alembic import op

revision = "y002"
down_revision = ("y001", "l001", "n001")
branch_labels = None
depends_on = None

TABLES = (
    "deployments",
    "deployment_files",
    "process_versions",
    "instances",
    "human_tasks",
    "task_candidates",
    "incidents",
    "timer_schedules",
    "message_subscriptions",
    "departments",
    "department_members",
    "user_roles",
    "api_tokens",
    "recomputable_values",
    "notification_keys",
    "notifications",
    "outbox_messages",
)


def _tables() -> list[str]:
    """The scoped tables that exist (the domain's own migrations may not have run in an engine-only database)."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    return [t for t in TABLES if t in present]


def upgrade() -> None:
    for table in _tables():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("org_id", sa.Integer(), nullable=False, server_default="1"))
            batch.create_foreign_key(op.f(f"fk_{table}_org_id_organisations"), "organisations", ["org_id"], ["id"])
            batch.create_index(op.f(f"ix_{table}_org_id"), ["org_id"])


def downgrade() -> None:
    for table in _tables():
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f"ix_{table}_org_id"))
            batch.drop_constraint(op.f(f"fk_{table}_org_id_organisations"), type_="foreignkey")
            batch.drop_column("org_id")
