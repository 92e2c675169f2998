"""each organisation enters its own calendar days: calendar overrides keyed by (org_id, day)

Revision ID: z002
Revises: u001
"""

import sqlalchemy as sa
from alembic import op

revision = "z002"
down_revision = "u001"
branch_labels = None
depends_on = None

NAMES = {"pk": "pk_%(table_name)s"}


def _rekey(columns: list[str]) -> None:
    name = sa.inspect(op.get_bind()).get_pk_constraint("calendar_overrides")["name"] or "pk_calendar_overrides"
    with op.batch_alter_table("calendar_overrides", naming_convention=NAMES) as batch:
        batch.drop_constraint(name, type_="primary")
        batch.create_primary_key("pk_calendar_overrides", columns)


def upgrade() -> None:
    _rekey(["org_id", "day"])


def downgrade() -> None:  # only the installation's days can keep their key: the others' are dropped
    op.execute("DELETE FROM calendar_overrides WHERE org_id <> 1")
    _rekey(["day"])
