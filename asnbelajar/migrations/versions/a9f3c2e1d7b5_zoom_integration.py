"""zoom: the organizers' Server-to-Server OAuth connection (secret encrypted), the Zoom
meeting or webinar of an episode, and each registration's Zoom registrant

Revision ID: a9f3c2e1d7b5
Revises: 7e3b1c9d4a20
Create Date: 2026-12-04 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9f3c2e1d7b5'
down_revision = '7e3b1c9d4a20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'zoom_connection',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('account_id', sa.String(length=100), nullable=False),
        sa.Column('client_id', sa.String(length=100), nullable=False),
        sa.Column('client_secret_enc', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('tested_at', sa.DateTime(), nullable=True),
        sa.Column('test_ok', sa.Boolean(), nullable=True),
        sa.Column('test_message', sa.String(length=500), nullable=True),
        sa.CheckConstraint('id = 1', name=op.f('ck_zoom_connection_single_row')),
        sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ondelete='SET NULL',
                                name=op.f('fk_zoom_connection_updated_by_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_zoom_connection')),
    )
    op.create_table(
        'zoom_meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('episode_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('zoom_id', sa.String(length=32), nullable=False),
        sa.Column('join_url', sa.String(length=1000), nullable=False),
        sa.Column('registration_required', sa.Boolean(), nullable=False),
        sa.Column('auto_recording', sa.String(length=10), nullable=False),
        sa.Column('synced_topic', sa.String(length=300), nullable=False),
        sa.Column('synced_start', sa.DateTime(), nullable=False),
        sa.Column('synced_duration', sa.Integer(), nullable=False),
        sa.Column('synced_timezone', sa.String(length=64), nullable=False),
        sa.Column('synced_at', sa.DateTime(), nullable=False),
        sa.Column('sync_error', sa.String(length=500), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('report_pulled_at', sa.DateTime(), nullable=True),
        sa.Column('report_rows', sa.Integer(), nullable=True),
        sa.Column('report_error', sa.String(length=500), nullable=True),
        sa.Column('report_attempts', sa.Integer(), nullable=False),
        sa.Column('report_next_at', sa.DateTime(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('meeting', 'webinar')", name=op.f('ck_zoom_meeting_kind')),
        sa.CheckConstraint("auto_recording IN ('none', 'local', 'cloud')",
                           name=op.f('ck_zoom_meeting_auto_recording')),
        sa.CheckConstraint('report_attempts >= 0', name=op.f('ck_zoom_meeting_report_attempts')),
        sa.ForeignKeyConstraint(['created_by'], ['user.id'], ondelete='SET NULL',
                                name=op.f('fk_zoom_meeting_created_by_user')),
        sa.ForeignKeyConstraint(['episode_id'], ['episode.id'], ondelete='CASCADE',
                                name=op.f('fk_zoom_meeting_episode_id_episode')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_zoom_meeting')),
        sa.UniqueConstraint('episode_id', name=op.f('uq_zoom_meeting_episode_id')),
        sa.UniqueConstraint('zoom_id', name=op.f('uq_zoom_meeting_zoom_id')),
    )
    op.create_table(
        'zoom_registrant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('registrant_id', sa.String(length=64), nullable=True),
        sa.Column('join_url', sa.String(length=1000), nullable=True),
        sa.Column('registered_at', sa.DateTime(), nullable=True),
        sa.Column('notified_at', sa.DateTime(), nullable=True),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['zoom_meeting.id'], ondelete='CASCADE',
                                name=op.f('fk_zoom_registrant_meeting_id_zoom_meeting')),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE',
                                name=op.f('fk_zoom_registrant_registration_id_registration')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_zoom_registrant_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_zoom_registrant')),
        sa.UniqueConstraint('meeting_id', 'registrant_id',
                            name=op.f('uq_zoom_registrant_meeting_id_registrant_id')),
        sa.UniqueConstraint('registration_id', name=op.f('uq_zoom_registrant_registration_id')),
    )
    with op.batch_alter_table('zoom_registrant', schema=None) as batch_op:
        batch_op.create_index('ix_zoom_registrant_meeting_next', ['meeting_id', 'next_attempt_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_zoom_registrant_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('zoom_registrant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zoom_registrant_user_id'))
        batch_op.drop_index('ix_zoom_registrant_meeting_next')
    op.drop_table('zoom_registrant')
    op.drop_table('zoom_meeting')
    op.drop_table('zoom_connection')
