"""process versions are numbered per organisation (an enterprise's own diagram does not take the installation's
numbers), and a unique business key is unique within its organisation

Revision ID: y004
Revises: ("y002", "d002")
"""

from alembic import op

revision = "y004"
down_revision = ("y002", "d002")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_versions") as batch:
        batch.drop_constraint(op.f("uq_process_versions_process_id_version"), type_="unique")
        batch.drop_constraint(op.f("uq_process_versions_process_id_content_hash"), type_="unique")
        batch.create_unique_constraint(op.f("uq_process_versions_org_id_process_id_version"),
                                       ["org_id", "process_id", "version"])
        batch.create_unique_constraint(op.f("uq_process_versions_org_id_process_id_content_hash"),
                                       ["org_id", "process_id", "content_hash"])
    op.drop_index("uq_instances_unique_business_key", table_name="instances")
    op.create_index("uq_instances_unique_business_key", "instances", ["org_id", "process_id", "unique_business_key"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_instances_unique_business_key", table_name="instances")
    op.create_index("uq_instances_unique_business_key", "instances", ["process_id", "unique_business_key"],
                    unique=True)
    with op.batch_alter_table("process_versions") as batch:
        batch.drop_constraint(op.f("uq_process_versions_org_id_process_id_content_hash"), type_="unique")
        batch.drop_constraint(op.f("uq_process_versions_org_id_process_id_version"), type_="unique")
        batch.create_unique_constraint(op.f("uq_process_versions_process_id_content_hash"),
                                       ["process_id", "content_hash"])
        batch.create_unique_constraint(op.f("uq_process_versions_process_id_version"), ["process_id", "version"])
