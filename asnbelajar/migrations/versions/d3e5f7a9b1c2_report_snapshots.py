"""reports: snapshots of a year's figures (served at province scale)

Revision ID: d3e5f7a9b1c2
Revises: a9f3c2e1d7b5
Create Date: 2026-12-04 08:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd3e5f7a9b1c2'
down_revision = 'a9f3c2e1d7b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshot')),
    sa.UniqueConstraint('kind', 'year', name=op.f('uq_report_snapshot_kind'))
    )


def downgrade():
    op.drop_table('report_snapshot')
