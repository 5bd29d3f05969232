"""SIASN: course-history records per episode and per participant-year, and the server-side
push run by the scheduler, against a local stand-in that answers like SIASN's web service
as the public SDK (black-coffee04/ws-siasn-php) calls it."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select, text

from asnbelajar.accounts.models import ParticipantProfile
from asnbelajar.certificates.models import Certificate
from asnbelajar.certificates.services import revoke_certificate
from asnbelajar.extensions import db as _db
from asnbelajar.scheduler.services import JOBS
from asnbelajar.siasn.models import SiasnCredential, SiasnPush
from asnbelajar.siasn.services import episode_records
from tests.test_reports import WHEN, make_season

DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")


class StandIn:
    """SIASN's WSO, SSO and API endpoints on one local port."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_save: str | None = None
        self.unknown_nips: set[str] = set()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorized(self) -> bool:
                return (self.headers.get("Authorization") == "Bearer wso-token"
                        and self.headers.get("Auth") == "bearer sso-token")

            def do_GET(self):  # noqa: N802
                stand_in.requests.append({"method": "GET", "path": self.path,
                                          "headers": dict(self.headers)})
                match = re.fullmatch(r"/apisiasn/1\.0/pns/data-utama/(\d{18})", self.path)
                if not self._authorized():
                    return self._reply(401, {"message": "Invalid Credentials"})
                if not match or match.group(1) in stand_in.unknown_nips:
                    return self._reply(404, {"code": 0, "message": "Data tidak ditemukan"})
                return self._reply(200, {"code": 1, "data": {"id": f"PNS-{match.group(1)}",
                                                             "nipBaru": match.group(1)}})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                entry = {"method": "POST", "path": self.path, "headers": dict(self.headers),
                         "body": body}
                stand_in.requests.append(entry)
                if self.path == "/oauth2/token":
                    basic = base64.b64encode(b"ck-bkn:cs-rahasia").decode()
                    form = parse_qs(body.decode())
                    if (self.headers.get("Authorization") != f"Basic {basic}"
                            or form.get("grant_type") != ["client_credentials"]):
                        return self._reply(401, {"error": "invalid_client"})
                    return self._reply(200, {"access_token": "wso-token", "expires_in": 3600})
                if self.path == "/auth/realms/public-siasn/protocol/openid-connect/token":
                    form = parse_qs(body.decode())
                    if form.get("password") != ["sandi-sso"] or form.get("grant_type") != [
                            "password"] or form.get("client_id") != ["client-bpsdm"]:
                        return self._reply(401, {"error": "invalid_grant",
                                                 "error_description": "Invalid user"})
                    return self._reply(200, {"access_token": "sso-token", "expires_in": 3600})
                if not self._authorized():
                    return self._reply(401, {"message": "Invalid Credentials"})
                if self.path == "/apisiasn/1.0/upload-dok":
                    ok = (b'name="id_ref_dokumen"\r\n\r\n874' in body and b"%PDF" in body
                          and "multipart/form-data" in self.headers.get("Content-Type", ""))
                    if not ok:
                        return self._reply(400, {"message": "dokumen tidak valid"})
                    return self._reply(200, {"data": {"dok_id": "874", "dok_nama": "Dokumen",
                                                      "dok_uri": "peremajaan/kursus/x.pdf",
                                                      "object": "x.pdf", "slug": "874"}})
                if self.path == "/apisiasn/1.0/kursus/save":
                    record = json.loads(body)
                    entry["json"] = record
                    if stand_in.fail_save:
                        return self._reply(400, {"success": False,
                                                 "message": stand_in.fail_save})
                    bad = [k for k in ("tanggalKursus", "tanggalSelesaiKursus")
                           if not DATE.match(str(record.get(k)))]
                    if bad or not isinstance(record.get("jumlahJam"), int):
                        return self._reply(400, {"success": False,
                                                 "message": f"format salah: {bad}"})
                    n = sum(1 for r in stand_in.requests if r["path"].endswith("kursus/save"))
                    return self._reply(200, {"success": True, "message": "success",
                                             "mapData": {"rwKursusId": f"rw-{n}"}})
                return self._reply(404, {"message": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def saves(self) -> list[dict]:
        return [r["json"] for r in self.requests if r["path"].endswith("kursus/save")
                and "json" in r]


@pytest.fixture
def siasn_server(app):
    stand_in = StandIn()
    stand_in.thread.start()
    app.config.update(SIASN_SSO_URL=stand_in.url, SIASN_WSO_URL=stand_in.url,
                      SIASN_API_URL=stand_in.url, SIASN_TIMEOUT=5)
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@pytest.fixture
def season(app, make_episode, make_participant, organizer, clock):
    """The hand-counted 2023-2024 season of tests/test_reports.py."""
    return make_season(app, make_episode, make_participant, organizer, clock)


def confirm_nip(user) -> None:
    _db.session.execute(ParticipantProfile.__table__.update()
                        .where(ParticipantProfile.user_id == user.id)
                        .values(nip_status="confirmed"))
    _db.session.commit()


CREDENTIAL_FORM = {
    "instansi": "Pemerintah Kota Medan", "siasn_instansi_id": "A5EB03E2-MEDAN",
    "consumer_key": "ck-bkn", "consumer_secret": "cs-rahasia", "client_id": "client-bpsdm",
    "username": "operator.medan", "password": "sandi-sso", "jenis_diklat_id": "4",
    "enabled": "y",
}


def test_episode_records_follow_siasn_field_formats(client, organizer, token_for, season):
    people, (first, second) = season
    confirm_nip(people["a"])
    r = client.get(f"/api/v1/episodes/{second.id}/siasn", headers=token_for(organizer))
    records = {rec["nip"]: rec for rec in r.json}
    assert set(records) == {people["a"].profile.nip, people["b"].profile.nip}
    a = records[people["a"].profile.nip]
    cert = _db.session.scalar(select(Certificate).where(
        Certificate.user_id == people["a"].id, Certificate.episode_id == second.id))
    held = (WHEN + timedelta(days=7)).strftime("%d-%m-%Y")  # 13.00 WIB, same day
    assert a == {
        "nip": cert.nip, "nama": cert.name,
        "namaKursus": f"{cert.program_name} Seri {second.number} Tahun 2024: "
                      f"{cert.episode_title}",
        "institusiPenyelenggara": a["institusiPenyelenggara"], "jumlahJam": 20,
        "tanggalKursus": held, "tanggalSelesaiKursus": held, "tahunKursus": 2024,
        "nomorSertipikat": cert.number, "nip_confirmed": True,
    }
    assert a["institusiPenyelenggara"]
    assert records[people["b"].profile.nip]["nip_confirmed"] is False
    # Non-ASN participants are not SIASN records; revoked certificates are gone.
    first_nips = {rec["nip"] for rec in episode_records(first.id)}
    assert people["umum"].id not in first_nips and None not in first_nips
    assert len(first_nips) == 3  # a, b, d (umum has no NIP)
    revoke_certificate(cert, reason="Salah data", actor_id=organizer.id)
    _db.session.commit()
    assert people["a"].profile.nip not in {rec["nip"] for rec in episode_records(second.id)}


def test_siasn_csv_and_participant_year(client, organizer, token_for, season):
    people, (first, _second) = season
    headers = token_for(organizer)
    r = client.get(f"/api/v1/episodes/{first.id}/siasn?format=csv", headers=headers)
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["nip", "nama", "namaKursus"]
    assert len(rows) == 1 + 3
    nip = people["a"].profile.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    mine = client.get(f"/api/v1/participants/{spaced}/siasn?year=2024", headers=headers).json
    assert [rec["jumlahJam"] for rec in mine] == [2, 20]
    assert client.get(f"/api/v1/participants/{nip}/siasn?year=2023",
                      headers=headers).json == []
    assert client.get("/api/v1/participants/123/siasn", headers=headers).status_code == 422
    missing = "199001012020121001"
    assert client.get(f"/api/v1/participants/{missing}/siasn",
                      headers=headers).status_code == 404


def test_credentials_are_encrypted_and_never_shown(client, login, organizer, season):
    login(organizer)
    r = client.post("/console/siasn/credentials", data=CREDENTIAL_FORM)
    assert r.status_code == 302
    page = client.get("/console/siasn").get_data(as_text=True)
    assert "cs-rahasia" not in page and "sandi-sso" not in page
    stored = _db.session.execute(text("SELECT consumer_secret_enc, password_enc "
                                      "FROM siasn_credential")).one()
    assert "cs-rahasia" not in stored[0] and "sandi-sso" not in stored[1]
    # Saving again without secrets keeps the stored ones.
    client.post("/console/siasn/credentials", data={**CREDENTIAL_FORM, "consumer_secret": "",
                                                    "password": ""})
    assert _db.session.execute(text("SELECT consumer_secret_enc FROM siasn_credential")
                               ).scalar_one() == stored[0]
    bad = client.post("/console/siasn/credentials", data={**CREDENTIAL_FORM,
                                                          "instansi": "Dinas Antah"})
    assert bad.status_code == 422


def test_push_sends_confirmed_nips_with_the_pdf_and_lists_the_rest(
        app, client, login, organizer, season, siasn_server):
    people, (first, second) = season
    confirm_nip(people["a"])
    login(organizer)
    client.post("/console/siasn/credentials", data=CREDENTIAL_FORM)
    result = JOBS["siasn-push"][0]()
    # Medan's ASN: a (confirmed, two certificates) is sent; b is self-declared.
    assert result == {"queued": 2, "sent": 2, "failed": 0}
    saves = siasn_server.saves()
    assert {s["nomorSertipikat"] for s in saves} == set(_db.session.scalars(
        select(Certificate.number).where(Certificate.user_id == people["a"].id)))
    save = saves[0]
    assert save["pnsOrangId"] == f"PNS-{people['a'].profile.nip}"
    assert save["instansiId"] == "A5EB03E2-MEDAN" and save["jenisDiklatId"] == "4"
    assert DATE.match(save["tanggalKursus"]) and isinstance(save["tahunKursus"], int)
    assert save["path"][0]["dok_uri"] == "peremajaan/kursus/x.pdf"
    statuses = set(_db.session.scalars(select(SiasnPush.status)))
    assert statuses == {"sent"}
    page = client.get("/console/siasn").get_data(as_text=True)
    assert people["b"].profile.nip in page  # listed as needing confirmation
    assert "rw-1" in page or "rw-2" in page
    # A rerun sends nothing twice.
    assert JOBS["siasn-push"][0]() == {"queued": 0, "sent": 0, "failed": 0}
    assert len(siasn_server.saves()) == 2


def test_failed_push_keeps_the_message_and_can_be_retried(
        app, client, login, organizer, season, siasn_server):
    people, _episodes = season
    confirm_nip(people["b"])
    login(organizer)
    client.post("/console/siasn/credentials", data=CREDENTIAL_FORM)
    siasn_server.fail_save = "Riwayat kursus dengan nomor sertifikat ini sudah ada"
    assert JOBS["siasn-push"][0]() == {"queued": 2, "sent": 0, "failed": 2}
    push = _db.session.scalars(select(SiasnPush).order_by(SiasnPush.id)).first()
    assert push.status == "failed" and push.attempts == 1
    assert push.last_error == "Riwayat kursus dengan nomor sertifikat ini sudah ada"
    page = client.get("/console/siasn?status=failed").get_data(as_text=True)
    assert "sudah ada" in page
    assert client.post(f"/console/siasn/pushes/{push.id}/retry").status_code == 302
    _db.session.expire_all()
    assert _db.session.get(SiasnPush, push.id).status == "retried"
    siasn_server.fail_save = None
    assert JOBS["siasn-push"][0]() == {"queued": 0, "sent": 1, "failed": 0}
    _db.session.expire_all()
    again = _db.session.get(SiasnPush, push.id)
    assert (again.status, again.attempts, again.last_error) == ("sent", 2, None)


def test_wrong_credentials_fail_with_the_service_message(
        app, client, login, organizer, season, siasn_server):
    people, _episodes = season
    confirm_nip(people["a"])
    login(organizer)
    client.post("/console/siasn/credentials", data={**CREDENTIAL_FORM,
                                                    "password": "salah"})
    result = JOBS["siasn-push"][0]()
    assert result["failed"] == 2 and result["sent"] == 0
    assert set(_db.session.scalars(select(SiasnPush.last_error))) == {"Invalid user"}
    assert _db.session.scalar(select(SiasnCredential.enabled)) is True


def test_secrets_unreadable_after_a_key_change_fail_with_a_clear_message(
        app, client, login, organizer, season, siasn_server):
    people, _episodes = season
    confirm_nip(people["a"])
    login(organizer)
    client.post("/console/siasn/credentials", data=CREDENTIAL_FORM)
    app.config["ENCRYPTION_KEY"] = "another-key"  # stored secrets no longer decrypt
    result = JOBS["siasn-push"][0]()
    assert result == {"queued": 2, "sent": 0, "failed": 2}
    errors = set(_db.session.scalars(select(SiasnPush.last_error)))
    assert len(errors) == 1 and "masukkan ulang" in errors.pop()
    assert siasn_server.requests == []  # nothing left the server
