"""a business key unique per process where the diagram declares it (businessKeyUnique)

Revision ID: d001
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "d001"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("instances", sa.Column("unique_business_key", sa.String(length=200), nullable=True))
    # NULL (no key, or a process that does not declare uniqueness, or a terminated case) never collides.
    op.create_index("uq_instances_unique_business_key", "instances", ["process_id", "unique_business_key"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_instances_unique_business_key", table_name="instances")
    op.drop_column("instances", "unique_business_key")
