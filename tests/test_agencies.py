"""Agency names typed outside the reference list: organizers see them grouped (case and
spaces ignored) with participants, provinces and the closest reference agency, and map a
name onto a reference agency in one audited UPDATE, after which the training-rate report
counts those participants' credits toward that agency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from asnbelajar.accounts import agencies
from asnbelajar.accounts.agencies import map_unlisted_agency, unlisted_agencies
from asnbelajar.accounts.models import Instansi, ParticipantProfile
from asnbelajar.accounts.reference import load_instansi
from asnbelajar.audit.models import AuditEvent
from asnbelajar.extensions import db as _db
from asnbelajar.reports.models import ReportSnapshot
from asnbelajar.reports.snapshots import year_figures

from .test_ledger import finish_episode

TYPED = "Pemerintah Prov. Papua"


@pytest.fixture
def reference(db):
    load_instansi()
    db.session.commit()
    return db.session.scalar(select(Instansi).where(Instansi.name == "Pemerintah Provinsi Papua"))


@pytest.fixture
def typed(reference, make_participant, make_episode, organizer, clock):
    """Two participants from Papua and one from Maluku typed "Pemerintah Prov. Papua" (one
    of them in capitals with doubled spaces, as older rows may hold), one typed a Sleman
    office, one picked a reference agency. The Papua three attended an episode of 2024."""
    papua = [make_participant(instansi=TYPED, province="Papua") for _ in range(2)]
    maluku = make_participant(instansi="pemerintah prov. papua", province="Maluku")
    sleman = make_participant(instansi="Dinas Kominfo Kab. Sleman", province="DI Yogyakarta")
    listed = make_participant(instansi="Pemerintah Provinsi Bali", province="Bali")
    # An older row: no agency row at all, the name as typed.
    _db.session.execute(
        text("UPDATE participant_profile SET instansi_id = NULL, "
             "instansi_name = 'PEMERINTAH  PROV. PAPUA' WHERE user_id = :u"),
        {"u": maluku.id})
    _db.session.commit()
    finish_episode(make_episode, organizer, clock, [*papua, maluku],
                   when=datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    return {"papua": papua, "maluku": maluku, "sleman": sleman, "listed": listed}


def _profile(user) -> ParticipantProfile:
    _db.session.expire_all()
    return _db.session.get(ParticipantProfile, user.id)


def test_typed_names_are_grouped_with_provinces_and_a_suggestion(typed, reference):
    page = unlisted_agencies()
    assert page.total == 2
    first, second = page.items
    assert (first.key, first.participants, first.spellings) == (
        "pemerintah prov. papua", 3, 2)
    assert first.provinces == [("Papua", 2), ("Maluku", 1)]
    assert first.suggestion[:2] == (reference.id, "Pemerintah Provinsi Papua")
    assert first.suggestion[2] > 0.6
    assert (second.key, second.participants) == ("dinas kominfo kab. sleman", 1)
    # A reference agency picked at sign-up is never listed.
    assert all("bali" not in item.key for item in page.items)

    assert [i.key for i in unlisted_agencies("SLEMAN kominfo").items] == [
        "dinas kominfo kab. sleman"]
    assert unlisted_agencies("tidak ada").total == 0
    paged = unlisted_agencies(page=2, per_page=1)
    assert (paged.total, [i.key for i in paged.items]) == (2, ["dinas kominfo kab. sleman"])


def test_both_suggestion_paths_agree(typed, is_postgres, monkeypatch):
    """pg_trgm on PostgreSQL (where the migration installed it) and the Python measure
    pick the same agencies."""
    keys = ["pemerintah prov. papua", "pemkab sleman", "badan kepegawaian negra", "zzz"]
    if is_postgres:
        assert agencies._trigram_sql()
        in_sql = agencies.closest_agencies(keys, limit=2)
        monkeypatch.setattr(agencies, "_trigram_sql", lambda: False)
        in_python = agencies.closest_agencies(keys, limit=2)
        assert {k: [c[:2] for c in v] for k, v in in_sql.items()} == {
            k: [c[:2] for c in v] for k, v in in_python.items()}
    found = agencies.closest_agencies(keys)
    assert found["pemkab sleman"][0][1] == "Pemerintah Kabupaten Sleman"
    assert found["badan kepegawaian negra"][0][1] == "Badan Kepegawaian Negara"
    assert found["zzz"] == []


def test_page_lists_and_maps_and_the_report_follows(client, login, organizer, typed,
                                                    reference, token_for):
    headers = token_for(organizer)

    def rate_rows():
        rows = client.get("/api/v1/reports/training-rate?year=2024", headers=headers).json
        return {r["instansi"]: r["participants"] for r in rows}

    # Counted under the typed name's own agency row; the older row without one not at all.
    assert rate_rows() == {TYPED: 2}
    # A slow count is served from the snapshot for a while, even after a change...
    year_figures(2024)
    _db.session.execute(ReportSnapshot.__table__.update().values(seconds=5.0))
    _db.session.commit()

    login(organizer)
    page = client.get("/console/instansi").get_data(as_text=True)
    assert "Pemerintah Prov. Papua" in page and "Papua (2)" in page and "Maluku (1)" in page
    assert "Pemerintah Provinsi Papua" in page  # the suggestion
    assert 'href="/console/instansi"' in page  # the console tab
    # The list's button preselects its suggestion; a search preselects nothing.
    assert (f'href="/console/instansi/map?name=pemerintah+prov.+papua&amp;'
            f'instansi_id={reference.id}"') in page
    confirm = client.get("/console/instansi/map", query_string={
        "name": "pemerintah prov. papua", "instansi_id": reference.id}).get_data(as_text=True)
    assert "Petakan 3 peserta" in confirm and "data-confirm" in confirm
    assert f'value="{reference.id}" checked' in confirm
    searched = client.get("/console/instansi/map", query_string={
        "name": "pemerintah prov. papua", "q": "papua barat daya"}).get_data(as_text=True)
    assert " checked" not in searched
    assert searched.index("Pemerintah Provinsi Papua Barat Daya") < searched.index(
        f'id="choice-{reference.id}"')

    response = client.post("/console/instansi/map", data={
        "name": "pemerintah prov. papua", "instansi_id": str(reference.id)})
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 peserta dengan instansi" in done
    assert "kini tercatat di Pemerintah Provinsi Papua" in done
    assert 'class="typed-name">Pemerintah Prov. Papua' not in done

    for user in [*typed["papua"], typed["maluku"]]:
        profile = _profile(user)
        assert (profile.instansi_id, profile.instansi_name) == (
            reference.id, "Pemerintah Provinsi Papua")
    assert _profile(typed["sleman"]).instansi_name == "Dinas Kominfo Kab. Sleman"
    [event] = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instansi.map"))
    assert (event.actor_id, event.object_id) == (organizer.id, reference.id)
    assert event.after["participants"] == 3
    assert event.before["instansi"] in (TYPED, "PEMERINTAH  PROV. PAPUA")

    # ...but a mapping drops it: the report counts the three toward the reference agency.
    after = rate_rows()
    assert after["Pemerintah Provinsi Papua"] == 3
    assert sum(after.values()) == 3


@pytest.mark.parametrize("agency", ["999999", "abc", "", "typed", "-1", "99999999999999"])
def test_bad_agency_changes_nothing(client, login, organizer, typed, agency):
    typed_row = _profile(typed["papua"][0]).instansi_id
    value = str(typed_row) if agency == "typed" else agency  # an unreviewed agency
    login(organizer)
    response = client.post("/console/instansi/map", data={
        "name": "pemerintah prov. papua", "instansi_id": value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Instansi tujuan tidak ada dalam daftar referensi" in page
    assert _profile(typed["papua"][0]).instansi_id == typed_row
    assert unlisted_agencies().items[0].participants == 3
    assert _db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "instansi.map")) == 0


def test_a_name_nobody_typed_goes_back_to_the_list(client, login, organizer, typed, reference):
    login(organizer)
    response = client.post("/console/instansi/map", data={
        "name": "instansi yang tidak ada", "instansi_id": str(reference.id)},
        follow_redirects=True)
    assert response.status_code == 200
    assert "mungkin sudah dipetakan" in response.get_data(as_text=True)
    assert client.get("/console/instansi/map?name=tidak+ada").status_code == 302


def test_only_organizers(client, login, typed, reference, make_user):
    assert client.get("/console/instansi").status_code == 302  # to the login page
    login(typed["listed"])
    assert client.get("/console/instansi").status_code == 403
    assert client.get("/console/instansi/map?name=pemerintah+prov.+papua").status_code == 403
    response = client.post("/console/instansi/map", data={
        "name": "pemerintah prov. papua", "instansi_id": str(reference.id)})
    assert response.status_code == 403
    login(make_user("speaker"))
    assert client.get("/console/instansi").status_code == 403
    assert _profile(typed["papua"][0]).instansi_id != reference.id


def test_mapping_needs_the_csrf_token(app_factory, typed, reference, organizer):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(organizer.id)
        session["_fresh"] = True
    response = client.post("/console/instansi/map", data={
        "name": "pemerintah prov. papua", "instansi_id": str(reference.id)})
    assert response.status_code == 400
    assert _profile(typed["papua"][0]).instansi_id != reference.id


def test_mapping_is_one_statement(typed, reference, organizer):
    """One UPDATE for every participant with the name, however many (plus the reads
    that check the agency and the name)."""
    statements: list[str] = []

    from sqlalchemy import event

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = map_unlisted_agency("pemerintah prov. papua", reference.id,
                                     actor_id=organizer.id)
        _db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.participants == 3
    updates = [s for s in statements
               if s.lstrip().upper().startswith("UPDATE PARTICIPANT_PROFILE")]
    assert len(updates) == 1
