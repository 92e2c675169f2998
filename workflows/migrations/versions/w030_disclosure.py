"""factory-affairs disclosure: catalogue, disclosures, attachments, reviews, publications, questions, ratings,
rectifications

Revision ID: w030
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "w030"
down_revision = "w001"
branch_labels = None
depends_on = None

DISCLOSURES = "disclosures.id"
CHILDREN = ("disclosure_attachments", "disclosure_reviews", "disclosure_publications", "disclosure_questions",
            "disclosure_ratings", "disclosure_rectifications")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _bool(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _child(table: str, *columns, unique: tuple[str, ...] = ()) -> None:
    """A table with an id and a disclosure_id (indexed), plus `columns`."""
    constraints = [_fk(table, "disclosure_id", DISCLOSURES), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]
    if unique:
        constraints.append(sa.UniqueConstraint(*unique, name=op.f(f"uq_{table}_{'_'.join(unique)}")))
    op.create_table(table, _int("id"), _int("disclosure_id"), *columns, *constraints)
    _index(table, "disclosure_id")


def upgrade() -> None:
    op.create_table(
        "disclosure_items",
        _int("id"), _str("code", 60), _str("title", 200), _str("category", 30), _str("topic", 40, True),
        _text("legal_basis"), _str("frequency", 10), _text("channels_json"), _str("owner_role", 100),
        _bool("congress_first"), _bool("confidentiality_check"), _int("feedback_days", True), _bool("active"),
        _ts("created_at"), _str("created_by", 100), _ts("updated_at"), _str("updated_by", 100),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_items")),
        sa.UniqueConstraint("code", name=op.f("uq_disclosure_items_code")),
    )
    op.create_table(
        "disclosures",
        _int("id"), _int("item_id"), _str("instance_id", 36, True), _str("period", 20, True), _str("title", 300),
        _str("status", 30), _str("owner_role", 100), _bool("congress_first"), _bool("confidentiality_check"),
        _int("feedback_days"), _text("content", True), _str("period_note", 200, True), _text("channels_json"),
        _int("draft_version"), _ts("publish_due"), _ts("publication_late_at", True), _ts("submitted_at", True),
        _ts("approved_at", True), _ts("published_at", True), _str("published_by", 100, True),
        _ts("feedback_until", True), _ts("closed_at", True), _ts("rating_until", True), _ts("archived_at", True),
        _str("archive_sha256", 64, True), _ts("created_at"), _str("created_by", 100), _ts("updated_at"),
        _fk("disclosures", "item_id", "disclosure_items.id"),
        _fk("disclosures", "instance_id", "instances.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_disclosures_instance_id")),
        sa.UniqueConstraint("item_id", "period", name=op.f("uq_disclosures_item_id_period")),
    )
    _index("disclosures", "item_id")
    _index("disclosures", "status")
    _child("disclosure_attachments", _str("filename", 200), _str("media_type", 100), _int("size"),
           _str("sha256", 64), sa.Column("content", sa.LargeBinary(), nullable=False), _str("uploaded_by", 100),
           _ts("uploaded_at"))
    _child("disclosure_reviews", _str("stage", 20), _str("decision", 20), _text("details_json"),
           _str("reviewer", 100, True), _ts("reviewed_at"))
    _child("disclosure_publications", _str("channel", 30), _str("location", 200, True), _str("posted_by", 100),
           _ts("posted_at"), _ts("recorded_at"))
    _child("disclosure_questions", _str("kind", 20), _text("body"), _str("asked_by", 100), _str("visibility", 20),
           _ts("asked_at"), _ts("answer_due"), _text("answer", True), _str("answered_by", 100, True),
           _ts("answered_at", True), _ts("escalated_at", True))
    _child("disclosure_ratings", _str("username", 100), _str("satisfaction", 30), _text("comment", True),
           _ts("rated_at"), unique=("disclosure_id", "username"))
    _child("disclosure_rectifications", _text("requirements"), _str("ordered_by", 100, True), _ts("ordered_at"),
           _ts("due_at"), _ts("overdue_at", True), _text("report", True), _str("reported_by", 100, True),
           _ts("reported_at", True))


def downgrade() -> None:
    for table in reversed(CHILDREN):
        op.drop_index(op.f(f"ix_{table}_disclosure_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_disclosures_status"), table_name="disclosures")
    op.drop_index(op.f("ix_disclosures_item_id"), table_name="disclosures")
    op.drop_table("disclosures")
    op.drop_table("disclosure_items")
