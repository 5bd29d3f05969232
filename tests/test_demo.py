"""The demo seed: realistic, consistent with the domain rules, and idempotent."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.orm import aliased

from asnbelajar import create_app, demo
from asnbelajar.accounts.models import Instansi, ParticipantProfile, User
from asnbelajar.accounts.nip import parse_nip
from asnbelajar.accounts.services import PROVINCES, authenticate
from asnbelajar.attendance.models import (
    AttendanceImport,
    AttendanceInterval,
    AttendanceVerdict,
    CheckIn,
)
from asnbelajar.certificates.models import Certificate
from asnbelajar.demo import DEMO_LOGINS, DEMO_PASSWORD, places, scale, seed_demo
from asnbelajar.episodes.models import Episode, Program
from asnbelajar.evaluations.models import Evaluation
from asnbelajar.extensions import db
from asnbelajar.ledger.models import LedgerEntry
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.models import Registration
from asnbelajar.speakers.models import EpisodeSpeaker, Speaker
from asnbelajar.timeutil import now_utc, to_db, to_local

from .conftest import BASE_CONFIG, PG_SERVER_URL


def quiet(_message: str) -> None:
    pass


@contextmanager
def own_database(database_url: str, folder) -> Iterator:
    """An app on an empty migrated database for a group of tests: a copy of the SQLite
    template, or the run's PostgreSQL database, emptied before and after (the shared
    fixtures empty it after every test, so a group seeds once and reads many times)."""
    if PG_SERVER_URL:
        url = database_url
    else:
        path = folder / "demo.db"
        shutil.copy(database_url, path)
        url = f"sqlite:///{path}"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(folder / "instance")

    def empty() -> None:
        if PG_SERVER_URL:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    with app.app_context():
        empty()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        empty()
        db.engine.dispose()


@pytest.fixture(scope="class")
def seeded(database_url, tmp_path_factory):
    """One default seed of 300 participants shared by the read-only tests of a class."""
    with own_database(database_url, tmp_path_factory.mktemp("demo")) as app:
        with app.app_context():
            counts = seed_demo(participants=300, echo=quiet)
            db.session.remove()
        yield SimpleNamespace(app=app, counts=counts)


@pytest.fixture
def ctx(seeded):
    with seeded.app.app_context():
        yield seeded
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def fresh(app):
    """An empty database of its own (the shared fixtures), for tests that seed differently."""
    return app


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def live_credits():
    reversal = aliased(LedgerEntry)
    return and_(LedgerEntry.kind == "episode_credit",
                ~exists().where(reversal.reverses_id == LedgerEntry.id))


class TestDefaultSeed:
    """``seed-demo`` without options: 300 participants, seeded once for the class."""

    def test_counts_are_the_database_totals(self, ctx) -> None:
        assert ctx.counts == demo.demo_counts()
        assert ctx.counts["participants"] == 301  # 300 plus the demo participant
        assert ctx.counts["speakers"] >= 20
        assert 0 < ctx.counts["certificates"] == ctx.counts["credits"]
        assert ctx.counts["check_ins"] > ctx.counts["registrations"] > ctx.counts["certificates"]

    def test_2022_season_is_46_weekly_wednesday_episodes(self, ctx) -> None:
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

    def test_upcoming_episodes_are_open_for_registration(self, ctx) -> None:
        now = now_utc()
        # "Upcoming" = not ended yet: an episode live right now is not finalized either.
        upcoming = list(db.session.scalars(
            select(Episode).where(Episode.ends_at > to_db(now)).order_by(Episode.starts_at)))
        assert len(upcoming) == 6
        assert all(e.registration_open(now) and e.finalized_at is None for e in upcoming)
        assert to_local(upcoming[0].starts_at).date() - to_local(now).date() <= timedelta(days=7)
        recent = db.session.scalars(select(Episode).where(
            Episode.ends_at < to_db(now), Episode.starts_at > to_db(now - timedelta(days=40))))
        assert all(e.finalized_at is not None for e in recent)
        limited = [e for e in upcoming if e.capacity]
        assert len(limited) == 1
        registered = count(Registration, Registration.episode_id == limited[0].id,
                           Registration.status == "registered")
        waitlisted = count(Registration, Registration.episode_id == limited[0].id,
                           Registration.status == "waitlisted")
        assert registered == limited[0].capacity and waitlisted > 0

    def test_this_years_episodes_are_consecutive_and_the_gap_is_explained(self, ctx) -> None:
        recent = list(db.session.scalars(
            select(Episode).where(Episode.year != 2022).order_by(Episode.starts_at)))
        assert len(recent) == 10
        days = [to_local(e.starts_at).date() for e in recent]
        assert all(b - a == timedelta(weeks=1) for a, b in zip(days, days[1:], strict=False))
        # Numbered per year: consecutive within a year, no number skipped.
        for year in {e.year for e in recent}:
            numbers = [e.number for e in recent if e.year == year]
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        program = db.session.scalar(select(Program))
        assert "2022" in program.description and "tidak dimuat" in program.description

    def test_capacity_is_never_exceeded(self, ctx) -> None:
        for episode in db.session.scalars(select(Episode).where(Episode.capacity.is_not(None))):
            assert count(Registration, Registration.episode_id == episode.id,
                         Registration.status == "registered") <= episode.capacity

    def test_speakers_have_titles_and_roles(self, ctx) -> None:
        names = list(db.session.scalars(select(Speaker.name)))
        assert any(n.startswith("Prof. Dr.") for n in names)
        assert all(("Dr." in n or "," in n) for n in names)
        roles = set(db.session.scalars(select(EpisodeSpeaker.role)))
        assert roles == {"narasumber", "moderator", "keynote"}

    def test_participant_nips_are_valid_and_match_the_profile(self, ctx) -> None:
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

    def test_participant_profiles_are_complete(self, ctx) -> None:
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

    def test_every_certificate_has_a_live_credit_and_vice_versa(self, ctx) -> None:
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

    def test_no_participant_has_two_credits_for_one_episode(self, ctx) -> None:
        doubles = db.session.execute(
            select(LedgerEntry.user_id, LedgerEntry.episode_id)
            .where(LedgerEntry.kind == "episode_credit")
            .group_by(LedgerEntry.user_id, LedgerEntry.episode_id).having(func.count() > 1)
        ).all()
        assert doubles == []

    def test_jp_total_is_three_per_certificate(self, ctx) -> None:
        total = db.session.scalar(select(func.sum(LedgerEntry.jp)))
        assert total == 3 * count(Certificate)

    def test_only_those_who_entered_both_codes_are_certified(self, ctx) -> None:
        both = (select(CheckIn.episode_id, CheckIn.user_id)
                .group_by(CheckIn.episode_id, CheckIn.user_id).having(func.count() == 2))
        attended = set(db.session.execute(both).all())
        certified = set(db.session.execute(select(Certificate.episode_id, Certificate.user_id)))
        assert certified == attended
        assert count(AttendanceVerdict, AttendanceVerdict.reason == "missed_checkpoint") > 0
        assert count(AttendanceVerdict, AttendanceVerdict.reason == "no_evidence") > 0

    def test_jp_totals_vary_and_some_reach_the_target(self, ctx) -> None:
        totals = dict(db.session.execute(
            select(LedgerEntry.user_id, func.sum(LedgerEntry.jp))
            .where(LedgerEntry.year == 2022).group_by(LedgerEntry.user_id)).all())
        assert any(jp >= 20 for jp in totals.values())
        assert any(jp < 20 for jp in totals.values())
        assert len(set(totals.values())) >= 5

    def test_seed_leaves_no_emails_to_made_up_addresses(self, ctx) -> None:
        assert count(OutboxEmail) == 0

    def test_demo_logins_authenticate(self, ctx) -> None:
        assert [role for role, _, _ in DEMO_LOGINS] == ["organizer", "speaker", "participant"]
        for role, email, password in DEMO_LOGINS:
            assert password == DEMO_PASSWORD
            user = authenticate(email, password)
            assert user is not None and user.role == role
        # Bulk participants share the demo password too.
        someone = db.session.scalar(select(User.email).where(User.email.like("%@example.%")))
        assert authenticate(someone, DEMO_PASSWORD) is not None

    def test_demo_participant_has_credits_certificates_and_upcoming_places(self, ctx) -> None:
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

    def test_demo_speaker_presents_past_and_upcoming_episodes(self, ctx) -> None:
        user = authenticate("narasumber@asnbelajar.id", DEMO_PASSWORD)
        speaker = db.session.scalar(select(Speaker).where(Speaker.user_id == user.id))
        starts = db.session.scalars(
            select(Episode.starts_at).join(EpisodeSpeaker, EpisodeSpeaker.episode_id == Episode.id)
            .where(EpisodeSpeaker.speaker_id == speaker.id)).all()
        now = to_db(now_utc())
        assert any(s < now for s in starts) and any(s > now for s in starts)

    def test_second_run_changes_nothing(self, ctx) -> None:
        messages: list[str] = []
        assert seed_demo(participants=300, echo=messages.append) == ctx.counts
        assert demo.demo_counts() == ctx.counts
        assert count(OutboxEmail) == 0
        assert messages == ["Demo data already present; nothing to do."]


# --- seeds of their own -------------------------------------------------------------

def test_participants_spread_over_the_provinces(fresh) -> None:
    seed_demo(participants=500, echo=quiet)
    provinces = Counter(db.session.scalars(select(ParticipantProfile.province)))
    assert len(provinces) >= 30
    assert provinces.most_common(1)[0][0] in ("Jawa Barat", "Jawa Timur", "Jawa Tengah")


def test_rerun_with_more_participants_adds_only_accounts(fresh) -> None:
    first = seed_demo(participants=40, echo=quiet)
    again = seed_demo(participants=60, echo=quiet)
    assert again == {**first, "participants": first["participants"] + 20}
    nips = db.session.scalars(select(ParticipantProfile.nip).where(
        ParticipantProfile.nip.is_not(None))).all()
    assert len(nips) == len(set(nips)) and all(parse_nip(n) for n in nips)


def test_without_a_reference_list_the_seed_adds_its_own_agencies(fresh, monkeypatch) -> None:
    monkeypatch.setattr(places, "reference_loader", lambda: None)
    seed_demo(participants=60, echo=quiet)
    assert count(Instansi, Instansi.is_reference.is_(False)) == 0
    assert count(Instansi, Instansi.kind == "provinsi") == 38
    assert db.session.scalar(select(Instansi.province).where(
        Instansi.name == "Pemerintah Kota Surabaya")) == "Jawa Timur"
    used = db.session.execute(
        select(ParticipantProfile.province, Instansi.province)
        .join(Instansi, Instansi.id == ParticipantProfile.instansi_id)).all()
    assert used and all(agency in (None, home) for home, agency in used)


# --- the season at scale (seed-demo --registrations N) --------------------------------

SCALED = 3000  # registrations: the real season's 457,300 scaled down for the suite


def season_counts(where=None):
    """{Seri number: active registrations} of the 2022 season."""
    query = (select(Episode.number, func.count(Registration.id))
             .join(Registration, Registration.episode_id == Episode.id)
             .where(Episode.year == 2022, Registration.status == "registered")
             .group_by(Episode.number))
    return dict(db.session.execute(query).all())


@pytest.fixture(scope="class")
def scaled(database_url, tmp_path_factory):
    """``asnbelajar seed-demo --registrations 3000`` through the CLI, once for the class."""
    with own_database(database_url, tmp_path_factory.mktemp("scaled")) as app:
        result = app.test_cli_runner().invoke(
            args=["seed-demo", "--registrations", str(SCALED), "--participants", "300"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            counts = demo.demo_counts()
            db.session.remove()
        yield SimpleNamespace(app=app, counts=counts, output=result.output)


@pytest.fixture
def big(scaled):
    with scaled.app.app_context():
        yield scaled
        db.session.rollback()
        db.session.remove()


class TestSeasonAtScale:
    def test_exactly_n_active_registrations_in_2022(self, big) -> None:
        per_episode = season_counts()
        assert sum(per_episode.values()) == SCALED
        assert sorted(per_episode) == list(range(1, 47))
        # Cancellations are in the table too, but never counted as active.
        cancelled = count(Registration, Registration.status == "cancelled")
        assert 0 < cancelled < SCALED * 0.05
        assert "active_registrations" in big.output and "Demo logins:" in big.output

    def test_episode_sizes_follow_the_real_shape_scaled(self, big) -> None:
        per_episode = season_counts()
        assert [per_episode[n] for n in range(1, 47)] == scale.episode_sizes(SCALED)
        factor = SCALED / scale.REAL_SEASON_REGISTRATIONS
        largest = max(per_episode, key=per_episode.get)
        assert largest == 43
        attended = count(AttendanceVerdict, AttendanceVerdict.attended.is_(True),
                         AttendanceVerdict.episode_id == select(Episode.id).where(
                             Episode.year == 2022, Episode.number == 43).scalar_subquery())
        assert attended > 7700 * factor  # "more than 7,700 attendees", scaled
        typical = [c for c in per_episode.values() if 5000 * factor <= c <= 12000 * factor]
        assert len(typical) >= 35  # many between 5,000 and 12,000
        assert sum(c > 12000 * factor for c in per_episode.values()) >= 3  # a few large

    def test_ledger_and_certificates_agree_for_asn(self, big) -> None:
        asn = ParticipantProfile.employee_type.in_(("pns", "pppk"))
        credits = db.session.scalar(
            select(func.count()).select_from(LedgerEntry)
            .join(ParticipantProfile, ParticipantProfile.user_id == LedgerEntry.user_id)
            .where(live_credits(), asn))
        certificates = db.session.scalar(
            select(func.count()).select_from(Certificate)
            .join(ParticipantProfile, ParticipantProfile.user_id == Certificate.user_id)
            .where(Certificate.kind == "participant", Certificate.revoked_at.is_(None), asn))
        assert 0 < credits == certificates
        assert big.counts["credits"] == big.counts["certificates"]

    def test_people_repeat_and_some_reach_20_jp(self, big) -> None:
        per_person = Counter(db.session.scalars(
            select(Registration.user_id).join(Episode, Episode.id == Registration.episode_id)
            .where(Episode.year == 2022, Registration.status == "registered")))
        several = sum(1 for k in per_person.values() if k >= 2)
        assert several > len(per_person) / 2  # most attend several episodes
        totals = list(db.session.scalars(
            select(func.sum(LedgerEntry.jp)).where(LedgerEntry.year == 2022)
            .group_by(LedgerEntry.user_id)))
        reached = sum(1 for jp in totals if jp >= 20)
        assert 0 < reached < len(totals) / 2  # some reach the target, many do not
        provinces = db.session.scalars(select(ParticipantProfile.province).distinct()).all()
        assert len(provinces) == 38

    def test_zoom_reports_credit_by_minutes_under_the_either_rule(self, big) -> None:
        zoom = list(db.session.scalars(
            select(Episode).where(Episode.year == 2022, Episode.attendance_rule == "either")))
        assert len(zoom) == 12 and all(e.min_minutes == 90 for e in zoom)
        assert count(AttendanceInterval) > 0
        assert count(AttendanceImport) == 12
        by_minutes = count(AttendanceVerdict, AttendanceVerdict.attended.is_(True),
                           AttendanceVerdict.checkpoints_passed < 2,
                           AttendanceVerdict.minutes >= 90)
        assert by_minutes > 0
        # Intervals never overlap within a person's episode (they are merged spans).
        for episode in zoom[:3]:
            spans = db.session.execute(
                select(AttendanceInterval.user_id, AttendanceInterval.joined_at,
                       AttendanceInterval.left_at)
                .where(AttendanceInterval.episode_id == episode.id)
                .order_by(AttendanceInterval.user_id, AttendanceInterval.joined_at)).all()
            for a, b in zip(spans, spans[1:], strict=False):
                if a.user_id == b.user_id:
                    assert a.left_at <= b.joined_at

    def test_registrations_follow_the_working_week(self, big) -> None:
        stamps = db.session.scalars(
            select(Registration.created_at).join(Episode, Episode.id == Registration.episode_id)
            .where(Episode.year == 2022)).all()
        days = Counter(to_local(s).weekday() for s in stamps)
        assert min(days[d] for d in range(5)) > 2 * max(days[5], days[6])
        # Nobody registers after the episode has started.
        early = db.session.scalar(
            select(func.count()).select_from(Registration)
            .join(Episode, Episode.id == Registration.episode_id)
            .where(Episode.year == 2022, Registration.created_at >= Episode.starts_at))
        assert early == 0

    def test_evaluations_only_from_those_who_attended(self, big) -> None:
        evaluated = count(Evaluation)
        strays = count(Evaluation, ~exists().where(
            AttendanceVerdict.episode_id == Evaluation.episode_id,
            AttendanceVerdict.user_id == Evaluation.user_id,
            AttendanceVerdict.attended.is_(True)))
        assert evaluated > 0 and strays == 0

    def test_second_run_changes_nothing(self, big) -> None:
        messages: list[str] = []
        again = seed_demo(participants=300, registrations=SCALED, echo=messages.append)
        assert again == big.counts
        assert messages == ["Demo data already present; nothing to do."]
        other = seed_demo(participants=300, registrations=SCALED + 1, echo=messages.append)
        assert other == big.counts
        assert "applies to a fresh database" in messages[-1]


def test_episode_sizes_add_up_to_n_whatever_n() -> None:
    for n in (1, 46, 47, 3000, 457_300, 1_000_000):
        sizes = scale.episode_sizes(n)
        assert len(sizes) == 46 and sum(sizes) == n and min(sizes) >= 0
    real = scale.episode_sizes(scale.REAL_SEASON_REGISTRATIONS)
    assert max(real) > 15_000 and sum(5000 <= s <= 12000 for s in real) >= 35


def test_assignment_fills_every_room_with_distinct_people() -> None:
    rng = random.Random(1)
    sizes = scale.episode_sizes(20_000)
    wants = scale.appetites(20_000, rng)
    members, people = scale.assign(sizes, wants, rng)
    assert [len(m) for m in members] == sizes
    assert all(len(set(m)) == len(m) for m in members)  # once per person and episode
    assert max(max(m) for m in members if m) < people


def test_registrations_option_refuses_nonsense(runner) -> None:
    result = runner.invoke(args=["seed-demo", "--registrations", "0"])
    assert result.exit_code == 2 and "0" in result.output
