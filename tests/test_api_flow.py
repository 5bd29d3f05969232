"""The participant journey over the JSON API contract, end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from asnbelajar.timeutil import parse_iso
from tests.qr_decode import decode_pdf_qr

PNS_NIP = "19850312 201001 1 001"
PPPK_NIP = "199001012021211005"


def _signup(client, **overrides):
    body = {"email": "rina.marlina@example.go.id", "password": "rahasia123",
            "full_name": "Rina Marlina, S.E.", "nip": PNS_NIP,
            "instansi": "Pemerintah Provinsi Jawa Barat", "unit_kerja": "Bidang PKM",
            "jabatan": "Analis Kebijakan", "pangkat_golongan": "III/c",
            "province": "Jawa Barat", "phone": "0812 3456 7890", "consent": True}
    body.update(overrides)
    return client.post("/api/v1/participants", json=body)


def _token(client, login, password="rahasia123"):
    response = client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def organizer_headers(client, make_user):
    make_user("organizer", email="panitia@bpsdm.example.go.id", password="panitia123")
    return _token(client, "panitia@bpsdm.example.go.id", "panitia123")


def _create_episode(client, headers, start, **extra):
    body = {"year": start.year, "number": 41, "title": "Manajemen Talenta ASN",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
            "jp": 2, "zoom_url": "https://zoom.us/j/85566778899", **extra}
    response = client.post("/api/v1/episodes", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_whole_journey_credits_once_and_certificate_verifies(client, organizer_headers, clock):
    clock.set(datetime(2024, 2, 15, 1, 0, tzinfo=UTC))
    start = parse_iso("2024-02-22T13:00:00+07:00")
    episode = _create_episode(client, organizer_headers, start)
    eid = episode["id"]
    assert episode["status"] == "draft"
    r = client.post(f"/api/v1/episodes/{eid}/speakers", headers=organizer_headers,
                    json={"name": "Dr. Hendra Gunawan, M.Si.", "institution": "LAN RI",
                          "role": "narasumber"})
    assert r.status_code == 201
    r = client.post(f"/api/v1/episodes/{eid}/checkpoints", headers=organizer_headers,
                    json={"label": "awal", "opens_at": start.isoformat(),
                          "closes_at": (start + timedelta(minutes=30)).isoformat()})
    assert r.status_code == 201
    code = r.json["code"]
    assert len(code) >= 4 and not set(code) & set("0O1IL")
    assert client.get(f"/api/v1/episodes/{eid}").status_code == 404  # draft is not public
    r = client.post(f"/api/v1/episodes/{eid}/publish", headers=organizer_headers)
    assert r.json["status"] == "published"
    assert [e["id"] for e in client.get("/api/v1/episodes").json] == [eid]

    r = _signup(client)
    assert r.status_code == 201, r.json
    assert r.json["nip"] == "198503122010011001" and r.json["employee_type"] == "pns"
    headers = _token(client, "198503122010011001")

    r = client.post(f"/api/v1/episodes/{eid}/registrations", headers=headers)
    assert (r.status_code, r.json["status"]) == (201, "registered")
    again = client.post(f"/api/v1/episodes/{eid}/registrations", headers=headers)
    assert (again.status_code, again.json["id"]) == (200, r.json["id"])

    clock.set(start + timedelta(minutes=5))
    wrong = client.post(f"/api/v1/episodes/{eid}/checkins", json={"code": "XXXX"},
                        headers=headers)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "wrong_code"
    first = client.post(f"/api/v1/episodes/{eid}/checkins", json={"code": code.lower()},
                        headers=headers)
    assert first.status_code == 201, first.json
    repeat = client.post(f"/api/v1/episodes/{eid}/checkins", json={"code": f" {code} "},
                         headers=headers)
    assert repeat.status_code == 200 and repeat.json["id"] == first.json["id"]

    early = client.post(f"/api/v1/episodes/{eid}/finalize", headers=organizer_headers, json={})
    assert early.status_code == 409 and early.json["error"]["code"] == "not_ended"

    clock.set(start + timedelta(hours=3))
    r = client.post(f"/api/v1/episodes/{eid}/finalize", headers=organizer_headers, json={})
    assert r.json == {"attended": 1, "credited": 1, "certificates_issued": 1}
    r = client.post(f"/api/v1/episodes/{eid}/finalize", headers=organizer_headers, json={})
    assert r.json == {"attended": 1, "credited": 0, "certificates_issued": 0}

    ledger = client.get("/api/v1/me/ledger?year=2024", headers=headers).json
    assert (ledger["total_jp"], ledger["target_jp"], len(ledger["entries"])) == (2, 20, 1)
    by_nip = client.get("/api/v1/participants/19850312.201001.1.001/ledger?year=2024",
                        headers=organizer_headers)
    assert by_nip.json["total_jp"] == 2
    assert client.get("/api/v1/participants/198503122010011001/ledger",
                      headers=headers).status_code == 403

    certs = client.get("/api/v1/me/certificates", headers=headers).json
    assert len(certs) == 1 and certs[0]["jp"] == 2
    cert = certs[0]
    assert cert["number"].startswith("00001/ASNB/41/II/2024")
    pdf = client.get(cert["pdf_url"].replace("http://asnbelajar.test", ""), headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(cert["pdf_url"].replace("http://asnbelajar.test", "")).status_code in (
        302, 401)

    verified = client.get(f"/api/v1/verify/{cert['verification_code']}").json
    assert verified["valid"] is True and verified["revoked"] is False
    assert verified["nip_masked"].endswith("1001") and "19850312" not in verified["nip_masked"]
    assert verified["jp"] == 2 and verified["number"] == cert["number"]
    page = client.get(f"/verify/{cert['verification_code']}")
    assert page.status_code == 200
    assert b"198503122010011001" not in page.data and b"rina.marlina" not in page.data

    assert decode_pdf_qr(pdf.data) == [
        f"http://asnbelajar.test/verify/{cert['verification_code']}"]


@pytest.mark.parametrize("nip, code", [
    ("1985031220100110011", "invalid_nip"),      # 19 digits
    ("19850230 201001 1 001", "invalid_nip"),    # 30 February
    ("19850312 201013 1 001", "invalid_nip"),    # month 13
    ("19850312 201001 3 001", "invalid_nip"),    # gender 3
    ("19850312 201001 1 000", "invalid_nip"),    # sequence 000
    ("1985O312201001100l", "invalid_nip"),       # letters
])
def test_signup_with_malformed_nip_is_422_and_creates_nothing(client, nip, code):
    r = _signup(client, nip=nip)
    assert r.status_code == 422
    assert r.json["error"]["code"] == code
    assert "NIP" in r.json["error"]["message"]
    assert _signup(client).status_code == 201  # the same email is still free


def test_signup_accepts_pppk_layout(client):
    r = _signup(client, nip=PPPK_NIP, email="pppk@example.go.id")
    assert r.status_code == 201 and r.json["employee_type"] == "pppk"


def test_signup_conflicts_are_409(client):
    assert _signup(client).status_code == 201
    same_email = _signup(client, email="RINA.MARLINA@example.go.id ", nip=PPPK_NIP)
    assert same_email.status_code == 409 and same_email.json["error"]["code"] == "email_taken"
    same_nip = _signup(client, email="other@example.go.id", nip="198503122010011001")
    assert same_nip.status_code == 409 and same_nip.json["error"]["code"] == "nip_taken"


def test_unknown_instansi_is_kept_and_flagged(client):
    r = _signup(client, instansi="Dinas Kebudayaan Kabupaten Contoh")
    assert r.status_code == 201
    assert r.json["instansi"] == "Dinas Kebudayaan Kabupaten Contoh"
    assert r.json["instansi_in_reference"] is False


def test_non_asn_participant_needs_no_nip(client):
    r = _signup(client, nip=None, employee_type="non_asn", email="umum@example.com")
    assert r.status_code == 201 and r.json["nip"] is None


def test_signup_without_consent_is_refused(client):
    r = _signup(client, consent=False)
    assert r.status_code == 422 and r.json["error"]["field"] == "consent"


def test_roles_are_enforced_on_the_api(client, organizer_headers, make_participant, token_for):
    participant = make_participant()
    headers = token_for(participant)
    body = {"year": 2030, "number": 1, "title": "x", "starts_at": "2030-01-01T09:00:00+07:00",
            "ends_at": "2030-01-01T11:00:00+07:00"}
    assert client.post("/api/v1/episodes", json=body).status_code == 401
    r = client.post("/api/v1/episodes", json=body, headers=headers)
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    bad = client.post("/api/v1/episodes", json=body,
                      headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_episode_validation_messages(client, organizer_headers):
    reversed_times = {"year": 2030, "number": 1, "title": "Seri",
                      "starts_at": "2030-01-01T11:00:00+07:00",
                      "ends_at": "2030-01-01T09:00:00+07:00"}
    r = client.post("/api/v1/episodes", json=reversed_times, headers=organizer_headers)
    assert r.status_code == 422 and r.json["error"]["field"] == "ends_at"
    ok = dict(reversed_times, starts_at="2030-01-01T09:00:00+07:00",
              ends_at="2030-01-01T11:15:00+07:00")
    first = client.post("/api/v1/episodes", json=ok, headers=organizer_headers)
    assert first.status_code == 201 and first.json["jp"] == 3  # 135 min / 45
    dup = client.post("/api/v1/episodes", json=ok, headers=organizer_headers)
    assert dup.status_code == 409 and dup.json["error"]["code"] == "duplicate_number"
    junk = client.post("/api/v1/episodes", data="{not json", headers={
        **organizer_headers, "Content-Type": "application/json"})
    assert junk.status_code in (400, 422) and "error" in junk.json


def test_registration_closes_at_end_by_default(client, organizer_headers, clock):
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    episode = _create_episode(client, organizer_headers, datetime(2030, 1, 8, 2, tzinfo=UTC))
    client.post(f"/api/v1/episodes/{episode['id']}/publish", headers=organizer_headers)
    data = client.get(f"/api/v1/episodes/{episode['id']}").json
    assert data["registration_open"] is True
    assert parse_iso(data["registration_closes_at"]) == parse_iso(episode["ends_at"])


def test_openapi_document_lists_every_route(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path in ("/auth/token", "/participants", "/episodes", "/episodes/{id}/finalize",
                 "/episodes/{id}/checkins", "/verify/{code}", "/reports/training-rate"):
        assert path in doc["paths"]


def test_verify_unknown_code_is_404_json(client):
    r = client.get("/api/v1/verify/does-not-exist")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
