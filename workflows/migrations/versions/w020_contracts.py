"""collective contracts: contracts, negotiators, vacancies, meetings, drafts, sign-offs, disputes, filings, objections

Revision ID: w020
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "w020"
down_revision = "w001"
branch_labels = None
depends_on = None

CONTRACTS = "contracts.id"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _child(table: str, *columns, unique: tuple[str, ...] = (), fks: tuple[tuple[str, str], ...] = ()) -> None:
    """A table with an id and a contract_id (indexed), plus `columns`."""
    constraints = [_fk(table, "contract_id", CONTRACTS), *(_fk(table, c, t) for c, t in fks),
                   sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]
    if unique:
        constraints.append(sa.UniqueConstraint(*unique, name=op.f(f"uq_{table}_{'_'.join(unique)}")))
    op.create_table(table, _int("id"), _int("contract_id"), *columns, *constraints)
    _index(table, "contract_id")


def upgrade() -> None:
    op.create_table(
        "contracts",
        _int("id"), _str("kind", 20), _str("title", 200), _str("enterprise", 200), _str("union_name", 200),
        _str("stage", 30), _str("requesting_side", 10), _text("request_json"), _ts("received_at"),
        _int("term_years"), _str("adoption_majority", 20), _str("timezone", 60), _str("instance_id", 36, True),
        _int("previous_contract_id", True), _text("deadlines_json"), _text("reply_json", True),
        _text("escalation_json", True), _ts("representatives_confirmed_at", True), _text("preparation_json", True),
        _int("agreed_version", True), sa.Column("objection_pending", sa.Boolean(), nullable=False),
        _int("vote_id", True), _int("failed_vote_attempts"), _text("adoption_json", True), _ts("signed_at", True),
        _int("signed_version", True), _ts("effective_at", True), sa.Column("expires_on", sa.Date(), nullable=True),
        _ts("published_at", True), _text("publication_json", True), _text("notice_html", True),
        _str("notice_sha256", 64, True), _ts("created_at"), _str("created_by", 100), _ts("updated_at"),
        _fk("contracts", "instance_id", "instances.id"),
        _fk("contracts", "previous_contract_id", CONTRACTS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    _index("contracts", "stage")
    _index("contracts", "instance_id")
    _child("contract_negotiators",
           _str("side", 10), _str("name", 100), _str("person_id", 64), _str("username", 100, True),
           _str("gender", 10, True), _str("position", 100, True), sa.Column("is_chief", sa.Boolean(), nullable=False),
           _str("credential", 30), _str("delegation_ref", 200, True),
           sa.Column("outside_expert", sa.Boolean(), nullable=False), sa.Column("appointed_on", sa.Date(), nullable=False),
           sa.Column("ended_on", sa.Date(), nullable=True), _str("end_reason", 200, True), _int("replaces_id", True),
           _ts("created_at"))
    _child("contract_vacancies",
           _int("negotiator_id"), _str("side", 10), _str("reason", 200),
           sa.Column("occurred_on", sa.Date(), nullable=False), _ts("due_at", True),
           sa.Column("last_day", sa.Date(), nullable=True), _int("filled_by_id", True),
           sa.Column("filled_on", sa.Date(), nullable=True), _ts("overdue_at", True), _ts("created_at"),
           _str("created_by", 100),
           fks=(("negotiator_id", "contract_negotiators.id"),))
    _child("contract_meetings",
           _int("number"), sa.Column("held_on", sa.Date(), nullable=False), _str("place", 200), _str("chair_side", 10),
           _text("union_position"), _text("employer_position"), _text("minutes"), _str("outcome", 20),
           sa.Column("resume_on", sa.Date(), nullable=True), _int("draft_version", True), _str("recorded_by", 100),
           _ts("recorded_at"), _str("union_signed_by", 100, True), _ts("union_signed_at", True),
           _str("employer_signed_by", 100, True), _ts("employer_signed_at", True),
           unique=("contract_id", "number"))
    _child("contract_drafts",
           _int("version"), _text("clauses_json"), _text("note", True), _str("sha256", 64), _str("created_by", 100),
           _ts("created_at"),
           unique=("contract_id", "version"))
    _child("contract_sign_offs",
           _str("kind", 10), _int("draft_version"), _str("side", 10), _str("signed_by", 100), _ts("signed_at"),
           unique=("contract_id", "kind", "draft_version", "side"))
    _child("contract_disputes",
           _str("applied_by_side", 10), _str("applied_by", 100), _ts("applied_at"), _text("matters"),
           sa.Column("accepted_on", sa.Date(), nullable=True), _text("coordinators_json", True), _ts("due_at", True),
           _int("extended_days", True), _ts("overdue_at", True), _text("agreement_text", True),
           sa.Column("agreement_signed_on", sa.Date(), nullable=True), _ts("resolved_at", True))
    _child("contract_filings",
           _int("number"), _int("draft_version"), _ts("filed_at"), _str("filed_by", 100), _text("package_json"),
           _text("package_html"), _str("sha256", 64), _str("html_sha256", 64), _ts("received_at", True),
           _str("receipt_no", 100, True),
           unique=("contract_id", "number"))
    _child("contract_objections",
           _int("filing_id"), _text("clauses_json"), _text("opinion"), sa.Column("issued_on", sa.Date(), nullable=True),
           _str("document_no", 100, True), _ts("received_at"),
           fks=(("filing_id", "contract_filings.id"),))


def downgrade() -> None:
    for table in ("contract_objections", "contract_filings", "contract_disputes", "contract_sign_offs",
                  "contract_drafts", "contract_meetings", "contract_vacancies", "contract_negotiators"):
        op.drop_index(op.f(f"ix_{table}_contract_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_contracts_instance_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_stage"), table_name="contracts")
    op.drop_table("contracts")
