"""congress organisation: session, presidium, committees, joint meetings, amendments, speakers, minutes

Revision ID: g001
Revises: s001
"""

import sqlalchemy as sa
from alembic import op

revision = 'g001'
down_revision = 's001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('congress_committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['congress_terms.id'], name=op.f('fk_congress_committees_term_id_congress_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_committees')),
    sa.UniqueConstraint('term_id', 'kind', name=op.f('uq_congress_committees_term_id_kind'))
    )
    with op.batch_alter_table('congress_committees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_committees_term_id'), ['term_id'], unique=False)

    op.create_table('congress_joint_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['congress_terms.id'], name=op.f('fk_congress_joint_meetings_term_id_congress_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_joint_meetings'))
    )
    with op.batch_alter_table('congress_joint_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_joint_meetings_term_id'), ['term_id'], unique=False)

    op.create_table('congress_committee_members',
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.Column('is_head', sa.Boolean(), nullable=False),
    sa.Column('approved_meeting_id', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_meeting_id'], ['congress_meetings.id'], name=op.f('fk_congress_committee_members_approved_meeting_id_congress_meetings')),
    sa.ForeignKeyConstraint(['committee_id'], ['congress_committees.id'], name=op.f('fk_congress_committee_members_committee_id_congress_committees')),
    sa.ForeignKeyConstraint(['representative_id'], ['congress_representatives.id'], name=op.f('fk_congress_committee_members_representative_id_congress_representatives')),
    sa.PrimaryKeyConstraint('committee_id', 'representative_id', name=op.f('pk_congress_committee_members'))
    )
    op.create_table('congress_delegation_heads',
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('delegation', sa.String(length=100), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['representative_id'], ['congress_representatives.id'], name=op.f('fk_congress_delegation_heads_representative_id_congress_representatives')),
    sa.ForeignKeyConstraint(['term_id'], ['congress_terms.id'], name=op.f('fk_congress_delegation_heads_term_id_congress_terms')),
    sa.PrimaryKeyConstraint('term_id', 'delegation', name=op.f('pk_congress_delegation_heads'))
    )
    op.create_table('congress_minutes',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['congress_meetings.id'], name=op.f('fk_congress_minutes_meeting_id_congress_meetings')),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_congress_minutes'))
    )
    op.create_table('congress_presidium_members',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['congress_meetings.id'], name=op.f('fk_congress_presidium_members_meeting_id_congress_meetings')),
    sa.ForeignKeyConstraint(['representative_id'], ['congress_representatives.id'], name=op.f('fk_congress_presidium_members_representative_id_congress_representatives')),
    sa.PrimaryKeyConstraint('meeting_id', 'representative_id', name=op.f('pk_congress_presidium_members'))
    )
    op.create_table('congress_session_records',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('proposed_by', sa.String(length=20), nullable=True),
    sa.Column('supporters_json', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('scrutineers_json', sa.Text(), nullable=False),
    sa.Column('preparatory_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['congress_meetings.id'], name=op.f('fk_congress_session_records_meeting_id_congress_meetings')),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_congress_session_records')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_congress_session_records_instance_id'))
    )
    op.create_table('congress_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_matter_id', sa.Integer(), nullable=False),
    sa.Column('vote_matter_id', sa.Integer(), nullable=False),
    sa.Column('clause_number', sa.Integer(), nullable=False),
    sa.Column('new_text', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('representative_id', sa.Integer(), nullable=True),
    sa.Column('delegation', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['draft_matter_id'], ['congress_matters.id'], name=op.f('fk_congress_amendments_draft_matter_id_congress_matters')),
    sa.ForeignKeyConstraint(['representative_id'], ['congress_representatives.id'], name=op.f('fk_congress_amendments_representative_id_congress_representatives')),
    sa.ForeignKeyConstraint(['vote_matter_id'], ['congress_matters.id'], name=op.f('fk_congress_amendments_vote_matter_id_congress_matters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_amendments')),
    sa.UniqueConstraint('vote_matter_id', name=op.f('uq_congress_amendments_vote_matter_id'))
    )
    with op.batch_alter_table('congress_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_amendments_draft_matter_id'), ['draft_matter_id'], unique=False)

    op.create_table('congress_joint_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirm_matter_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirm_matter_id'], ['congress_matters.id'], name=op.f('fk_congress_joint_decisions_confirm_matter_id_congress_matters')),
    sa.ForeignKeyConstraint(['joint_meeting_id'], ['congress_joint_meetings.id'], name=op.f('fk_congress_joint_decisions_joint_meeting_id_congress_joint_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_joint_decisions'))
    )
    with op.batch_alter_table('congress_joint_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_joint_decisions_joint_meeting_id'), ['joint_meeting_id'], unique=False)

    op.create_table('congress_matter_drafts',
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('clauses_json', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['congress_matters.id'], name=op.f('fk_congress_matter_drafts_matter_id_congress_matters')),
    sa.PrimaryKeyConstraint('matter_id', name=op.f('pk_congress_matter_drafts'))
    )
    op.create_table('congress_speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('spoken_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['matter_id'], ['congress_matters.id'], name=op.f('fk_congress_speakers_matter_id_congress_matters')),
    sa.ForeignKeyConstraint(['representative_id'], ['congress_representatives.id'], name=op.f('fk_congress_speakers_representative_id_congress_representatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_speakers'))
    )
    with op.batch_alter_table('congress_speakers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_speakers_matter_id'), ['matter_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('congress_speakers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_speakers_matter_id'))

    op.drop_table('congress_speakers')
    op.drop_table('congress_matter_drafts')
    with op.batch_alter_table('congress_joint_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_joint_decisions_joint_meeting_id'))

    op.drop_table('congress_joint_decisions')
    with op.batch_alter_table('congress_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_amendments_draft_matter_id'))

    op.drop_table('congress_amendments')
    op.drop_table('congress_session_records')
    op.drop_table('congress_presidium_members')
    op.drop_table('congress_minutes')
    op.drop_table('congress_delegation_heads')
    op.drop_table('congress_committee_members')
    with op.batch_alter_table('congress_joint_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_joint_meetings_term_id'))

    op.drop_table('congress_joint_meetings')
    with op.batch_alter_table('congress_committees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_committees_term_id'))

    op.drop_table('congress_committees')
