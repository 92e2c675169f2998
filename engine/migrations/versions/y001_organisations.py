"""organisations (tenants) and the organisation of every user

Revision ID: y001
Revises: p001
"""

import sqlalchemy as sa
from alembic import op

revision = "y001"
down_revision = "p001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("industry", sa.String(100), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["organisations.id"], name=op.f("fk_organisations_parent_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("code", name=op.f("uq_organisations_code")),
    )
    op.create_index(op.f("ix_organisations_parent_id"), "organisations", ["parent_id"])
    op.execute("INSERT INTO organisations (id, code, name, kind, settings, created_at) "
               "VALUES (1, 'default', '本单位', 'enterprise', '{}', CURRENT_TIMESTAMP)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1)")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("org_id", sa.Integer(), nullable=False, server_default="1"))
        batch.create_foreign_key(op.f("fk_users_org_id_organisations"), "organisations", ["org_id"], ["id"])
        batch.create_index(op.f("ix_users_org_id"), ["org_id"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index(op.f("ix_users_org_id"))
        batch.drop_constraint(op.f("fk_users_org_id_organisations"), type_="foreignkey")
        batch.drop_column("org_id")
    op.drop_index(op.f("ix_organisations_parent_id"), "organisations")
    op.drop_table("organisations")
