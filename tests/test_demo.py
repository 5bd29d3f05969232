"""The demo seed: realistic, consistent with the domain rules, and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from asnbelajar import create_app, demo
from asnbelajar.accounts.models import Instansi, ParticipantProfile, User
from asnbelajar.accounts.nip import parse_nip
from asnbelajar.accounts.services import PROVINCES, authenticate
from asnbelajar.attendance.models import AttendanceVerdict, CheckIn
from asnbelajar.certificates.models import Certificate
from asnbelajar.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from asnbelajar.episodes.models import Episode
from asnbelajar.extensions import db
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.models import Registration
from asnbelajar.speakers.models import EpisodeSpeaker, Speaker
from asnbelajar.timeutil import now_utc, to_db, to_local


def make_app(path):
    return create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })


def quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One seed of 300 participants shared by the read-only tests below."""
    app = make_app(tmp_path_factory.mktemp("demo") / "demo.db")
    with app.app_context():
        db.create_all()
        counts = seed_demo(participants=300, echo=quiet)
        db.session.remove()
    yield SimpleNamespace(app=app, counts=counts)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(seeded):
    with seeded.app.app_context():
        yield seeded
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def fresh(tmp_path):
    """An empty database of its own, for tests that seed differently."""
    app = make_app(tmp_path / "fresh.db")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def live_credits():
    reversal = aliased(LedgerEntry)
    return and_(LedgerEntry.kind == "episode_credit",
                ~exists().where(reversal.reverses_id == LedgerEntry.id))


# --- content ---------------------------------------------------------------------------

def test_counts_are_the_database_totals(ctx) -> None:
    assert ctx.counts == demo.demo_counts()
    assert ctx.counts["participants"] == 301  # 300 plus the demo participant
    assert ctx.counts["speakers"] >= 20
    assert 0 < ctx.counts["certificates"] == ctx.counts["credits"]
    assert ctx.counts["check_ins"] > ctx.counts["registrations"] > ctx.counts["certificates"]


def test_2022_season_is_46_weekly_wednesday_episodes(ctx) -> None:
    season = list(db.session.scalars(
        select(Episode).where(Episode.year == 2022).order_by(Episode.number)))
    assert [e.number for e in season] == list(range(1, 47))
    assert len({e.title for e in season}) == 46
    for episode in season:
        start, end = to_local(episode.starts_at), to_local(episode.ends_at)
        assert start.weekday() == 2 and (start.hour, start.minute) == (9, 0)
        assert (end.hour, end.minute) == (11, 30)
        assert start.year == 2022 and episode.jp == 3
        assert episode.status == "published" and episode.finalized_at is not None
        assert episode.attendance_rule == "checkpoints"
        assert sorted(c.label for c in episode.checkpoints) == ["akhir", "awal"]
        for checkpoint in episode.checkpoints:
            assert episode.starts_at <= checkpoint.opens_at < episode.ends_at
        assert 1 <= len(episode.speakers) <= 3
        assert episode.youtube_url.startswith("https://www.youtube.com/watch?v=")
    assert to_local(season[0].starts_at).date() == date(2022, 1, 5)
    assert {e.competency_type for e in season} == {"manajerial", "sosial_kultural", "teknis"}
    # Every episode was finalized without force: it had ended.
    assert all(e.ends_at < to_db(now_utc()) for e in season)


def test_upcoming_episodes_are_open_for_registration(ctx) -> None:
    now = now_utc()
    upcoming = list(db.session.scalars(
        select(Episode).where(Episode.starts_at > to_db(now)).order_by(Episode.starts_at)))
    assert len(upcoming) == 6
    assert all(e.registration_open(now) and e.finalized_at is None for e in upcoming)
    assert to_local(upcoming[0].starts_at).date() - to_local(now).date() <= timedelta(days=9)
    recent = db.session.scalars(select(Episode).where(
        Episode.starts_at < to_db(now), Episode.starts_at > to_db(now - timedelta(days=40))))
    assert all(e.finalized_at is not None for e in recent)
    limited = [e for e in upcoming if e.capacity]
    assert len(limited) == 1
    registered = count(Registration, Registration.episode_id == limited[0].id,
                       Registration.status == "registered")
    waitlisted = count(Registration, Registration.episode_id == limited[0].id,
                       Registration.status == "waitlisted")
    assert registered == limited[0].capacity and waitlisted > 0


def test_capacity_is_never_exceeded(ctx) -> None:
    for episode in db.session.scalars(select(Episode).where(Episode.capacity.is_not(None))):
        assert count(Registration, Registration.episode_id == episode.id,
                     Registration.status == "registered") <= episode.capacity


def test_speakers_have_titles_and_roles(ctx) -> None:
    names = list(db.session.scalars(select(Speaker.name)))
    assert any(n.startswith("Prof. Dr.") for n in names)
    assert all(("Dr." in n or "," in n) for n in names)
    roles = set(db.session.scalars(select(EpisodeSpeaker.role)))
    assert roles == {"narasumber", "moderator", "keynote"}


# --- participants ----------------------------------------------------------------------

def test_participant_nips_are_valid_and_match_the_profile(ctx) -> None:
    profiles = list(db.session.scalars(select(ParticipantProfile)))
    kinds = Counter()
    for profile in profiles:
        kinds[profile.employee_type] += 1
        if profile.employee_type == "non_asn":
            assert profile.nip is None and profile.birth_date is None
            continue
        info = parse_nip(profile.nip)
        assert info.kind == profile.employee_type
        assert (info.birth_date, info.gender) == (profile.birth_date, profile.gender)
        assert info.appointment_year >= info.birth_date.year + 20
        if info.kind == "pns":
            assert profile.pangkat_golongan.endswith(
                ("(III/a)", "(III/b)", "(III/c)", "(III/d)", "(IV/a)", "(IV/b)"))
        else:
            assert profile.pangkat_golongan.startswith("Golongan ")
    assert kinds["pns"] > kinds["pppk"] > kinds["non_asn"] > 0


def test_participant_profiles_are_complete(ctx) -> None:
    rows = db.session.execute(
        select(User.email, ParticipantProfile, Instansi)
        .join(ParticipantProfile, ParticipantProfile.user_id == User.id)
        .join(Instansi, Instansi.id == ParticipantProfile.instansi_id)
    ).all()
    assert len(rows) == 301
    for email, profile, instansi in rows:
        assert profile.is_complete and profile.consent_version
        assert profile.instansi_name == instansi.name and instansi.is_reference
        assert instansi.province in (None, profile.province)
        assert profile.province in PROVINCES and profile.unit_kerja and profile.jabatan
        assert email == email.lower() and "@" in email
    assert len({p.province for _, p, _ in rows}) == 38


def test_participants_spread_over_the_provinces(fresh) -> None:
    seed_demo(participants=500, echo=quiet)
    provinces = Counter(db.session.scalars(select(ParticipantProfile.province)))
    assert len(provinces) >= 30
    assert provinces.most_common(1)[0][0] in ("Jawa Barat", "Jawa Timur", "Jawa Tengah")


# --- attendance, certificates and credits ----------------------------------------------

def test_every_certificate_has_a_live_credit_and_vice_versa(ctx) -> None:
    credit = aliased(LedgerEntry)
    orphans = count(Certificate, Certificate.kind == "participant",
                    Certificate.revoked_at.is_(None),
                    ~exists().where(credit.certificate_id == Certificate.id,
                                    credit.user_id == Certificate.user_id,
                                    credit.episode_id == Certificate.episode_id,
                                    credit.kind == "episode_credit"))
    assert orphans == 0
    uncertified = count(LedgerEntry, live_credits(), ~exists().where(
        Certificate.id == LedgerEntry.certificate_id,
        Certificate.user_id == LedgerEntry.user_id,
        Certificate.episode_id == LedgerEntry.episode_id,
        Certificate.revoked_at.is_(None)))
    assert uncertified == 0
    assert count(Certificate) == count(LedgerEntry, live_credits()) == ctx.counts["credits"]


def test_no_participant_has_two_credits_for_one_episode(ctx) -> None:
    doubles = db.session.execute(
        select(LedgerEntry.user_id, LedgerEntry.episode_id)
        .where(LedgerEntry.kind == "episode_credit")
        .group_by(LedgerEntry.user_id, LedgerEntry.episode_id).having(func.count() > 1)
    ).all()
    assert doubles == []


def test_jp_total_is_three_per_certificate(ctx) -> None:
    total = db.session.scalar(select(func.sum(LedgerEntry.jp)))
    assert total == 3 * count(Certificate)


def test_only_those_who_entered_both_codes_are_certified(ctx) -> None:
    both = (select(CheckIn.episode_id, CheckIn.user_id)
            .group_by(CheckIn.episode_id, CheckIn.user_id).having(func.count() == 2))
    attended = set(db.session.execute(both).all())
    certified = set(db.session.execute(select(Certificate.episode_id, Certificate.user_id)))
    assert certified == attended
    assert count(AttendanceVerdict, AttendanceVerdict.reason == "missed_checkpoint") > 0
    assert count(AttendanceVerdict, AttendanceVerdict.reason == "no_evidence") > 0


def test_jp_totals_vary_and_some_reach_the_target(ctx) -> None:
    totals = dict(db.session.execute(
        select(LedgerEntry.user_id, func.sum(LedgerEntry.jp))
        .where(LedgerEntry.year == 2022).group_by(LedgerEntry.user_id)).all())
    assert any(jp >= 20 for jp in totals.values())
    assert any(jp < 20 for jp in totals.values())
    assert len(set(totals.values())) >= 5


def test_seed_leaves_no_emails_to_made_up_addresses(ctx) -> None:
    assert count(OutboxEmail) == 0


# --- demo accounts ---------------------------------------------------------------------

def test_demo_logins_authenticate(ctx) -> None:
    assert [role for role, _, _ in DEMO_LOGINS] == ["organizer", "speaker", "participant"]
    for role, email, password in DEMO_LOGINS:
        assert password == DEMO_PASSWORD
        user = authenticate(email, password)
        assert user is not None and user.role == role
    # Bulk participants share the demo password too.
    someone = db.session.scalar(select(User.email).where(User.email.like("%@example.%")))
    assert authenticate(someone, DEMO_PASSWORD) is not None


def test_demo_participant_has_credits_certificates_and_upcoming_places(ctx) -> None:
    user = authenticate("peserta@asnbelajar.id", DEMO_PASSWORD)
    assert parse_nip(user.profile.nip).kind == "pns"
    assert authenticate(user.profile.nip, DEMO_PASSWORD) == user  # login by NIP
    jp_2022 = db.session.scalar(select(func.sum(LedgerEntry.jp)).where(
        LedgerEntry.user_id == user.id, LedgerEntry.year == 2022))
    assert jp_2022 >= 20
    assert count(Certificate, Certificate.user_id == user.id) == count(
        LedgerEntry, LedgerEntry.user_id == user.id)
    upcoming = db.session.execute(
        select(Registration.status).join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.user_id == user.id, Episode.starts_at > to_db(now_utc()))
    ).scalars().all()
    assert "registered" in upcoming and "waitlisted" in upcoming


def test_demo_speaker_presents_past_and_upcoming_episodes(ctx) -> None:
    user = authenticate("narasumber@asnbelajar.id", DEMO_PASSWORD)
    speaker = db.session.scalar(select(Speaker).where(Speaker.user_id == user.id))
    starts = db.session.scalars(
        select(Episode.starts_at).join(EpisodeSpeaker, EpisodeSpeaker.episode_id == Episode.id)
        .where(EpisodeSpeaker.speaker_id == speaker.id)).all()
    now = to_db(now_utc())
    assert any(s < now for s in starts) and any(s > now for s in starts)


# --- idempotency -----------------------------------------------------------------------

def test_second_run_changes_nothing(ctx) -> None:
    messages: list[str] = []
    assert seed_demo(participants=300, echo=messages.append) == ctx.counts
    assert demo.demo_counts() == ctx.counts
    assert count(OutboxEmail) == 0
    assert messages == ["Demo data already present; nothing to do."]


def test_rerun_with_more_participants_adds_only_accounts(fresh) -> None:
    first = seed_demo(participants=40, echo=quiet)
    again = seed_demo(participants=60, echo=quiet)
    assert again == {**first, "participants": first["participants"] + 20}
    nips = db.session.scalars(select(ParticipantProfile.nip).where(
        ParticipantProfile.nip.is_not(None))).all()
    assert len(nips) == len(set(nips)) and all(parse_nip(n) for n in nips)


def test_without_a_reference_list_the_seed_adds_its_own_agencies(fresh, monkeypatch) -> None:
    monkeypatch.setattr(demo, "_reference_loader", lambda: None)
    seed_demo(participants=60, echo=quiet)
    assert count(Instansi, Instansi.is_reference.is_(False)) == 0
    assert count(Instansi, Instansi.kind == "provinsi") == 38
    assert db.session.scalar(select(Instansi.province).where(
        Instansi.name == "Pemerintah Kota Surabaya")) == "Jawa Timur"
    used = db.session.execute(
        select(ParticipantProfile.province, Instansi.province)
        .join(Instansi, Instansi.id == ParticipantProfile.instansi_id)).all()
    assert used and all(agency in (None, home) for home, agency in used)
