"""outbox: a "sending" state with claim time and owner, a stable Message-ID, and a
retry deadline, so a crash resends at most once and mail is retried for days

Revision ID: 7e3b1c9d4a20
Revises: 5d2c8a91e7b4
Create Date: 2026-12-04 08:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7e3b1c9d4a20'
down_revision = '5d2c8a91e7b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_email_status'), type_='check')
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('give_up_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_email_status'),
            "status IN ('pending', 'sending', 'sent', 'failed')")
        batch_op.create_index(batch_op.f('ix_outbox_email_to_addr'), ['to_addr'], unique=False)


def downgrade():
    op.execute("UPDATE outbox_email SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_email_to_addr'))
        batch_op.drop_constraint(batch_op.f('ck_outbox_email_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_email_status'), "status IN ('pending', 'sent', 'failed')")
        batch_op.drop_column('give_up_at')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('message_id')
