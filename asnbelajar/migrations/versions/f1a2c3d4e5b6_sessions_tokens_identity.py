"""sessions that end, expiring API tokens, login throttle, verified emails, NIP disputes

Plain ADD COLUMN (no batch rebuild): the new columns are nullable, and rebuilding ``user``
on SQLite would drop and recreate a table every other table points at.

Revision ID: f1a2c3d4e5b6
Revises: e7c1a2b3d4f5
Create Date: 2026-12-04 09:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f1a2c3d4e5b6'
down_revision = 'e7c1a2b3d4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    op.add_column('user', sa.Column('session_token', sa.String(length=32), nullable=True))
    op.add_column('api_token', sa.Column('expires_at', sa.DateTime(), nullable=True))
    # Accounts made by organizers (speakers, organizers) count as verified: an organizer
    # typed the address. Participants confirm theirs by the link.
    op.execute("UPDATE \"user\" SET email_verified_at = created_at WHERE role <> 'participant'")

    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('blocked_until', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')),
    )
    op.create_index(op.f('ix_login_throttle_updated_at'), 'login_throttle', ['updated_at'])

    op.create_table(
        'nip_dispute',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nip', sa.String(length=18), nullable=False),
        sa.Column('holder_user_id', sa.Integer(), nullable=True),
        sa.Column('claimant_user_id', sa.Integer(), nullable=True),
        sa.Column('claimant_name', sa.String(length=200), nullable=False),
        sa.Column('claimant_email', sa.String(length=254), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'upheld', 'rejected')",
                           name=op.f('ck_nip_dispute_status')),
        sa.ForeignKeyConstraint(['claimant_user_id'], ['user.id'],
                                name=op.f('fk_nip_dispute_claimant_user_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_nip_dispute_decided_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['holder_user_id'], ['user.id'],
                                name=op.f('fk_nip_dispute_holder_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nip_dispute')),
    )
    op.create_index(op.f('ix_nip_dispute_nip'), 'nip_dispute', ['nip'])
    op.create_index('uq_nip_dispute_open', 'nip_dispute', ['nip', 'claimant_email'],
                    unique=True, sqlite_where=sa.text("status = 'open'"),
                    postgresql_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_index('uq_nip_dispute_open', table_name='nip_dispute')
    op.drop_index(op.f('ix_nip_dispute_nip'), table_name='nip_dispute')
    op.drop_table('nip_dispute')
    op.drop_index(op.f('ix_login_throttle_updated_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
    op.drop_column('api_token', 'expires_at')
    op.drop_column('user', 'session_token')
    op.drop_column('user', 'email_verified_at')
