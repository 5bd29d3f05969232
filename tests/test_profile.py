"""Self-service profile updates: every rule is checked before anything changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from asnbelajar.accounts.models import Instansi, ParticipantProfile, User
from asnbelajar.accounts.nip import format_nip
from asnbelajar.accounts.services import CONSENT_VERSION, ProfileData, update_profile
from asnbelajar.errors import Conflict, ValidationError
from asnbelajar.timeutil import as_utc

NEW_INSTANSI = "Pemerintah Kabupaten Contoh Baru"


def _data(**overrides) -> ProfileData:
    fields = {"employee_type": "pns", "instansi": NEW_INSTANSI, "province": "Bali",
              "unit_kerja": "Bagian Umum", "jabatan": "Pranata Komputer",
              "pangkat_golongan": "III/c", "phone": "0812 1111 2222"}
    fields.update(overrides)
    return ProfileData(**fields)


def _stored(db, user_id: int) -> tuple:
    """The user's row as the database holds it (not the session's copy)."""
    db.session.expire_all()
    user = db.session.get(User, user_id)
    prof = user.profile
    return (user.full_name, user.timezone, prof.nip, prof.employee_type, prof.birth_date,
            prof.instansi_name, prof.province, prof.unit_kerja, prof.phone,
            prof.consent_version, prof.consent_at)


@pytest.mark.parametrize("typed", ["raw", "formatted"])
def test_taken_nip_is_a_conflict_and_changes_nothing(db, make_participant, typed):
    owner = make_participant()
    user = make_participant()
    before = _stored(db, user.id)
    nip = owner.profile.nip if typed == "raw" else format_nip(owner.profile.nip)

    with pytest.raises(Conflict) as info:
        update_profile(user, full_name="Nama Baru", timezone="Asia/Makassar",
                       data=_data(nip=nip), consent=None)

    assert info.value.field == "nip" and info.value.code == "nip_taken"
    assert str(info.value.message) == "NIP ini sudah terdaftar."
    # Refused before touching the objects: even a caller that commits anyway saves nothing.
    assert user.full_name != "Nama Baru" and user.profile.nip != owner.profile.nip
    db.session.commit()
    assert _stored(db, user.id) == before
    assert db.session.scalar(select(Instansi).where(Instansi.name == NEW_INSTANSI)) is None


def test_invalid_nip_is_reported_on_the_nip_field(db, make_participant):
    user = make_participant()
    before = _stored(db, user.id)
    with pytest.raises(ValidationError) as info:
        update_profile(user, full_name="Nama Baru", timezone="Asia/Jakarta",
                       data=_data(nip="1990 1301 2015 03 2 001"), consent=None)
    assert info.value.field == "nip"
    assert "Tanggal lahir pada NIP" in str(info.value.message)
    with pytest.raises(ValidationError, match="18 digit"):
        update_profile(user, full_name="Nama Baru", timezone="Asia/Jakarta",
                       data=_data(nip="123"), consent=None)
    db.session.commit()
    assert _stored(db, user.id) == before


@pytest.mark.parametrize(("field", "kwargs"), [
    ("full_name", {"full_name": "   "}),
    ("timezone", {"timezone": "Europe/Amsterdam"}),
    ("instansi", {"data": _data(nip=None, employee_type="non_asn", instansi=" ")}),
    ("province", {"data": _data(nip=None, employee_type="non_asn", province="Atlantis")}),
    ("phone", {"data": _data(nip=None, employee_type="non_asn", phone="12")}),
    ("nip", {"data": _data(nip=None, employee_type="pns")}),
])
def test_every_field_is_validated_before_anything_changes(db, make_participant, field,
                                                          kwargs):
    user = make_participant()
    before = _stored(db, user.id)
    args = {"full_name": "Nama Baru", "timezone": "Asia/Jayapura",
            "data": _data(nip=None, employee_type="non_asn"), "consent": None, **kwargs}
    with pytest.raises(ValidationError) as info:
        update_profile(user, **args)
    assert info.value.field == field
    db.session.commit()
    assert _stored(db, user.id) == before


def test_valid_update_applies_everything(db, make_participant):
    user = make_participant()
    own = user.profile.nip
    update_profile(user, full_name="  Dr.  Siti   Rahma ", timezone="Asia/Makassar",
                   data=_data(nip=format_nip(own).replace(" ", ".")), consent=None)
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    prof = user.profile
    assert (user.full_name, user.timezone) == ("Dr. Siti Rahma", "Asia/Makassar")
    assert prof.nip == own and prof.employee_type == "pns" and prof.birth_date is not None
    assert (prof.instansi_name, prof.province, prof.phone) == (NEW_INSTANSI, "Bali",
                                                               "+6281211112222")
    assert prof.instansi.is_reference is False  # typed name kept for organizers to review


def test_switching_to_non_asn_clears_the_nip(db, make_participant):
    user = make_participant()
    update_profile(user, full_name=user.full_name, timezone="Asia/Jakarta",
                   data=_data(nip=None, employee_type="non_asn"), consent=None)
    db.session.commit()
    prof = db.session.get(ParticipantProfile, user.id)
    assert prof.nip is None and prof.employee_type == "non_asn" and prof.birth_date is None


def test_lost_nip_race_is_a_conflict_not_an_integrity_error(db, make_participant,
                                                            monkeypatch):
    owner = make_participant()
    user = make_participant()
    before = _stored(db, user.id)
    # Another account takes the NIP between the check and the flush.
    monkeypatch.setattr("asnbelajar.accounts.services.nip_taken", lambda *a, **k: False)
    with pytest.raises(Conflict) as info:
        update_profile(user, full_name="Nama Baru", timezone="Asia/Jakarta",
                       data=_data(nip=owner.profile.nip), consent=None)
    assert info.value.field == "nip"
    db.session.rollback()
    assert _stored(db, user.id) == before


def test_consent_is_recorded_when_first_given(db, make_user, clock):
    user = make_user("participant")  # created by the CLI/organizer: no consent yet
    assert user.profile.consent_at is None
    with pytest.raises(ValidationError) as info:
        update_profile(user, full_name="Peserta", timezone="Asia/Jakarta",
                       data=_data(nip=None, employee_type="non_asn"), consent=False)
    assert info.value.field == "consent"
    db.session.rollback()

    clock.set(datetime(2024, 3, 5, 9, 30, tzinfo=UTC))
    update_profile(user, full_name="Peserta", timezone="Asia/Jakarta",
                   data=_data(nip=None, employee_type="non_asn"), consent=True)
    db.session.commit()
    prof = db.session.get(ParticipantProfile, user.id)
    assert prof.consent_version == CONSENT_VERSION
    assert as_utc(prof.consent_at) == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert prof.is_complete


def test_recorded_consent_is_kept_on_later_edits(db, make_participant, clock):
    user = make_participant()
    first = user.profile.consent_at
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    update_profile(user, full_name="Nama Baru", timezone="Asia/Jakarta",
                   data=_data(nip=user.profile.nip), consent=None)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ParticipantProfile, user.id).consent_at == first


def test_consent_to_an_older_notice_must_be_renewed(db, make_participant):
    user = make_participant()
    user.profile.consent_version = "2000-01"
    db.session.commit()
    with pytest.raises(ValidationError) as info:
        update_profile(user, full_name="Nama", timezone="Asia/Jakarta",
                       data=_data(nip=user.profile.nip), consent=None)
    assert info.value.field == "consent"
    db.session.rollback()
    update_profile(user, full_name="Nama", timezone="Asia/Jakarta",
                   data=_data(nip=user.profile.nip), consent=True)
    db.session.commit()
    assert db.session.get(ParticipantProfile, user.id).consent_version == CONSENT_VERSION


# --- the page ---------------------------------------------------------------------------

def _form(**overrides) -> dict:
    data = {"full_name": "Siti R.", "timezone": "Asia/Makassar", "employee_type": "pns",
            "instansi": "Pemerintah Kota Surabaya", "province": "Jawa Timur",
            "pangkat_golongan": "III/b"}
    data.update(overrides)
    return data


def test_profile_page_shows_a_taken_nip_under_the_field_and_saves_nothing(
        client, db, login, make_participant):
    owner = make_participant()
    user = make_participant()
    before = _stored(db, user.id)
    login(user)
    response = client.post("/me/profile", data=_form(nip=format_nip(owner.profile.nip)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="nip-error"' in html and "NIP ini sudah terdaftar." in html
    assert _stored(db, user.id) == before


def test_profile_page_shows_an_invalid_nip_under_the_field(client, db, login,
                                                           make_participant):
    user = make_participant()
    login(user)
    html = client.post("/me/profile", data=_form(nip="123")).get_data(as_text=True)
    assert 'id="nip-error"' in html and "18 digit" in html


def test_profile_page_saves_and_redirects(client, db, login, make_participant):
    user = make_participant()
    login(user)
    response = client.post("/me/profile?next=/me",
                           data=_form(nip=user.profile.nip, phone="0813 2222 3333"))
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.full_name, saved.timezone) == ("Siti R.", "Asia/Makassar")
    assert saved.profile.phone == "+6281322223333"


def test_profile_page_asks_for_consent_until_it_is_given(client, db, login, make_user):
    user = make_user("participant")
    login(user)
    data = _form(employee_type="non_asn", nip="")
    assert 'id="consent"' in client.get("/me/profile").get_data(as_text=True)
    refused = client.post("/me/profile", data=data).get_data(as_text=True)
    assert 'id="consent-error"' in refused
    assert client.post("/me/profile", data={**data, "consent": "y"}).status_code == 302
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'id="consent"' not in page  # recorded now: shown, not asked
    assert f"versi {CONSENT_VERSION}" in page


def test_profile_page_shows_recorded_consent_and_personal_data_links(client, login,
                                                                     make_participant):
    login(make_participant())
    html = client.get("/me/profile").get_data(as_text=True)
    assert 'id="consent-record"' in html and f"versi {CONSENT_VERSION}" in html
    assert "Unduh data saya" in html and 'href="/me/data.json"' in html
    assert 'href="/me/delete"' in html


def test_organizer_updates_name_and_zone_without_a_profile(client, db, login, organizer):
    login(organizer)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Unduh data saya" not in page
    response = client.post("/me/profile", data={"full_name": "Panitia BPSDM",
                                                "timezone": "Asia/Jayapura"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, organizer.id)
    assert (saved.full_name, saved.timezone) == ("Panitia BPSDM", "Asia/Jayapura")


def test_profile_page_needs_login(client):
    response = client.get("/me/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
