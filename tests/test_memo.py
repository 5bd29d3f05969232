"""util.memo.remembered: slow aggregates kept in the process while their tables are
unchanged (PostgreSQL), quick ones always counted again, nothing kept on SQLite."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from asnbelajar.episodes.models import Program
from asnbelajar.util import memo


@pytest.fixture(autouse=True)
def _forget():
    memo._kept.clear()
    yield
    memo._kept.clear()


def _counting(slow: float):
    calls = []

    def compute():
        calls.append(1)
        time.sleep(slow)
        return len(calls)

    return compute, calls


def test_slow_results_are_kept_until_their_tables_change(db, is_postgres):
    compute, calls = _counting(0.06)
    first = memo.remembered(("t", 1), ["registration"], compute, fresh_for=0)
    again = memo.remembered(("t", 1), ["registration"], compute, fresh_for=0)
    if not is_postgres:
        assert (first, again, len(calls)) == (1, 2, 2)  # SQLite: never kept
        return
    assert (first, again, len(calls)) == (1, 1, 1)
    db.session.add(Program(slug="memo", name="Memo"))
    db.session.commit()
    # The server's counters of an unwatched table moved: still kept.
    assert memo.remembered(("t", 1), ["registration"], compute, fresh_for=0) == 1
    # Counters of a watched table move (they may lag a commit: wait for them).
    for _ in range(50):
        if memo.remembered(("t", 1), ["program"], compute, fresh_for=0) != 1:
            break
        db.session.execute(text("UPDATE program SET name = name || '.' WHERE slug = 'memo'"))
        db.session.commit()
        time.sleep(0.1)
    assert len(calls) >= 2


def test_quick_results_are_always_counted_again(db):
    compute, calls = _counting(0.0)
    memo.remembered(("q", 1), ["registration"], compute)
    memo.remembered(("q", 1), ["registration"], compute)
    assert len(calls) == 2
