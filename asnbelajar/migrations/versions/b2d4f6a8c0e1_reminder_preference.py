"""participants can turn reminders off

Plain ADD COLUMN with a server default (no batch rebuild of ``user``, which every other
table points at): everyone keeps receiving reminders until they say otherwise.

Revision ID: b2d4f6a8c0e1
Revises: f1a2c3d4e5b6
Create Date: 2026-12-04 09:58:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b2d4f6a8c0e1'
down_revision = 'f1a2c3d4e5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('reminders_enabled', sa.Boolean(), nullable=False,
                                    server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('reminders_enabled')
