"""certificates freeze the time zone their dates are printed in, and the episode's times

A participant's certificate prints the episode's day and hours in the participant's own
zone (WIB, WITA or WIT), so the frozen data records which zone it used and the start and
end it was computed from. Certificates issued before keep NULL here and print exactly the
text they always printed (the day in the episode's zone, no hours).

Plain ADD COLUMN of nullable columns: no table rebuild on SQLite.

Revision ID: d5f7b9c1e3a4
Revises: b8177c03c72f
Create Date: 2026-12-04 16:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd5f7b9c1e3a4'
down_revision = 'b8177c03c72f'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('certificate', sa.Column('timezone', sa.String(length=40), nullable=True))
    op.add_column('certificate', sa.Column('held_from', sa.DateTime(), nullable=True))
    op.add_column('certificate', sa.Column('held_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('certificate') as batch:
        batch.drop_column('held_until')
        batch.drop_column('held_from')
        batch.drop_column('timezone')
