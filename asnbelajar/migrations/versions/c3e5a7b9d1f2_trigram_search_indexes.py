"""trigram indexes for name, email, NIP and instansi search (PostgreSQL)

Organizer searches match ``lower(column) LIKE '%word%'`` (and ``nip LIKE '%digits%'``),
which a b-tree cannot serve. On PostgreSQL, GIN indexes with ``gin_trgm_ops`` on exactly
those expressions let the planner answer substring searches from the index. The
extension is created only when the server offers it and this role may create it (checked
first: a failing CREATE EXTENSION would abort the migration's transaction); otherwise the
indexes are skipped and search keeps working by scanning. A no-op on SQLite.

Revision ID: c3e5a7b9d1f2
Revises: b2d4f6a8c0e1
Create Date: 2026-12-04 10:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c3e5a7b9d1f2'
down_revision = 'b2d4f6a8c0e1'
branch_labels = None
depends_on = None

# (index name, table, indexed expression): the expressions the searches use.
INDEXES = [
    ("ix_user_full_name_trgm", '"user"', "lower(full_name)"),
    ("ix_user_email_trgm", '"user"', "lower(email)"),
    ("ix_participant_profile_nip_trgm", "participant_profile", "nip"),
    ("ix_participant_profile_instansi_trgm", "participant_profile", "lower(instansi_name)"),
]


def _trigram_usable(bind) -> bool:
    """pg_trgm is installed, or offered by the server and creatable by this role
    (superuser, or a trusted extension and CREATE on the database)."""
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
        return True
    if not bind.scalar(sa.text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")):
        return False
    if bind.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        return True
    trusted = bind.scalar(sa.text(
        "SELECT bool_or(trusted) FROM pg_available_extension_versions "
        "WHERE name = 'pg_trgm'"))
    return bool(trusted) and bool(bind.scalar(sa.text(
        "SELECT has_database_privilege(current_database(), 'CREATE')")))


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not _trigram_usable(bind):
        print("pg_trgm is not available to this role: trigram search indexes skipped")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                   f"USING gin ({expression} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
