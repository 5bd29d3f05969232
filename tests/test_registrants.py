"""The organizer's registrant table: search, filters, sort, pagination, access; and the
proof (PostgreSQL) that concurrent cancellations promote the waiting list in order."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from asnbelajar.accounts.models import ParticipantProfile, User
from asnbelajar.attendance.models import AttendanceVerdict, CheckIn
from asnbelajar.errors import DomainError
from asnbelajar.extensions import db as _db
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.registrants import RegistrantFilters, registrants_statement
from asnbelajar.registrations.services import cancel_registration, register

from .conftest import PG_SERVER_URL, make_nip


def url(episode, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/console/episodes/{episode.id}/registrants" + (f"?{query}" if query else "")


def names_in(response) -> list[str]:
    """The participants' names in table order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<span class="fw-semibold clip" title="[^"]*">([^<]+)</span>', html)


@pytest.fixture
def roster(db, make_episode, make_participant, organizer, login):
    """Five registrants with distinct names, agencies, provinces and states."""
    episode = make_episode(capacity=3)
    people = [
        make_participant(full_name="Budi Santoso", email="budi@bandung.go.id",
                         instansi="Pemerintah Kota Bandung", province="Jawa Barat"),
        make_participant(full_name="Ani Wulandari", email="ani@riau.go.id",
                         instansi="Pemerintah Provinsi Riau", province="Riau"),
        make_participant(full_name="Citra Lestari", email="citra@bps.go.id",
                         instansi="Badan Pusat Statistik", province="DKI Jakarta"),
        make_participant(full_name="Dedi Kurniawan", email="dedi@bandung.go.id",
                         instansi="Pemerintah Kota Bandung", province="Jawa Barat"),
        make_participant(full_name="Eka Putri", email="eka@umum.id", kind="non_asn",
                         instansi="Universitas Padjadjaran", province="Jawa Barat"),
    ]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    # Budi, Ani, Citra registered; Dedi, Eka waitlisted. Ani cancels: Dedi moves up.
    cancel_registration(episode.id, people[1])
    checkpoint = episode.checkpoints[0]
    db.session.add(CheckIn(checkpoint_id=checkpoint.id, episode_id=episode.id,
                           user_id=people[0].id))
    db.session.commit()
    login(organizer)
    return episode, people


def test_table_lists_everyone_with_counts_and_full_contact_data(client, roster):
    episode, people = roster
    response = client.get(url(episode))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sorted(names_in(response)) == sorted(p.full_name for p in people)
    # organizers see the full NIP (grouped) and email
    nip = people[0].profile.nip
    assert f"{nip[0:8]} {nip[8:14]} {nip[14]} {nip[15:18]}" in html
    assert "budi@bandung.go.id" in html
    assert "Menampilkan 1–5 dari 5 pendaftar" in html
    assert "urutan ke-1" in html  # Eka is first (and only) on the waiting list


def test_search_matches_name_email_instansi_and_nip_with_separators(client, roster):
    episode, people = roster
    assert names_in(client.get(url(episode, q="budi"))) == ["Budi Santoso"]
    assert names_in(client.get(url(episode, q="CITRA@BPS"))) == ["Citra Lestari"]
    assert sorted(names_in(client.get(url(episode, q="kota bandung")))) == [
        "Budi Santoso", "Dedi Kurniawan"]
    nip = people[2].profile.nip
    spaced = f"{nip[0:8]} {nip[8:14]}.{nip[14]}-{nip[15:]}"
    assert names_in(client.get(url(episode, q=spaced))) == ["Citra Lestari"]
    assert names_in(client.get(url(episode, q="zzz-nobody"))) == []


def test_filters_status_province_instansi_and_attendance(client, roster):
    episode, _people = roster
    assert sorted(names_in(client.get(url(episode, status="registered")))) == [
        "Budi Santoso", "Citra Lestari", "Dedi Kurniawan"]
    assert names_in(client.get(url(episode, status="waitlisted"))) == ["Eka Putri"]
    assert names_in(client.get(url(episode, status="cancelled"))) == ["Ani Wulandari"]
    assert names_in(client.get(url(episode, province="Riau"))) == ["Ani Wulandari"]
    assert sorted(names_in(client.get(url(episode, instansi="pemerintah kota bandung")))) == [
        "Budi Santoso", "Dedi Kurniawan"]
    # before finalizing: "yes" = checked in at least once, nobody is "no" yet
    assert names_in(client.get(url(episode, attended="yes"))) == ["Budi Santoso"]
    assert names_in(client.get(url(episode, attended="no"))) == []
    assert len(names_in(client.get(url(episode, attended="unknown")))) == 4
    # unknown values are ignored rather than failing
    assert len(names_in(client.get(url(episode, status="bogus", sort="password")))) == 5


def test_attendance_filter_follows_verdicts_once_finalized(db, client, roster):
    episode, people = roster
    db.session.add_all([
        AttendanceVerdict(episode_id=episode.id, user_id=people[0].id, attended=False,
                          reason="missed_checkpoint"),
        AttendanceVerdict(episode_id=episode.id, user_id=people[2].id, attended=True,
                          reason="attended"),
    ])
    episode.finalized_at = datetime(2024, 1, 1)
    db.session.commit()
    assert names_in(client.get(url(episode, attended="yes"))) == ["Citra Lestari"]
    assert names_in(client.get(url(episode, attended="no"))) == ["Budi Santoso"]
    assert len(names_in(client.get(url(episode, attended="unknown")))) == 3


def test_sorting_by_whitelisted_columns(client, roster):
    episode, _people = roster
    assert names_in(client.get(url(episode, sort="name"))) == [
        "Ani Wulandari", "Budi Santoso", "Citra Lestari", "Dedi Kurniawan", "Eka Putri"]
    assert names_in(client.get(url(episode, sort="name", dir="desc")))[0] == "Eka Putri"
    by_status = names_in(client.get(url(episode, sort="status")))
    assert by_status[-2:] == ["Eka Putri", "Ani Wulandari"]  # waitlisted, then cancelled
    by_province = names_in(client.get(url(episode, sort="province")))
    assert by_province[0] == "Citra Lestari" and by_province[-1] == "Ani Wulandari"


def bulk_registrants(episode_id: int, count: int, offset: int = 0) -> list[int]:
    """Participants and registrations inserted set-based (no per-row hashing)."""
    emails = [f"massal{offset + i:05d}@example.go.id" for i in range(count)]
    _db.session.execute(insert(User), [
        {"email": e, "full_name": f"Peserta Massal {offset + i:05d}", "role": "participant"}
        for i, e in enumerate(emails)])
    ids = dict(_db.session.execute(
        select(User.email, User.id).where(User.email.in_(emails))).all())
    _db.session.execute(insert(ParticipantProfile), [
        {"user_id": ids[e], "nip": make_nip(offset + i + 70_000), "employee_type": "pns",
         "instansi_name": "Pemerintah Provinsi Riau", "province": "Riau", "anonymized": False}
        for i, e in enumerate(emails)])
    start = datetime(2024, 5, 1, 8, 0)
    _db.session.execute(insert(Registration), [
        {"episode_id": episode_id, "user_id": ids[e], "status": "registered",
         "source": "api", "created_at": start + timedelta(seconds=i),
         "queued_at": start + timedelta(seconds=i)} for i, e in enumerate(emails)])
    _db.session.commit()
    return [ids[e] for e in emails]


def test_pagination_is_50_per_page(client, make_episode, organizer, login):
    episode = make_episode()
    bulk_registrants(episode.id, 120)
    login(organizer)
    first = client.get(url(episode))
    assert len(names_in(first)) == 50
    assert "Menampilkan 1–50 dari 120 pendaftar" in first.get_data(as_text=True)
    third = client.get(url(episode, page=3))
    assert names_in(third)[0] == "Peserta Massal 00100"
    assert len(names_in(third)) == 20
    assert names_in(client.get(url(episode, page=99))) == []


def test_page_costs_the_same_queries_for_5_or_50_rows(app, client, make_episode, organizer,
                                                     login):
    """The same few statements whatever the page holds (no N+1): one picks the page's ids
    (LIMIT ... OFFSET), one reads those rows, one counts."""
    small, large = make_episode(), make_episode()
    bulk_registrants(small.id, 5)
    bulk_registrants(large.id, 80, offset=10)
    login(organizer)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url(small))
        small_count = len(statements)
        statements.clear()
        client.get(url(large))
        large_count = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert small_count == large_count
    assert sum(s.startswith("SELECT registration.id") and "OFFSET" in s
               for s in statements) == 1
    assert sum("AS registration_id" in s for s in statements) == 1


def test_statement_returns_plain_rows_with_waitlist_positions(db, make_episode, make_participant):
    episode = make_episode(capacity=1)
    people = [make_participant() for _ in range(4)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    rows = db.session.execute(
        registrants_statement(episode, RegistrantFilters(sort="status"))).all()
    assert [(r.status, r.position) for r in rows] == [
        ("registered", None), ("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    # positions count the whole waiting list even when the view is filtered
    filtered = db.session.execute(registrants_statement(
        episode, RegistrantFilters(q=people[3].email))).all()
    assert [r.position for r in filtered] == [3]


def test_participants_and_speakers_get_403_and_anonymous_a_login_redirect(
        client, roster, make_participant, make_user, login):
    episode, _people = roster
    paths = [url(episode), f"/console/episodes/{episode.id}/registrants.csv",
             f"/console/episodes/{episode.id}/registrants.xlsx",
             f"/console/episodes/{episode.id}/registrants/import"]
    for user in (make_participant(), make_user("speaker")):
        login(user)
        for path in paths:
            assert client.get(path).status_code == 403, path
        assert client.post(f"/console/episodes/{episode.id}/registrants/import/confirm",
                           data={"ticket": "x"}).status_code == 403
    with client.session_transaction() as session:
        session.clear()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_episode_is_404(client, organizer, login):
    login(organizer)
    assert client.get("/console/episodes/999999/registrants").status_code == 404


# Concurrency (PostgreSQL) ---------------------------------------------------------------

def run_parallel(app, jobs: list, fn) -> list:
    """fn(job) on one thread per job, all released at once; DomainErrors are returned."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def work(index: int, job) -> None:
        with app.app_context():
            barrier.wait(timeout=60)
            try:
                results[index] = fn(job)
                _db.session.commit()
            except DomainError as err:
                _db.session.rollback()
                results[index] = err
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(work, i, job) for i, job in enumerate(jobs)]:
            future.result()
    return results


@pytest.mark.postgres
@pytest.mark.skipif(not PG_SERVER_URL, reason="concurrency proofs need PostgreSQL: set "
                                              "ASNBELAJAR_TEST_DATABASE_URL")
def test_concurrent_cancellations_promote_the_waiting_list_in_arrival_order(app, make_episode):
    episode = make_episode(capacity=5)
    episode_id = episode.id  # threads get plain ids, never shared ORM objects
    users = bulk_registrants(episode_id, 10, offset=500)
    # Places 6-10 wait; their queue order deliberately differs from id order.
    base = datetime(2024, 5, 2, 9, 0)
    queue = [users[8], users[5], users[9], users[6], users[7]]
    for position, user_id in enumerate(queue):
        _db.session.execute(
            Registration.__table__.update()
            .where(Registration.episode_id == episode_id, Registration.user_id == user_id)
            .values(status="waitlisted", queued_at=base + timedelta(minutes=position)))
    _db.session.commit()

    def cancel(user_id: int) -> str:
        return cancel_registration(episode_id, _db.session.get(User, user_id)).status

    results = run_parallel(app, users[:3], cancel)
    assert results == ["cancelled"] * 3

    _db.session.expire_all()
    statuses = dict(_db.session.execute(
        select(Registration.user_id, Registration.status)
        .where(Registration.episode_id == episode_id)).all())
    assert sorted(u for u, s in statuses.items() if s == "registered") == sorted(
        users[3:5] + queue[:3])
    assert [statuses[u] for u in queue] == ["registered"] * 3 + ["waitlisted"] * 2
    assert _db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.episode_id == episode_id, Registration.status == "registered")) == 5
    promoted_mail = _db.session.execute(
        select(OutboxEmail.to_addr).where(OutboxEmail.dedupe_key.like("promoted:%"))
    ).scalars().all()
    emails = dict(_db.session.execute(
        select(User.id, User.email).where(User.id.in_(queue))).all())
    assert sorted(promoted_mail) == sorted(emails[u] for u in queue[:3])
