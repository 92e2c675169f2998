"""workers' congress: roster, meetings, matters, check-in, votes, ballots

Revision ID: w010
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "w010"
down_revision = "w001"
branch_labels = None
depends_on = None

REPS = "congress_representatives.id"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "congress_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("women_count", sa.Integer(), nullable=False),
        sa.Column("dispatched_count", sa.Integer(), nullable=False),
        _ts("created_at"), _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_congress_organisations_name")),
    )
    op.create_table(
        "congress_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        _ts("created_at"),
        _fk("congress_terms", "organisation_id", "congress_organisations.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_terms")),
        sa.UniqueConstraint("organisation_id", "number", name=op.f("uq_congress_terms_organisation_id_number")),
    )
    _index("congress_terms", "organisation_id")
    op.create_table(
        "congress_representatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("employee_no", sa.String(length=50), nullable=False),
        sa.Column("delegation", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.Column("elected_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        _ts("created_at"),
        _fk("congress_representatives", "term_id", "congress_terms.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_representatives")),
    )
    _index("congress_representatives", "term_id")
    _index("congress_representatives", "username")
    op.create_table(
        "congress_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("session_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _ts("created_at"),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _ts("convened_at", True), _ts("closed_at", True),
        _fk("congress_meetings", "term_id", "congress_terms.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_meetings")),
        sa.UniqueConstraint("term_id", "session_number", name=op.f("uq_congress_meetings_term_id_session_number")),
    )
    _index("congress_meetings", "term_id")
    op.create_table(
        "congress_matters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("matter_type", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("at_least_half_allowed", sa.Boolean(), nullable=False),
        sa.Column("decision_sha256", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _fk("congress_matters", "meeting_id", "congress_meetings.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_matters")),
        sa.UniqueConstraint("meeting_id", "position", name=op.f("uq_congress_matters_meeting_id_position")),
    )
    _index("congress_matters", "meeting_id")
    op.create_table(
        "congress_check_ins",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        _ts("checked_in_at"),
        sa.Column("checked_in_by", sa.String(length=100), nullable=False),
        _fk("congress_check_ins", "meeting_id", "congress_meetings.id"),
        _fk("congress_check_ins", "representative_id", REPS),
        sa.PrimaryKeyConstraint("meeting_id", "representative_id", name=op.f("pk_congress_check_ins")),
    )
    op.create_table(
        "congress_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
        _fk("congress_opinions", "matter_id", "congress_matters.id"),
        _fk("congress_opinions", "representative_id", REPS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_opinions")),
    )
    _index("congress_opinions", "matter_id")
    _create_votes()


def _create_votes() -> None:
    counts = ("seated", "present", "quorum_required", "votes_required")
    results = ("ballots_issued", "ballots_cast", "valid", "votes_for", "votes_against", "abstentions")
    op.create_table(
        "congress_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("majority", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("allow_proxies", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _ts("opened_at"),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        _ts("closed_at", True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counts),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in results),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("seal_hash", sa.String(length=64), nullable=True),
        _fk("congress_votes", "matter_id", "congress_matters.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_votes")),
        sa.UniqueConstraint("matter_id", name=op.f("uq_congress_votes_matter_id")),
    )
    op.create_table(
        "congress_named_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        _ts("cast_at"),
        sa.Column("cast_by", sa.String(length=100), nullable=False),
        _fk("congress_named_ballots", "vote_id", "congress_votes.id"),
        _fk("congress_named_ballots", "representative_id", REPS),
        sa.PrimaryKeyConstraint("vote_id", "representative_id", name=op.f("pk_congress_named_ballots")),
    )
    op.create_table(
        "congress_participation",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("cast_by", sa.String(length=100), nullable=False),
        _fk("congress_participation", "vote_id", "congress_votes.id"),
        _fk("congress_participation", "representative_id", REPS),
        sa.PrimaryKeyConstraint("vote_id", "representative_id", name=op.f("pk_congress_participation")),
    )
    # WITHOUT ROWID: SQLite stores the rows in the order of their random primary key, so no hidden
    # rowid records the order in which ballots were cast (see workflows/ballots.py).
    op.create_table(
        "congress_secret_ballots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        _fk("congress_secret_ballots", "vote_id", "congress_votes.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_secret_ballots")),
        sqlite_with_rowid=False,
    )
    _index("congress_secret_ballots", "vote_id")


def downgrade() -> None:
    for table in ("congress_secret_ballots", "congress_participation", "congress_named_ballots", "congress_votes",
                  "congress_opinions", "congress_check_ins", "congress_matters", "congress_meetings",
                  "congress_representatives", "congress_terms", "congress_organisations"):
        op.drop_table(table)
