"""certificate designs, stored certificate files, case-insensitive verification codes

Revision ID: 5d2c8a91e7b4
Revises: c4a1e7d2b9f3
Create Date: 2026-12-04 08:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2c8a91e7b4'
down_revision = 'c4a1e7d2b9f3'
branch_labels = None
depends_on = None

# services.code_key in SQL: upper case, separators dropped, Crockford look-alikes folded.
CODE_KEY_SQL = (
    "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(UPPER(verification_code), '-', ''), ' ', ''),"
    " 'O', '0'), 'I', '1'), 'L', '1')"
)


def upgrade():
    op.create_table('certificate_design',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('issuer_lines', sa.Text(), nullable=True),
    sa.Column('title', sa.String(length=60), nullable=True),
    sa.Column('intro', sa.String(length=200), nullable=True),
    sa.Column('participant_wording', sa.Text(), nullable=True),
    sa.Column('speaker_wording', sa.Text(), nullable=True),
    sa.Column('signer_name', sa.String(length=200), nullable=True),
    sa.Column('signer_title', sa.String(length=200), nullable=True),
    sa.Column('signer_nip', sa.String(length=18), nullable=True),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('background', sa.LargeBinary(), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('speakers_page', sa.Boolean(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('(program_id IS NULL) <> (episode_id IS NULL)', name=op.f('ck_certificate_design_owner')),
    sa.ForeignKeyConstraint(['episode_id'], ['episode.id'], name=op.f('fk_certificate_design_episode_id_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_certificate_design_program_id_program'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name=op.f('fk_certificate_design_updated_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_design')),
    sa.UniqueConstraint('episode_id', name=op.f('uq_certificate_design_episode_id')),
    sa.UniqueConstraint('program_id', name=op.f('uq_certificate_design_program_id'))
    )
    op.create_table('certificate_file',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('signed_with', sa.String(length=10), nullable=True),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_certificate_file_size')),
    sa.CheckConstraint("signed_with IS NULL OR signed_with IN ('seal', 'personal')", name=op.f('ck_certificate_file_signed_with')),
    sa.CheckConstraint('(signed_at IS NULL) = (signed_with IS NULL)', name=op.f('ck_certificate_file_signed_pair')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_file_certificate_id_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_file'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('signer_nip', sa.String(length=18), nullable=True))
    # Nullable: a row inserted by hand without it is still found by its exact code.
    op.execute(f"UPDATE certificate SET code_key = {CODE_KEY_SQL}")
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_certificate_code_key'), ['code_key'])


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificate_code_key'), type_='unique')
        batch_op.drop_column('signer_nip')
        batch_op.drop_column('code_key')
    op.drop_table('certificate_file')
    op.drop_table('certificate_design')
