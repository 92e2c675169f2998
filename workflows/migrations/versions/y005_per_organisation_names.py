"""an enterprise's name in the congress tables and a disclosure catalogue's item codes are unique within their
organisation (two enterprises may both have a catalogue item ``pay``)

Revision ID: y005
Revises: y003
"""

from alembic import op

revision = "y005"
down_revision = "y003"
branch_labels = None
depends_on = None

CHANGES = (("congress_organisations", "name"), ("disclosure_items", "code"))


def upgrade() -> None:
    for table, column in CHANGES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"uq_{table}_{column}"), type_="unique")
            batch.create_unique_constraint(op.f(f"uq_{table}_org_id_{column}"), ["org_id", column])


def downgrade() -> None:
    for table, column in CHANGES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"uq_{table}_org_id_{column}"), type_="unique")
            batch.create_unique_constraint(op.f(f"uq_{table}_{column}"), [column])
