"""the organisation of the domain's tenant-scoped rows (engine.tenancy): org_id on every congress, contract,
disclosure, casework and inspection table; rows that existed before belong to the installation's first organisation (id 1)

Revision ID: y003
Revises: ("y002", "k001", "e001", "g001", "i002", "l002", "l003", "o001", "w002")
"""

import sqlalchemy as sa
from alembic import op

revision = "y003"
down_revision = ("y002", "k001", "e001", "g001", "i002", "l002", "l003", "o001", "w002")
branch_labels = None
depends_on = None

# Ballots, participation and appraisal counts stay without it: they carry as little as a secret vote needs, and
# are reached only through their vote, round or appraisal, which is scoped.
TABLES = (
    "documents",
    "inspections",
    "inspection_findings",
    "congress_session_records",
    "congress_presidium_members",
    "congress_committees",
    "congress_committee_members",
    "congress_delegation_heads",
    "congress_joint_meetings",
    "congress_joint_decisions",
    "congress_matter_drafts",
    "congress_amendments",
    "congress_speakers",
    "congress_minutes",
    "congress_elections",
    "congress_election_posts",
    "congress_candidates",
    "congress_election_rounds",
    "congress_scrutineers",
    "congress_scrutineer_approvals",
    "congress_scrutineer_confirmations",
    "congress_organisations",
    "congress_terms",
    "congress_representatives",
    "congress_meetings",
    "congress_matters",
    "congress_check_ins",
    "congress_opinions",
    "congress_votes",
    "congress_proposals",
    "congress_cosignatures",
    "mediation_cases",
    "mediation_sessions",
    "mediation_committee_members",
    "legal_aid_cases",
    "hardship_cases",
    "hardship_objections",
    "hardship_payments",
    "appraisals",
    "appraisal_items",
    "home_criteria",
    "home_assessments",
    "home_scores",
    "calendar_overrides",
    "contract_performance_disputes",
    "contract_dispute_sessions",
    "contracts",
    "contract_negotiators",
    "contract_vacancies",
    "contract_meetings",
    "contract_drafts",
    "contract_sign_offs",
    "contract_disputes",
    "contract_filings",
    "contract_objections",
    "contract_changes",
    "contract_performance_reports",
    "disclosure_items",
    "disclosures",
    "disclosure_attachments",
    "disclosure_reviews",
    "disclosure_publications",
    "disclosure_questions",
    "disclosure_ratings",
    "disclosure_rectifications",
)


def _tables() -> list[str]:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    return [t for t in TABLES if t in present]


def upgrade() -> None:
    for table in _tables():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("org_id", sa.Integer(), nullable=False, server_default="1"))
            batch.create_foreign_key(op.f(f"fk_{table}_org_id_organisations"), "organisations", ["org_id"], ["id"])
            batch.create_index(op.f(f"ix_{table}_org_id"), ["org_id"])


def downgrade() -> None:
    for table in _tables():
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f"ix_{table}_org_id"))
            batch.drop_constraint(op.f(f"fk_{table}_org_id_organisations"), type_="foreignkey")
            batch.drop_column("org_id")
