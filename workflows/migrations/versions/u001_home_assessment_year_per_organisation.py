"""a 职工之家 assessment's year is unique within its organisation (two enterprises may each assess 2025), no
longer across the installation

Revision ID: u001
Revises: y005
"""

from alembic import op

revision = "u001"
down_revision = "y005"
branch_labels = None
depends_on = None

TABLE, COLUMN = "home_assessments", "year"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(op.f(f"uq_{TABLE}_{COLUMN}"), type_="unique")
        batch.create_unique_constraint(op.f(f"uq_{TABLE}_org_id_{COLUMN}"), ["org_id", COLUMN])


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(op.f(f"uq_{TABLE}_org_id_{COLUMN}"), type_="unique")
        batch.create_unique_constraint(op.f(f"uq_{TABLE}_{COLUMN}"), [COLUMN])
