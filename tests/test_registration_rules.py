"""The registration rules that every path shares: the consent gate (web, API, walk-in
check-in), the one capacity policy (waiting list served first, raised capacity promotes in
arrival order), the duplicate-insert fallback, waiting-list positions, the participant's
own list, and the one agency search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, insert, select

from asnbelajar.accounts.models import User
from asnbelajar.accounts.reference import load_instansi
from asnbelajar.accounts.services import ProfileData, update_profile
from asnbelajar.attendance.models import CheckIn
from asnbelajar.episodes.models import Episode
from asnbelajar.episodes.services import update_episode
from asnbelajar.errors import Forbidden
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations import importing
from asnbelajar.registrations import services as registrations
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.registrants import RegistrantFilters, registrants_statement
from asnbelajar.registrations.services import (
    capacity_changed,
    my_registrations,
    places_for_newcomers,
    register,
    waitlist_position,
    waitlist_positions,
)
from asnbelajar.timeutil import now_utc, to_db


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def unconsented(make_user):
    """A participant made like ``asnbelajar create-user`` makes one: no recorded consent."""
    return make_user("participant", email="cli@example.go.id")


def give_consent(db, user) -> None:
    update_profile(user, full_name=user.full_name, timezone="Asia/Jakarta", consent=True,
                   data=ProfileData(employee_type="non_asn", instansi="Universitas Indonesia",
                                    province="DKI Jakarta"))
    db.session.commit()


# --- the consent gate -------------------------------------------------------------------

def test_service_refuses_an_account_without_consent(db, make_episode, unconsented):
    episode = make_episode()
    with pytest.raises(Forbidden) as caught:
        register(episode.id, unconsented)
    assert caught.value.code == "consent_required" and caught.value.status == 403
    db.session.rollback()
    assert count(db, Registration) == 0
    give_consent(db, unconsented)
    assert register(episode.id, unconsented).status == "registered"


def test_api_refuses_registration_without_consent(client, db, make_episode, unconsented,
                                                   token_for):
    episode = make_episode()
    headers = token_for(unconsented)
    r = client.post(f"/api/v1/episodes/{episode.id}/registrations", headers=headers)
    assert r.status_code == 403
    assert r.json["error"]["code"] == "consent_required"
    assert "persetujuan pemrosesan data pribadi" in r.json["error"]["message"]
    assert count(db, Registration) == 0
    give_consent(db, db.session.get(User, unconsented.id))
    r = client.post(f"/api/v1/episodes/{episode.id}/registrations", headers=headers)
    assert r.status_code == 201 and r.json["status"] == "registered"


def test_walk_in_check_in_refused_without_consent(client, db, make_episode, unconsented,
                                                  token_for):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    r = client.post(f"/api/v1/episodes/{episode.id}/checkins", json={"code": "AWAL23"},
                    headers=token_for(unconsented))
    assert r.status_code == 403 and r.json["error"]["code"] == "consent_required"
    assert count(db, Registration) == 0 and count(db, CheckIn) == 0


def test_web_sends_an_account_without_consent_to_give_it(client, db, make_episode,
                                                         unconsented, login):
    episode = make_episode()
    login(unconsented)
    r = client.post(f"/episodes/{episode.id}/register")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/me/profile?next=")
    assert count(db, Registration) == 0
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "persetujuan pemrosesan data pribadi" in page


def test_web_check_in_without_consent_is_a_clear_403(client, db, make_episode, unconsented,
                                                     login):
    episode = make_episode(starts_in=timedelta(minutes=-5))
    login(unconsented)
    r = client.post(f"/episodes/{episode.id}/checkin", data={"code": "AWAL23"})
    assert r.status_code == 403
    assert "persetujuan pemrosesan data pribadi" in r.get_data(as_text=True)
    assert count(db, CheckIn) == 0


# --- a duplicate insert between the check and the write ---------------------------------

def test_register_returns_the_row_another_connection_inserted(app, db, make_episode,
                                                              make_participant, monkeypatch,
                                                              is_postgres):
    """The unique constraint decides a race the checks missed; the loser gets the
    winner's registration and a session it can still commit."""
    if is_postgres:
        pytest.skip("on PostgreSQL the read takes the lock; the race is the one of "
                    "test_a_double_submit_that_waited_for_the_lock_gets_the_first_one")
    episode = make_episode()
    person = make_participant()
    episode_id, user_id = episode.id, person.id
    other = create_engine(db.engine.url)
    real = registrations.check_can_register

    def racing(*args):
        # Runs after register() read (and found no registration) and before it takes the
        # episode's lock: another request registers the same person and commits now.
        # (Inside the lock it could not: every registration write, through the triggers
        # that keep the episode's counts, waits for that lock.)
        with other.begin() as conn:
            conn.execute(insert(Registration.__table__).values(
                episode_id=episode_id, user_id=user_id, status="registered", source="api",
                created_at=to_db(now_utc()), queued_at=to_db(now_utc())))
        return real(*args)

    monkeypatch.setattr(registrations, "check_can_register", racing)
    try:
        result = register(episode_id, person)
    finally:
        other.dispose()
    assert result.created is False
    assert result.registration.source == "api" and result.status == "registered"
    db.session.commit()  # no PendingRollbackError: the failed row left with its savepoint
    assert count(db, Registration) == 1
    assert count(db, OutboxEmail) == 0  # the winner's request confirms, not this one


# --- one capacity policy ----------------------------------------------------------------

def make_waiting_list(db, make_episode, make_participant, n: int, capacity: int = 1):
    episode = make_episode(capacity=capacity)
    people = [make_participant(full_name=f"Antre {i}") for i in range(n)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    return episode, people


def status_of(db, episode, person) -> str:
    return db.session.scalar(select(Registration.status).where(
        Registration.episode_id == episode.id, Registration.user_id == person.id))


def test_the_waiting_list_is_served_before_newcomers(db, make_episode, make_participant):
    episode, (first, waiting) = make_waiting_list(db, make_episode, make_participant, 2)
    # A place appears without anyone being promoted (capacity raised in the database).
    episode.capacity = 2
    db.session.commit()
    assert places_for_newcomers(episode) == 0  # the free place is owed to `waiting`
    newcomer = make_participant()
    assert register(episode.id, newcomer).status == "waitlisted"
    # The import preview follows the same rule.
    csv = b"email,nama,instansi\r\nbaru@example.go.id,Orang Baru,Kemenkeu\r\n"
    plan = importing.plan_import(episode, csv, "baru.csv")
    assert plan.capacity_left == 0 and plan.rows[0].outcome == "waitlisted"
    # The free place goes to the one who waited longest.
    assert [r.user_id for r in capacity_changed(episode.id)] == [waiting.id]
    assert status_of(db, episode, newcomer) == "waitlisted"
    assert places_for_newcomers(episode) == 0
    assert status_of(db, episode, first) == "registered"


def test_raising_capacity_promotes_the_waiting_list_in_arrival_order(
        db, make_episode, make_participant, organizer):
    episode, people = make_waiting_list(db, make_episode, make_participant, 5)
    # Arrival order differs from id order: the last to register queued first.
    db.session.execute(Registration.__table__.update().where(
        Registration.user_id == people[4].id).values(
            queued_at=to_db(now_utc() - timedelta(hours=1))))
    db.session.commit()
    update_episode(episode, {"capacity": 3}, organizer.id)
    db.session.commit()
    assert [status_of(db, episode, p) for p in people] == [
        "registered", "registered", "waitlisted", "waitlisted", "registered"]
    promoted = set(db.session.scalars(select(OutboxEmail.to_addr).where(
        OutboxEmail.dedupe_key.like("promoted:%"))))
    assert promoted == {people[1].email, people[4].email}
    positions = waitlist_positions([episode.id])
    by_user = dict(db.session.execute(select(Registration.user_id, Registration.id).where(
        Registration.episode_id == episode.id)).all())
    assert positions == {by_user[people[2].id]: 1, by_user[people[3].id]: 2}
    # Lowering it takes no place away; removing the limit lets everyone in.
    update_episode(episode, {"capacity": 1}, organizer.id)
    db.session.commit()
    assert sum(status_of(db, episode, p) == "registered" for p in people) == 3
    update_episode(episode, {"capacity": None}, organizer.id)
    db.session.commit()
    assert all(status_of(db, episode, p) == "registered" for p in people)


def test_raising_capacity_through_the_api_promotes(client, db, make_episode,
                                                   make_participant, make_user, token_for):
    episode, people = make_waiting_list(db, make_episode, make_participant, 3)
    headers = token_for(make_user("organizer"))
    r = client.patch(f"/api/v1/episodes/{episode.id}", json={"capacity": 2}, headers=headers)
    assert r.status_code == 200
    assert [status_of(db, episode, p) for p in people] == [
        "registered", "registered", "waitlisted"]


# --- one waiting-list position ----------------------------------------------------------

def test_every_page_shows_the_same_waiting_list_position(client, db, make_episode,
                                                         make_participant, token_for):
    episode, people = make_waiting_list(db, make_episode, make_participant, 4)
    last = people[3]
    reg = db.session.scalar(select(Registration).where(Registration.user_id == last.id))
    assert waitlist_position(reg) == 3
    assert my_registrations(last.id).positions == {reg.id: 3}
    row = next(r for r in db.session.execute(
        registrants_statement(episode, RegistrantFilters())) if r.user_id == last.id)
    assert row.position == 3
    r = client.post(f"/api/v1/episodes/{episode.id}/registrations", headers=token_for(last))
    assert r.status_code == 200 and r.json["waitlist_position"] == 3
    # A newcomer's place, answered from the count read under the lock, is the place the
    # ranking gives them.
    newcomer = make_participant()
    r = client.post(f"/api/v1/episodes/{episode.id}/registrations",
                    headers=token_for(newcomer))
    assert r.status_code == 201 and r.json["waitlist_position"] == 4
    reg = db.session.get(Registration, r.json["id"])
    assert waitlist_position(reg) == 4


# --- the participant's own registrations ------------------------------------------------

def test_my_registrations_lists_only_ones_own(client, db, make_episode, make_participant,
                                              login):
    coming = make_episode(title="Episode Mendatang")
    person, other = make_participant(), make_participant()
    register(coming.id, person)
    past = make_episode(title="Episode Lalu")
    register(past.id, person)
    registrations.cancel_registration(past.id, person)
    register(make_episode(title="Episode Orang Lain").id, other)
    db.session.commit()
    mine = my_registrations(person.id)
    assert [ep.title for _r, ep in mine.upcoming] == ["Episode Mendatang"]
    assert [ep.title for _r, ep in mine.past] == ["Episode Lalu"]
    assert mine.past_page.total == 1
    login(person)
    html = client.get("/me/registrations").get_data(as_text=True)
    assert "Episode Mendatang" in html and "Episode Lalu" in html
    assert "Episode Orang Lain" not in html


# --- one agency search ------------------------------------------------------------------

def test_agency_search_endpoint_matches_word_by_word(client, db):
    load_instansi()
    db.session.commit()
    found = client.get("/instansi/search?q=negara kepegawaian").get_json()["results"]
    assert found == ["Badan Kepegawaian Negara"]
    found = client.get("/instansi/search?q=KOTA   bandung").get_json()["results"]
    assert found == ["Pemerintah Kota Bandung"]
    results = client.get("/instansi/search?q=keuangan").get_json()["results"]
    assert results[0] == "Kementerian Keuangan"  # ministries and provinces first
    assert client.get("/instansi/search?q=barang/jasa").get_json()["results"] == [
        "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah"]


def test_registering_is_not_an_edit_of_the_episode(db, make_episode, make_participant):
    """Taking the episode's lock writes nothing to it: its 'updated' time stays."""
    episode = make_episode(capacity=1)
    episode_id = episode.id
    before = db.session.scalar(select(Episode.updated_at).where(Episode.id == episode_id))
    assert register(episode_id, make_participant()).status == "registered"
    assert register(episode_id, make_participant()).status == "waitlisted"
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(Episode.updated_at).where(Episode.id == episode_id)) \
        == before


def test_a_double_submit_that_waited_for_the_lock_gets_the_first_one(
        app, db, make_episode, make_participant, is_postgres):
    """PostgreSQL: register's first statement takes the episode's lock. A request that
    waited for it gets the episode's row as the holder committed it, but its snapshot of
    the person's registration is from before the wait: the holder's registration of the
    same person is then found through the unique constraint, not inserted twice."""
    import threading

    from sqlalchemy import text

    if not is_postgres:
        pytest.skip("SQLite reads before it locks: "
                    "test_register_returns_the_row_another_connection_inserted")
    episode = make_episode(capacity=5)
    person = make_participant()
    episode_id, user_id = episode.id, person.id
    other = create_engine(db.engine.url)
    holding, release = threading.Event(), threading.Event()

    def first_submit() -> None:
        with other.begin() as conn:
            conn.execute(text("SELECT id FROM episode WHERE id = :id FOR NO KEY UPDATE"),
                         {"id": episode_id})
            conn.execute(insert(Registration.__table__).values(
                episode_id=episode_id, user_id=user_id, status="registered", source="api",
                created_at=to_db(now_utc()), queued_at=to_db(now_utc())))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first_submit)
    thread.start()
    try:
        assert holding.wait(10)
        threading.Timer(0.3, release.set).start()
        result = register(episode_id, person)  # waits for the first submit's lock
    finally:
        release.set()
        thread.join(10)
        other.dispose()
    assert result.created is False
    assert result.registration.source == "api" and result.status == "registered"
    db.session.commit()
    assert count(db, Registration, Registration.episode_id == episode_id) == 1
    counts = db.session.execute(select(Episode.registered_count, Episode.waitlisted_count)
                                .where(Episode.id == episode_id)).one()
    assert tuple(counts) == (1, 0)


def test_the_episode_lock_assigns_no_key(db, make_episode, make_participant):
    """On SQLite the lock is a no-op UPDATE of the episode. Assigning its key (even to
    itself) makes SQLite scan every table that refers to the episode, under the write
    lock, at a cost that grows with the episode's registrations and check-ins; the lock
    assigns a plain column instead (register, cancel and the capacity paths alike)."""
    import re

    from tests.query_count import count_queries

    episode = make_episode(capacity=5)
    person = make_participant()
    with count_queries() as queries:
        register(episode.id, person)
        registrations.cancel_registration(episode.id, person)
        capacity_changed(episode.id)
    db.session.commit()
    episode_writes = [q for q in queries if re.match(r"\s*UPDATE episode\b", q)]
    for statement in episode_writes:
        assigned = re.search(r"\bSET\b(.*?)\bWHERE\b", statement, re.S | re.I).group(1)
        assert not re.search(r"(^|,)\s*id\s*=", assigned), statement
    if db.engine.dialect.name == "sqlite":
        assert len(episode_writes) == 3, queries.report()
