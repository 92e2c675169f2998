"""department codes are an organisation's own: departments keyed by (org_id, code), their members by
(org_id, department_code, username)

Revision ID: y006
Revises: y004
"""

import sqlalchemy as sa
from alembic import op

revision = "y006"
down_revision = "y004"
branch_labels = None
depends_on = None

# SQLite keeps the first revision's keys unnamed: name them so that batch mode can drop them.
NAMES = {"pk": "pk_%(table_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _department_fk(bind) -> str | None:
    return next((f["name"] for f in sa.inspect(bind).get_foreign_keys("department_members")
                 if f["referred_table"] == "departments"), None)


def _rekey(members_pk: list[str], departments_pk: list[str], fk_columns: list[str], fk_referred: list[str],
           fk_name: str) -> None:
    bind = op.get_bind()
    old_fk = _department_fk(bind) or "fk_department_members_department_code_departments"
    members_pk_name = sa.inspect(bind).get_pk_constraint("department_members")["name"] or "pk_department_members"
    departments_pk_name = sa.inspect(bind).get_pk_constraint("departments")["name"] or "pk_departments"
    with op.batch_alter_table("department_members", naming_convention=NAMES) as batch:
        batch.drop_constraint(old_fk, type_="foreignkey")
    with op.batch_alter_table("departments", naming_convention=NAMES) as batch:
        batch.drop_constraint(departments_pk_name, type_="primary")
        batch.create_primary_key("pk_departments", departments_pk)
    with op.batch_alter_table("department_members", naming_convention=NAMES) as batch:
        batch.drop_constraint(members_pk_name, type_="primary")
        batch.create_primary_key("pk_department_members", members_pk)
        batch.create_foreign_key(fk_name, "departments", fk_columns, fk_referred)


def upgrade() -> None:
    _rekey(["org_id", "department_code", "username"], ["org_id", "code"], ["org_id", "department_code"],
           ["org_id", "code"], op.f("fk_department_members_org_id_departments"))


def downgrade() -> None:
    _rekey(["department_code", "username"], ["code"], ["department_code"], ["code"],
           op.f("fk_department_members_department_code_departments"))
