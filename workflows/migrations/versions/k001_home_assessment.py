"""casework: the yearly "职工之家" assessment (criteria with their sources, scores per year)

Revision ID: k001
Revises: c004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "k001"
down_revision = "c004"
branch_labels = None
depends_on = None

# The default criteria (editable): practice of the unions' 建家 assessments, not statute (README marks them U).
DEFAULT_CRITERIA = [
    ("组织健全：工会委员会按期换届，职工代表大会制度健全", 20, "工会法 第11条; 企业民主管理规定 第7条"),
    ("民主管理：职代会按期召开，厂务公开落实", 20, "企业民主管理规定 第3条、第11条"),
    ("维护权益：集体合同签订履行，劳动争议调解及时", 20, "工会法 第6条、第21条; 劳动争议调解仲裁法 第10条"),
    ("服务职工：困难职工帮扶，职工文体活动", 15, "职工之家建设（中华全国总工会）"),
    ("会员评议：会员对工会工作的满意度", 15, "会员评家（中华全国总工会）"),
    ("自身建设：工会经费管理，会员发展", 10, "工会法 第43条"),
]


def upgrade() -> None:
    criteria = op.create_table(
        "home_criteria",
        sa.Column("id", sa.Integer(), primary_key=True), sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False), sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False), sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "home_assessments",
        sa.Column("id", sa.Integer(), primary_key=True), sa.Column("year", sa.Integer(), nullable=False, unique=True),
        sa.Column("total", sa.Integer(), nullable=False), sa.Column("max_total", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(20), nullable=False), sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assessed_by", sa.String(100), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "home_scores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("home_assessments.id"), nullable=False),
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("home_criteria.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False), sa.Column("source", sa.String(300), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False), sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_home_scores_assessment_id", "home_scores", ["assessment_id"])
    now = datetime.now(UTC)
    op.bulk_insert(criteria, [{"position": i, "name": name, "max_score": points, "source": source, "active": True,
                               "updated_by": "system", "updated_at": now}
                              for i, (name, points, source) in enumerate(DEFAULT_CRITERIA, start=1)])


def downgrade() -> None:
    op.drop_index("ix_home_scores_assessment_id", table_name="home_scores")
    op.drop_table("home_scores")
    op.drop_table("home_assessments")
    op.drop_table("home_criteria")
