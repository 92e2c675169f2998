"""inspection: the unit's rectification and its follow-up (rectification deadline, escalation, per finding)

Revision ID: l003
Revises: i001
"""

import sqlalchemy as sa
from alembic import op

revision = "l003"
down_revision = "i001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.add_column(sa.Column("rectification_due", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rectification_escalated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("inspection_findings") as batch:
        batch.add_column(sa.Column("rectification", sa.Text(), nullable=True))
        batch.add_column(sa.Column("rectified_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection_findings") as batch:
        batch.drop_column("rectified_at")
        batch.drop_column("rectified_by")
        batch.drop_column("rectification")
    with op.batch_alter_table("inspections") as batch:
        batch.drop_column("rectification_escalated_at")
        batch.drop_column("rectification_due")
