"""episodes keep their counts of registered and waitlisted people, maintained by triggers

The capacity decision of every registration counted the episode's registrations under the
episode's lock: work that grows with the episode (about half a millisecond at 2,000
registrants, more at the real season's 10,000) while every other registration for it
waits. The episode row now carries ``registered_count`` and ``waitlisted_count``, kept by
triggers on ``registration`` whatever writes it (register, cancel, promote, import,
erasure, a cascade), so the registration reads them with the lock, in the same statement.

PostgreSQL: statement-level triggers with transition tables, one UPDATE per episode per
statement (row-level triggers on a bulk insert would update the same episode row once per
row and walk an ever longer version chain). SQLite: row-level triggers (it updates rows in
place; its writers are serialized anyway).

Note for later migrations: SQLite's batch mode rebuilds a table by copying it, which drops
its triggers; a batch operation on ``registration`` must run ``SQLITE_TRIGGERS`` of this
migration again (copied into the new one: migrations must not import each other).

Revision ID: e2a4c6e8f0b1
Revises: d5f7b9c1e3a4
Create Date: 2026-12-04 18:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e2a4c6e8f0b1'
down_revision = 'd5f7b9c1e3a4'
branch_labels = None
depends_on = None

# Adds (sign +1) or removes (sign -1) the rows of a transition table from their episodes.
_PG_APPLY = """
    UPDATE episode AS e
       SET registered_count = e.registered_count + coalesce(d.registered, 0),
           waitlisted_count = e.waitlisted_count + coalesce(d.waitlisted, 0)
      FROM (SELECT episode_id,
                   sum(sign) FILTER (WHERE status = 'registered') AS registered,
                   sum(sign) FILTER (WHERE status = 'waitlisted') AS waitlisted
              FROM ({rows}) AS changed
             GROUP BY episode_id) AS d
     WHERE e.id = d.episode_id
       AND (coalesce(d.registered, 0) <> 0 OR coalesce(d.waitlisted, 0) <> 0);
"""

_PG_ROWS = {
    "insert": "SELECT episode_id, status, 1 AS sign FROM new_rows",
    "delete": "SELECT episode_id, status, -1 AS sign FROM old_rows",
    "update": "SELECT episode_id, status, 1 AS sign FROM new_rows "
              "UNION ALL SELECT episode_id, status, -1 AS sign FROM old_rows",
}

_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _pg_statements() -> list[str]:
    statements = []
    for op_name, rows in _PG_ROWS.items():
        apply = _PG_APPLY.format(rows=rows)
        statements.append(f"""
CREATE FUNCTION registration_counts_{op_name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{apply}
    RETURN NULL;
END
$$""")
        statements.append(f"""
CREATE TRIGGER registration_counts_{op_name}
    AFTER {op_name.upper()} ON registration {_PG_REFERENCING[op_name]}
    FOR EACH STATEMENT EXECUTE FUNCTION registration_counts_{op_name}()""")
    return statements


def _sqlite_delta(row: str, sign: str) -> str:
    return (f"UPDATE episode SET "
            f"registered_count = registered_count {sign} ({row}.status = 'registered'), "
            f"waitlisted_count = waitlisted_count {sign} ({row}.status = 'waitlisted') "
            f"WHERE id = {row}.episode_id AND {row}.status IN ('registered', 'waitlisted');")


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER registration_counts_insert AFTER INSERT ON registration
BEGIN
    {_sqlite_delta('NEW', '+')}
END""",
    f"""CREATE TRIGGER registration_counts_delete AFTER DELETE ON registration
BEGIN
    {_sqlite_delta('OLD', '-')}
END""",
    f"""CREATE TRIGGER registration_counts_update AFTER UPDATE OF status, episode_id
ON registration
WHEN OLD.status IS NOT NEW.status OR OLD.episode_id IS NOT NEW.episode_id
BEGIN
    {_sqlite_delta('OLD', '-')}
    {_sqlite_delta('NEW', '+')}
END""",
]

BACKFILL = """
UPDATE episode SET
    registered_count = (SELECT count(*) FROM registration r
                        WHERE r.episode_id = episode.id AND r.status = 'registered'),
    waitlisted_count = (SELECT count(*) FROM registration r
                        WHERE r.episode_id = episode.id AND r.status = 'waitlisted')
"""


def upgrade():
    op.add_column('episode', sa.Column('registered_count', sa.Integer(), nullable=False,
                                       server_default='0'))
    op.add_column('episode', sa.Column('waitlisted_count', sa.Integer(), nullable=False,
                                       server_default='0'))
    is_pg = op.get_bind().dialect.name == 'postgresql'
    if is_pg:
        # No registration may change between the backfill and the triggers.
        op.execute("LOCK TABLE registration IN SHARE MODE")
    op.execute(BACKFILL)
    for statement in (_pg_statements() if is_pg else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade():
    is_pg = op.get_bind().dialect.name == 'postgresql'
    for op_name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS registration_counts_{op_name}"
                   + (" ON registration" if is_pg else ""))
        if is_pg:
            op.execute(f"DROP FUNCTION IF EXISTS registration_counts_{op_name}()")
    with op.batch_alter_table('episode') as batch:
        batch.drop_column('waitlisted_count')
        batch.drop_column('registered_count')
