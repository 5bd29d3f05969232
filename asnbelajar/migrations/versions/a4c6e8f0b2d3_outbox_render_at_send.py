"""outbox: emails rendered when they are sent (template name and JSON context)

A registration queues its confirmation while it holds the episode's lock; the sender
renders it (notifications/rendering.py). Plain nullable ADD COLUMNs: existing rows are
already rendered.

Revision ID: a4c6e8f0b2d3
Revises: c3e5a7b9d1f2
Create Date: 2026-12-04 16:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a4c6e8f0b2d3'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_email', sa.Column('template', sa.String(length=100), nullable=True))
    op.add_column('outbox_email', sa.Column('context', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_email') as batch:
        batch.drop_column('context')
        batch.drop_column('template')
