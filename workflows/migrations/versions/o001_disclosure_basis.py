"""The statutory catalogue items' legal basis without the internal verification marks "(U)" / "(V~)".

Items whose basis an administrator edited are left as they are.

Revision ID: o001
Revises: w030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "o001"
down_revision = "w030"
branch_labels = None
depends_on = None

OLD = "中办发〔2002〕13号 (U); 企业民主管理规定 (2012) 厂务公开 (U); 河北省厂务公开规定 (V~)"
NEW = ("中办发〔2002〕13号《关于在国有企业、集体企业及其控股企业深入实行厂务公开制度的通知》；"
       "企业民主管理规定（2012）；省级厂务公开规定")


def _replace(old: str, new: str) -> None:
    op.execute(sa.text("UPDATE disclosure_items SET legal_basis = :new WHERE legal_basis = :old")
               .bindparams(new=new, old=old))


def upgrade() -> None:
    _replace(OLD, NEW)


def downgrade() -> None:
    _replace(NEW, OLD)
