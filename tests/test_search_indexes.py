"""Substring searches are served by trigram indexes on PostgreSQL (migration c3e5a7b9d1f2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from asnbelajar.accounts.models import ParticipantProfile, User
from asnbelajar.ledger.services import _participant_condition

from .conftest import PG_SERVER_URL

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not PG_SERVER_URL,
                                 reason="pg_trgm indexes exist only on PostgreSQL: set "
                                        "ASNBELAJAR_TEST_DATABASE_URL")]


def test_migration_creates_the_trigram_indexes(db):
    names = set(db.session.scalars(text(
        "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_trgm' ESCAPE '\\'")))
    assert names == {"ix_user_full_name_trgm", "ix_user_email_trgm",
                     "ix_participant_profile_nip_trgm", "ix_participant_profile_instansi_trgm"}


@pytest.mark.parametrize("query, index", [("nama", "ix_user_full_name_trgm"),
                                          ("u12@example", "ix_user_email_trgm")])
def test_participant_search_can_use_the_trigram_index(db, query, index):
    stmt = select(User.id).where(_participant_condition(query))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.connection().exec_driver_sql(
        "EXPLAIN (COSTS OFF) " + sql).scalars())
    db.session.rollback()
    assert index in plan


def test_nip_substring_search_can_use_the_trigram_index(db):
    stmt = select(ParticipantProfile.user_id).where(ParticipantProfile.nip.like("%01234%"))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.connection().exec_driver_sql(
        "EXPLAIN (COSTS OFF) " + sql).scalars())
    db.session.rollback()
    assert "ix_participant_profile_nip_trgm" in plan
