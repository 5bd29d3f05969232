"""invariants the database keeps: append-only ledger, one live credit, case-insensitive email

Revision ID: 0f77bd5d05df
Revises: eafc6d6de5b2
Create Date: 2026-12-04 08:10:00

The ledger rules hold however a row arrives (a service, a psql session, a script):

* ``ledger_entry`` is append-only: a row trigger refuses every UPDATE and DELETE.
  ``TRUNCATE`` is not a row operation and stays possible for whoever owns the table
  (the test suite empties its database that way);
* a person holds at most one *live* episode credit per episode, live meaning an
  ``episode_credit`` row that no ``reversal`` row names in ``reverses_id``. The partial
  unique index on ``(user_id, episode_id, credit_seq)`` only stops two credits with the
  same ``credit_seq``; this trigger also stops a second credit written with another
  ``credit_seq`` while the first is still live.

On PostgreSQL the live-credit check runs once per INSERT statement over the inserted rows
(a transition table, so finalizing thousands of participants stays one set-based check).
It first takes a transaction-scoped advisory lock per (person, episode) and only then
looks: a concurrent transaction inserting for the same pair waits for the first to commit
and then sees its row (each query in a PL/pgSQL function takes a fresh snapshot under READ
COMMITTED), so two racing inserts cannot both pass. On SQLite writers are serialized by the
database lock, so a plain AFTER INSERT trigger is enough.

Note for later migrations: SQLite's batch mode rebuilds a table by copying it, which drops
its triggers; a batch operation on ``ledger_entry`` must run the ``SQLITE_TRIGGERS``
statements of this migration again (copied into the new one: migrations must not import
each other).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0f77bd5d05df'
down_revision = 'eafc6d6de5b2'
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "ledger_entry is append-only: write a reversal instead of changing or deleting an entry"
LIVE_CREDIT_MESSAGE = "ledger_entry: this person already holds a live credit for this episode"

PG_APPEND_ONLY = f"""
CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'
        USING ERRCODE = 'restrict_violation', TABLE = 'ledger_entry';
END
$$;
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();
"""

PG_ONE_LIVE_CREDIT = f"""
CREATE FUNCTION ledger_entry_one_live_credit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    clash record;
BEGIN
    -- Serialize writers per (person, episode) before looking, in one fixed order so two
    -- multi-row inserts cannot deadlock on each other's locks.
    PERFORM pg_advisory_xact_lock(pair.key)
    FROM (SELECT DISTINCT hashtextextended(
                 'ledger_entry.live_credit:' || user_id || ':' || episode_id, 0) AS key
          FROM inserted WHERE kind = 'episode_credit'
          ORDER BY 1) AS pair;
    SELECT c.user_id, c.episode_id INTO clash
    FROM ledger_entry AS c
    JOIN (SELECT DISTINCT user_id, episode_id FROM inserted
          WHERE kind = 'episode_credit') AS n
      ON n.user_id = c.user_id AND n.episode_id = c.episode_id
    WHERE c.kind = 'episode_credit'
      AND NOT EXISTS (SELECT 1 FROM ledger_entry AS r WHERE r.reverses_id = c.id)
    GROUP BY c.user_id, c.episode_id
    HAVING count(*) > 1
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '{LIVE_CREDIT_MESSAGE}'
            USING ERRCODE = 'unique_violation', TABLE = 'ledger_entry',
                  DETAIL = format('user_id=%s episode_id=%s', clash.user_id, clash.episode_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entry_one_live_credit
    AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_one_live_credit();
"""

SQLITE_TRIGGERS = (
    f"""
CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}');
END
""",
    f"""
CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}');
END
""",
    # AFTER, not BEFORE: a row skipped by ON CONFLICT DO NOTHING fires no AFTER trigger,
    # so a repeated finalize stays a quiet no-op.
    f"""
CREATE TRIGGER ledger_entry_one_live_credit AFTER INSERT ON ledger_entry
WHEN NEW.kind = 'episode_credit'
BEGIN
    SELECT RAISE(ABORT, '{LIVE_CREDIT_MESSAGE}')
    WHERE (SELECT count(*) FROM ledger_entry AS c
           WHERE c.user_id = NEW.user_id AND c.episode_id = NEW.episode_id
             AND c.kind = 'episode_credit'
             AND NOT EXISTS (SELECT 1 FROM ledger_entry AS r WHERE r.reverses_id = c.id)) > 1;
END
""",
)

SQLITE_TRIGGER_NAMES = ("ledger_entry_no_update", "ledger_entry_no_delete",
                        "ledger_entry_one_live_credit")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_APPEND_ONLY)
        op.execute(PG_ONE_LIVE_CREDIT)
    elif dialect == "sqlite":
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)
    # Emails are stored lower-cased by the services; this index makes "one account per
    # address, whatever the letter case" true for rows written any other way too.
    op.execute('CREATE UNIQUE INDEX uq_user_email_lower ON "user" (lower(email))')


def downgrade():
    op.execute("DROP INDEX uq_user_email_lower")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER ledger_entry_one_live_credit ON ledger_entry")
        op.execute("DROP FUNCTION ledger_entry_one_live_credit()")
        op.execute("DROP TRIGGER ledger_entry_append_only ON ledger_entry")
        op.execute("DROP FUNCTION ledger_entry_append_only()")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
