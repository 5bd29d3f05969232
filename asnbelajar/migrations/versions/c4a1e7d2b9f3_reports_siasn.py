"""reports: agency headcounts per year, per-speaker evaluation scores, NIP status, SIASN
credentials and push status, indexes for yearly reports

Revision ID: c4a1e7d2b9f3
Revises: 0f77bd5d05df
Create Date: 2026-12-04 08:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a1e7d2b9f3'
down_revision = '0f77bd5d05df'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('instansi_headcount',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instansi_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('headcount >= 0', name=op.f('ck_instansi_headcount_headcount')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_instansi_headcount_year')),
    sa.ForeignKeyConstraint(['instansi_id'], ['instansi.id'], name=op.f('fk_instansi_headcount_instansi_id_instansi'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name=op.f('fk_instansi_headcount_updated_by_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instansi_headcount')),
    sa.UniqueConstraint('instansi_id', 'year', name=op.f('uq_instansi_headcount_instansi_id'))
    )
    op.create_table('evaluation_speaker_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_evaluation_speaker_score_score')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_speaker_score_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['speaker.id'], name=op.f('fk_evaluation_speaker_score_speaker_id_speaker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_speaker_score')),
    sa.UniqueConstraint('evaluation_id', 'speaker_id', name=op.f('uq_evaluation_speaker_score_evaluation_id'))
    )
    with op.batch_alter_table('evaluation_speaker_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_speaker_score_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_speaker_score_speaker_id'), ['speaker_id'], unique=False)

    op.create_table('siasn_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instansi_id', sa.Integer(), nullable=False),
    sa.Column('consumer_key', sa.String(length=200), nullable=False),
    sa.Column('consumer_secret_enc', sa.Text(), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.Column('password_enc', sa.Text(), nullable=False),
    sa.Column('siasn_instansi_id', sa.String(length=64), nullable=False),
    sa.Column('jenis_diklat_id', sa.String(length=20), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instansi_id'], ['instansi.id'], name=op.f('fk_siasn_credential_instansi_id_instansi'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name=op.f('fk_siasn_credential_updated_by_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_siasn_credential')),
    sa.UniqueConstraint('instansi_id', name=op.f('uq_siasn_credential_instansi_id'))
    )
    op.create_table('siasn_push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('instansi_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('remote_id', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'retried')", name=op.f('ck_siasn_push_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_siasn_push_attempts')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_siasn_push_certificate_id_certificate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['episode_id'], ['episode.id'], name=op.f('fk_siasn_push_episode_id_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instansi_id'], ['instansi.id'], name=op.f('fk_siasn_push_instansi_id_instansi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_siasn_push')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_siasn_push_certificate_id'))
    )
    with op.batch_alter_table('siasn_push', schema=None) as batch_op:
        batch_op.create_index('ix_siasn_push_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_siasn_push_instansi_id'), ['instansi_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_siasn_push_episode_id'), ['episode_id'], unique=False)

    with op.batch_alter_table('participant_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nip_status', sa.String(length=20), nullable=False,
                                      server_default='self_declared'))
        batch_op.create_check_constraint(
            op.f('ck_participant_profile_nip_status'), "nip_status IN ('self_declared', 'confirmed', 'disputed')")

    # Yearly reports read the ledger by year first (sum of JP per person in a year); the
    # covering index answers that without touching the table. Plain CREATE INDEX, not a
    # batch operation: on SQLite a batch rebuild of ledger_entry would drop its triggers.
    op.create_index('ix_ledger_entry_year_user', 'ledger_entry',
                    ['year', 'user_id', 'jp', 'episode_id'], unique=False)
    op.create_index('ix_episode_year', 'episode', ['year'], unique=False)


def downgrade():
    op.drop_index('ix_episode_year', table_name='episode')
    op.drop_index('ix_ledger_entry_year_user', table_name='ledger_entry')
    with op.batch_alter_table('participant_profile', schema=None) as batch_op:
        batch_op.drop_constraint('ck_participant_profile_nip_status', type_='check')
        batch_op.drop_column('nip_status')
    with op.batch_alter_table('siasn_push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_siasn_push_episode_id'))
        batch_op.drop_index(batch_op.f('ix_siasn_push_instansi_id'))
        batch_op.drop_index('ix_siasn_push_status')
    op.drop_table('siasn_push')
    op.drop_table('siasn_credential')
    with op.batch_alter_table('evaluation_speaker_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_speaker_score_speaker_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_speaker_score_evaluation_id'))
    op.drop_table('evaluation_speaker_score')
