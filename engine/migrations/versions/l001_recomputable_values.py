"""values a step computed, kept with how they were computed (deadlines that follow the calendar)

Revision ID: l001
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "l001"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recomputable_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"],
                                name=op.f("fk_recomputable_values_instance_id_instances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recomputable_values")),
    )
    op.create_index(op.f("ix_recomputable_values_instance_id"), "recomputable_values", ["instance_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_recomputable_values_instance_id"), table_name="recomputable_values")
    op.drop_table("recomputable_values")
