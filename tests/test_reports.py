"""Training rate per agency: share of its ASN participants with >= 20 JP this year."""

from __future__ import annotations

from datetime import date

from asnbelajar.ledger.services import add_external_credit
from asnbelajar.registrations.services import register


def test_training_rate_counts_asn_reaching_the_target(client, db, make_participant,
                                                      make_episode, organizer, token_for):
    episode = make_episode()
    a = make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara")
    b = make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara")
    umum = make_participant(kind="non_asn", instansi="Pemerintah Kota Medan",
                            province="Sumatera Utara")
    c = make_participant(instansi="Badan Kepegawaian Negara", province="DKI Jakarta")
    for person in (a, b, umum, c):
        register(episode.id, person)
    year = episode.year
    add_external_credit(user_id=a.id, jp=20, title="Latsar CPNS", provider="BPSDM",
                        occurred_on=date(year, 1, 15), evidence_path=None,
                        actor_id=organizer.id)
    add_external_credit(user_id=umum.id, jp=25, title="Pelatihan", provider="LAN",
                        occurred_on=date(year, 1, 15), evidence_path=None,
                        actor_id=organizer.id)
    db.session.commit()
    rows = client.get(f"/api/v1/reports/training-rate?year={year}",
                      headers=token_for(organizer)).json
    by_name = {row["instansi"]: row for row in rows}
    medan = by_name["Pemerintah Kota Medan"]
    assert (medan["participants"], medan["reached_target"], medan["rate"]) == (2, 1, 0.5)
    assert by_name["Badan Kepegawaian Negara"]["reached_target"] == 0


def test_training_rate_is_for_organizers_only(client, make_participant, token_for):
    r = client.get("/api/v1/reports/training-rate", headers=token_for(make_participant()))
    assert r.status_code == 403


# Figures checked against counts made by hand --------------------------------------------

import csv  # noqa: E402
import io  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.exc import IntegrityError  # noqa: E402

from asnbelajar.accounts.models import Instansi  # noqa: E402
from asnbelajar.attendance.services import finalize_episode, mark_attendance  # noqa: E402
from asnbelajar.certificates.models import Certificate  # noqa: E402
from asnbelajar.certificates.services import revoke_certificate  # noqa: E402
from asnbelajar.extensions import db as _db  # noqa: E402
from asnbelajar.registrations.services import cancel_registration  # noqa: E402
from asnbelajar.reports.models import InstansiHeadcount  # noqa: E402
from asnbelajar.reports.services import set_headcount  # noqa: E402

WHEN = datetime(2024, 2, 22, 6, 0, tzinfo=UTC)


@pytest.fixture
def season(app, make_episode, make_participant, organizer, clock):
    return make_season(app, make_episode, make_participant, organizer, clock)


def make_season(app, make_episode, make_participant, organizer, clock):
    """Two finalized 2024 episodes (2 JP and 20 JP) and one 2023 episode:

    * Medan (Sumatera Utara): a, b attend both; c registers for the first and cancels;
    * BKN (DKI Jakarta): d attends the first only; umum (non-ASN) attends the first;
    * e is waitlisted in the first (capacity 5) and promoted when c cancels.
    """
    # Exact figures after every change, however busy the test machine (see snapshots.py).
    app.config["REPORT_SNAPSHOT_SECONDS"] = 0
    people = {
        "a": make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara"),
        "b": make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara"),
        "c": make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara"),
        "d": make_participant(instansi="Badan Kepegawaian Negara", province="DKI Jakarta"),
        "umum": make_participant(kind="non_asn", instansi="Pemerintah Kota Medan",
                                 province="Aceh"),
        "e": make_participant(instansi="Badan Kepegawaian Negara", province="Bali"),
    }
    _db.session.execute(Instansi.__table__.update()
                        .where(Instansi.name == "Pemerintah Kota Medan")
                        .values(province="Sumatera Utara"))
    _db.session.execute(Instansi.__table__.update()
                        .where(Instansi.name == "Badan Kepegawaian Negara")
                        .values(province="DKI Jakarta"))
    episodes = []
    for offset, jp, capacity, who in (
            (0, 2, 5, ("a", "b", "c", "d", "umum", "e")),
            (7, 20, None, ("a", "b"))):
        when = WHEN + timedelta(days=offset)
        clock.set(when - timedelta(days=7))
        episode = make_episode(starts_in=timedelta(days=7), hours=2, jp=jp, capacity=capacity)
        for key in who:
            register(episode.id, people[key])
        _db.session.commit()
        if offset == 0:
            cancel_registration(episode.id, people["c"])
            _db.session.commit()
        clock.set(when + timedelta(hours=3))
        for key in who:
            if key not in ("c", "e"):
                mark_attendance(episode, people[key].id, attended=True, reason="Hadir",
                                actor_id=organizer.id)
        finalize_episode(episode.id, actor_id=organizer.id, notify=False)
        _db.session.commit()
        episodes.append(episode)
    return people, episodes


def test_summary_matches_hand_counts(client, organizer, token_for, season):
    people, (first, second) = season
    # c cancelled, so e (waitlisted) was promoted: the first has a, b, d, umum, e.
    summary = client.get("/api/v1/reports/summary?year=2024",
                         headers=token_for(organizer)).json
    assert summary == {
        "year": 2024, "episodes": 2, "registrations": 5 + 2, "unique_participants": 5,
        "attended": 4 + 2, "jp_credited": 4 * 2 + 2 * 20, "certificates": 6,
        "asn_reached_target": 2,  # a and b: 22 JP each; umum has 2, d has 2
    }
    cert = _db.session.scalar(select(Certificate).where(
        Certificate.user_id == people["a"].id, Certificate.episode_id == second.id))
    revoke_certificate(cert, reason="Salah nama", actor_id=organizer.id)
    _db.session.commit()
    again = client.get("/api/v1/reports/summary?year=2024", headers=token_for(organizer)).json
    assert again["certificates"] == 5
    assert client.get("/api/v1/reports/summary?year=2023",
                      headers=token_for(organizer)).json["episodes"] == 0


def test_summary_refuses_a_bad_year_with_a_message(client, organizer, token_for):
    r = client.get("/api/v1/reports/summary?year=abc", headers=token_for(organizer))
    assert r.status_code == 422
    assert r.json["error"]["message"]


def test_training_rate_rows_carry_province_and_headcount_rate(client, organizer, token_for,
                                                              season):
    set_headcount("Pemerintah Kota Medan", 2024, 40, actor_id=organizer.id)
    set_headcount("Pemerintah Kota Medan", 2023, 999, actor_id=organizer.id)
    _db.session.commit()
    rows = client.get("/api/v1/reports/training-rate?year=2024",
                      headers=token_for(organizer)).json
    medan = next(r for r in rows if r["instansi"] == "Pemerintah Kota Medan")
    # a, b, c (registered then cancelled, but c has no ledger entry: not a participant).
    assert medan == {"instansi": "Pemerintah Kota Medan", "province": "Sumatera Utara",
                     "participants": 2, "reached_target": 2, "rate": 1.0, "headcount": 40,
                     "headcount_rate": 0.05}
    bkn = next(r for r in rows if r["instansi"] == "Badan Kepegawaian Negara")
    assert (bkn["participants"], bkn["reached_target"], bkn["headcount"],
            bkn["headcount_rate"]) == (2, 0, None, None)
    only = client.get("/api/v1/reports/training-rate?year=2024&province=DKI%20Jakarta",
                      headers=token_for(organizer)).json
    assert [r["instansi"] for r in only] == ["Badan Kepegawaian Negara"]


def test_training_rate_exports_open_as_spreadsheets(client, organizer, token_for, season,
                                                    make_participant, make_episode):
    sly = make_participant(instansi="=HYPERLINK(\"http://x\")", province="Bali")
    register(make_episode(starts_in=timedelta(days=3)).id, sly)
    add_external_credit(user_id=sly.id, jp=3, title="Pelatihan", provider="LAN",
                        occurred_on=date(2024, 2, 2), evidence_path=None,
                        actor_id=organizer.id)
    _db.session.commit()
    headers = token_for(organizer)
    r = client.get("/api/v1/reports/training-rate?year=2024&format=csv", headers=headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "JP di platform ini" in table[0][3]
    assert ["Pemerintah Kota Medan", "Sumatera Utara", "2", "2", "1.0", "", ""] in table
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    assert ['HYPERLINK("http://x")', "", "1", "0", "0.0", "", ""] in table
    r = client.get("/api/v1/reports/training-rate?year=2024&format=xlsx", headers=headers)
    sheet = load_workbook(io.BytesIO(r.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Instansi"
    assert ["Badan Kepegawaian Negara", "DKI Jakarta", 2, 0, 0, None, None] in values
    bad = client.get("/api/v1/reports/training-rate?year=2024&format=pdf", headers=headers)
    assert bad.status_code == 422


def test_one_headcount_per_agency_and_year_in_the_database(db, organizer, make_participant):
    make_participant(instansi="Pemerintah Kota Medan")
    medan = db.session.scalar(select(Instansi).where(Instansi.name == "Pemerintah Kota Medan"))
    db.session.add(InstansiHeadcount(instansi_id=medan.id, year=2024, headcount=5))
    db.session.commit()
    db.session.add(InstansiHeadcount(instansi_id=medan.id, year=2024, headcount=6))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # The service replaces the figure instead.
    set_headcount("pemerintah kota medan", "2024", "1.250", actor_id=organizer.id)
    db.session.commit()
    assert db.session.scalar(select(InstansiHeadcount.headcount)) == 1250


def test_headcount_csv_import_is_all_or_nothing(client, login, organizer, make_participant):
    make_participant(instansi="Pemerintah Kota Medan")
    make_participant(instansi="Badan Kepegawaian Negara")
    login(organizer)
    bad = "instansi;tahun;jumlah_asn\nPemerintah Kota Medan;2024;1200\nDinas Antah;2024;5\n"
    r = client.post("/console/reports/headcounts/import",
                    data={"year": "2024", "file": (io.BytesIO(bad.encode()), "asn.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    assert "Baris 3" in r.get_data(as_text=True)
    assert _db.session.scalar(select(InstansiHeadcount.id)) is None
    good = ("instansi,jumlah_asn\nPemerintah Kota Medan,1200\n"
            "Badan Kepegawaian Negara,5000\n")
    r = client.post("/console/reports/headcounts/import",
                    data={"year": "2024", "file": (io.BytesIO(good.encode()), "asn.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    counts = dict(_db.session.execute(
        select(Instansi.name, InstansiHeadcount.headcount)
        .join(Instansi, Instansi.id == InstansiHeadcount.instansi_id)
        .where(InstansiHeadcount.year == 2024)).all())
    assert counts == {"Pemerintah Kota Medan": 1200, "Badan Kepegawaian Negara": 5000}


def test_episode_report_funnel_and_groups(client, organizer, token_for, season):
    _people, (first, _second) = season
    report = client.get(f"/api/v1/episodes/{first.id}/report",
                        headers=token_for(organizer)).json
    assert (report["registered"], report["waitlisted"], report["attended"],
            report["certified"]) == (5, 0, 4, 4)
    provinces = {r["province"]: r for r in report["by_province"]}
    assert provinces["Sumatera Utara"]["registered"] == 2
    assert provinces["Bali"] == {"province": "Bali", "registered": 1, "waitlisted": 0,
                                 "attended": 0, "certified": 0}
    agencies = {r["instansi"]: r for r in report["by_instansi"]}
    assert agencies["Pemerintah Kota Medan"]["attended"] == 3  # a, b and umum
    assert set(report["evaluation"]) >= {"count", "averages", "speakers", "comments"}


def test_reports_are_for_organizers_only(client, make_participant, token_for, season):
    headers = token_for(make_participant())
    _people, (first, _second) = season
    for url in ("/api/v1/reports/summary", f"/api/v1/episodes/{first.id}/report",
                f"/api/v1/episodes/{first.id}/siasn"):
        assert client.get(url, headers=headers).status_code == 403


def test_co_speakers_are_rated_one_by_one(client, db, organizer, make_participant,
                                          make_episode, token_for, clock, login):
    from asnbelajar.speakers.services import add_speaker

    clock.set(WHEN - timedelta(days=7))
    episode = make_episode(starts_in=timedelta(days=7), hours=2)
    first = add_speaker(episode, {"name": "Dr. Rina", "institution": "LAN RI"}, organizer.id)
    second = add_speaker(episode, {"name": "Budi, M.Si.", "institution": "BKN"},
                         organizer.id)
    people = [make_participant() for _ in range(3)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    clock.set(WHEN + timedelta(hours=3))
    base = {"material": 4, "speaker": 4, "organization": 4, "relevance": 4}
    for person, (a, b) in zip(people[:2], ((5, 2), (4, 3)), strict=True):
        r = client.post(f"/api/v1/episodes/{episode.id}/evaluations",
                        headers=token_for(person),
                        json={"scores": {**base, "speakers": {str(first.speaker_id): a,
                                                              str(second.speaker_id): b}},
                              "comment": "Materi bagus"})
        assert r.status_code == 201, r.json
    # A score for someone who did not speak is refused, and nothing is saved.
    r = client.post(f"/api/v1/episodes/{episode.id}/evaluations", headers=token_for(people[2]),
                    json={"scores": {**base, "speakers": {"999999": 5}}})
    assert r.status_code == 422
    report = client.get(f"/api/v1/episodes/{episode.id}/report",
                        headers=token_for(organizer)).json["evaluation"]
    speakers = {s["name"]: s for s in report["speakers"]}
    assert (speakers["Dr. Rina"]["average"], speakers["Dr. Rina"]["count"]) == (4.5, 2)
    assert (speakers["Budi, M.Si."]["average"], speakers["Budi, M.Si."]["count"]) == (2.5, 2)
    assert report["count"] == 2 and report["comments"] == ["Materi bagus", "Materi bagus"]
    # The web form asks for each speaker and refuses a missing one.
    login(people[2])
    form = {**dict.fromkeys(base, "4"), f"speaker-{first.speaker_id}": "5"}
    page = client.post(f"/episodes/{episode.id}/evaluation", data=form)
    assert page.status_code == 200 and "Budi, M.Si." in page.get_data(as_text=True)
    form[f"speaker-{second.speaker_id}"] = "1"
    assert client.post(f"/episodes/{episode.id}/evaluation", data=form).status_code == 302
    report = client.get(f"/api/v1/episodes/{episode.id}/report",
                        headers=token_for(organizer)).json["evaluation"]
    assert {s["name"]: s["count"] for s in report["speakers"]} == {"Dr. Rina": 3,
                                                                  "Budi, M.Si.": 3}


def test_slow_figures_are_kept_a_bounded_time_and_recounted_on_request(
        app, client, login, organizer, token_for, season, monkeypatch):
    from asnbelajar.reports import snapshots
    from asnbelajar.reports.models import ReportSnapshot
    from asnbelajar.scheduler.services import JOBS

    people, (_first, second) = season
    headers = token_for(organizer)
    app.config["REPORT_SNAPSHOT_SECONDS"] = 300
    # Province scale, simulated: every computation counts as slow.
    monkeypatch.setattr(snapshots, "KEEP_SECONDS", 0.0)
    monkeypatch.setattr(snapshots, "SLOW_SECONDS", 0.0)
    monkeypatch.setattr(snapshots, "fingerprint", lambda: None)
    assert client.get("/api/v1/reports/summary?year=2024", headers=headers).json[
        "certificates"] == 6
    cert = _db.session.scalar(select(Certificate).where(
        Certificate.user_id == people["a"].id, Certificate.episode_id == second.id))
    revoke_certificate(cert, reason="Salah nama", actor_id=organizer.id)
    _db.session.commit()
    # Kept (younger than REPORT_SNAPSHOT_SECONDS), and the page says when it was counted.
    assert client.get("/api/v1/reports/summary?year=2024", headers=headers).json[
        "certificates"] == 6
    login(organizer)
    assert "Dihitung" in client.get("/console?year=2024").get_data(as_text=True)
    # An organizer's recount, or the scheduler's job, brings the figures up to date.
    client.get("/console?year=2024&recount=1")
    assert client.get("/api/v1/reports/summary?year=2024", headers=headers).json[
        "certificates"] == 5
    assert _db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 1
    app.config["REPORT_SNAPSHOT_SECONDS"] = 0  # never kept: always counted live
    revoke_certificate(_db.session.scalar(select(Certificate).where(
        Certificate.user_id == people["b"].id, Certificate.episode_id == second.id)),
        reason="Ganda", actor_id=organizer.id)
    _db.session.commit()
    assert client.get("/api/v1/reports/summary?year=2024", headers=headers).json[
        "certificates"] == 4
    app.config["REPORT_SNAPSHOT_SECONDS"] = 300
    result = JOBS["refresh-reports"][0]()
    assert set(result["refreshed"]) >= {snapshots.current_year()}


def test_figures_are_served_while_nothing_changed_and_recounted_after_a_change(
        app, client, organizer, token_for, season, monkeypatch):
    """At the real season's size a recount takes most of a second even when quick enough
    not to count as slow: unchanged figures (the server's table counters say so) are
    served from the snapshot, a change makes the next request count again."""
    from asnbelajar.reports import snapshots

    people, (_first, second) = season
    headers = token_for(organizer)
    app.config["REPORT_SNAPSHOT_SECONDS"] = 300
    monkeypatch.setattr(snapshots, "KEEP_SECONDS", 0.0)
    monkeypatch.setattr(snapshots, "SLOW_SECONDS", 3600.0)  # never slow enough on its own
    counters = {"mark": "v1"}
    monkeypatch.setattr(snapshots, "fingerprint", lambda: counters["mark"])
    computed = []
    real_compute = snapshots.compute
    monkeypatch.setattr(snapshots, "compute", lambda year: computed.append(year)
                        or real_compute(year))

    def certificates() -> int:
        return client.get("/api/v1/reports/summary?year=2024", headers=headers).json[
            "certificates"]

    assert certificates() == 6 and len(computed) == 1
    assert certificates() == 6 and len(computed) == 1  # unchanged: served, not counted
    cert = _db.session.scalar(select(Certificate).where(
        Certificate.user_id == people["a"].id, Certificate.episode_id == second.id))
    revoke_certificate(cert, reason="Salah nama", actor_id=organizer.id)
    _db.session.commit()
    counters["mark"] = "v2"  # what the server's counters do after the commit
    assert certificates() == 5 and len(computed) == 2
