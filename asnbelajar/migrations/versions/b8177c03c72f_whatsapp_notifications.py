"""whatsapp: the outbox gains a channel (email | whatsapp), participants opt in to
WhatsApp, and organizers' WhatsApp Business Cloud API connection (token encrypted)

``outbox_email.channel`` is NOT NULL with a server default, so existing rows are email:
PostgreSQL adds it without rewriting the table; SQLite rebuilds the table (batch mode) to
add the check constraint. ``participant_profile.whatsapp_opt_in_at`` is a plain nullable
ADD COLUMN. The outbox's ``template``/``context`` columns (render at send time: template
name and its JSON context) came with a4c6e8f0b2d3 and also carry WhatsApp templates.

Revision ID: b8177c03c72f
Revises: a4c6e8f0b2d3
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b8177c03c72f'
down_revision = 'a4c6e8f0b2d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False,
                                      server_default=sa.text("'email'")))
        batch_op.create_check_constraint(batch_op.f('ck_outbox_email_channel'),
                                         "channel IN ('email', 'whatsapp')")
        batch_op.create_index('ix_outbox_email_channel_status', ['channel', 'status'],
                              unique=False)

    op.add_column('participant_profile',
                  sa.Column('whatsapp_opt_in_at', sa.DateTime(), nullable=True))

    op.create_table(
        'whatsapp_connection',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('phone_number_id', sa.String(length=40), nullable=False),
        sa.Column('access_token_enc', sa.Text(), nullable=False),
        sa.Column('reminder_template', sa.String(length=512), nullable=True),
        sa.Column('certificate_template', sa.String(length=512), nullable=True),
        sa.Column('language_code', sa.String(length=15), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('tested_at', sa.DateTime(), nullable=True),
        sa.Column('test_ok', sa.Boolean(), nullable=True),
        sa.Column('test_message', sa.String(length=500), nullable=True),
        sa.Column('failure', sa.String(length=500), nullable=True),
        sa.Column('failure_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('id = 1', name=op.f('ck_whatsapp_connection_single_row')),
        sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ondelete='SET NULL',
                                name=op.f('fk_whatsapp_connection_updated_by_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_whatsapp_connection')),
    )


def downgrade():
    op.drop_table('whatsapp_connection')
    with op.batch_alter_table('participant_profile', schema=None) as batch_op:
        batch_op.drop_column('whatsapp_opt_in_at')
    # WhatsApp messages have no place in an email-only outbox.
    op.execute("DELETE FROM outbox_email WHERE channel <> 'email'")
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_email_channel_status')
        batch_op.drop_constraint(batch_op.f('ck_outbox_email_channel'), type_='check')
        batch_op.drop_column('channel')
