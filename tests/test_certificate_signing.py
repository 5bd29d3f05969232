"""BSrE electronic signatures against a local stand-in of the signing service: personal
signature typed in the console (passphrase never kept), the institutional e-seal in the
background job, and the service's refusals (wrong passphrase, unregistered NIK, timeout)."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from asnbelajar.audit.models import AuditEvent
from asnbelajar.certificates import signing
from asnbelajar.certificates.models import Certificate, CertificateFile
from asnbelajar.certificates.rendering import render_missing_files
from asnbelajar.extensions import db as _db
from asnbelajar.scheduler.services import render_certificate_files

from .test_ledger import finish_episode

NIK = "3273010101700001"
PASSPHRASE = "Rahasia-TTE-#2024"
SIGNED_MARK = b"\n%BSrE-stand-in-signature\n"


class StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[dict] = []
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        expected = "Basic " + base64.b64encode(b"asnb:secret").decode()
        if self.headers.get("Authorization") != expected:
            self._json(401, {})
            return False
        return True

    def do_GET(self):  # noqa: N802 - http.server's name
        if not self._authorized():
            return
        nik = self.path.rsplit("/", 1)[-1]
        if nik == NIK:
            self._json(200, {"status_code": 1111, "message": "NIK Terdaftar"})
        else:
            self._json(200, {"status_code": 1110, "message": "NIK belum terdaftar"})

    def do_POST(self):  # noqa: N802
        if not self._authorized():
            return
        length = int(self.headers["Content-Length"])
        raw = (f"Content-Type: {self.headers['Content-Type']}\r\n\r\n").encode() + \
            self.rfile.read(length)
        message = BytesParser(policy=default_policy).parsebytes(raw)
        fields = {part.get_param("name", header="content-disposition"):
                  part.get_payload(decode=True) for part in message.iter_parts()}
        self.server.seen.append({"path": self.path, "nik": fields["nik"].decode(),
                                 "tampilan": fields["tampilan"].decode(),
                                 "file": fields["file"],
                                 "passphrase_ok": fields["passphrase"].decode() == PASSPHRASE})
        if self.server.delay:
            time.sleep(self.server.delay)
        if fields["nik"].decode() != NIK:
            return self._json(400, {"error": "NIK tidak terdaftar", "status_code": 2011})
        if fields["passphrase"].decode() != PASSPHRASE:
            return self._json(400, {"error": "Passphrase anda salah", "status_code": 2031})
        body = fields["file"] + SIGNED_MARK
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def bsre(app):
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(BSRE_URL=server.url, BSRE_USERNAME="asnb", BSRE_PASSWORD="secret",
                      BSRE_TIMEOUT=5)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def stored(make_episode, make_participant, organizer, clock):
    people = [make_participant(full_name=f"Peserta TTE {i}") for i in range(3)]
    episode = finish_episode(make_episode, organizer, clock, people)
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    assert render_missing_files(episode.id) == 3
    _db.session.commit()
    return episode, people


def _signed_files() -> list[CertificateFile]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(CertificateFile).where(
        CertificateFile.signed_at.is_not(None))))


def test_personal_signature_signs_every_file_and_keeps_no_passphrase(
        client, login, organizer, token_for, bsre, stored, caplog):
    episode, people = stored
    login(organizer)
    caplog.set_level(logging.DEBUG)
    response = client.post(f"/console/episodes/{episode.id}/certificates/sign",
                           data={"nik": NIK, "passphrase": PASSPHRASE}, follow_redirects=True)
    assert "3 sertifikat ditandatangani secara elektronik" in response.get_data(as_text=True)
    assert PASSPHRASE not in response.get_data(as_text=True)

    signed = _signed_files()
    assert len(signed) == 3 and {f.signed_with for f in signed} == {"personal"}
    assert all(f.pdf.endswith(SIGNED_MARK) for f in signed)
    # The stand-in's view: one request per file, NIK, invisible signature, our PDF.
    assert len(bsre.seen) == 3
    assert {s["nik"] for s in bsre.seen} == {NIK}
    assert {s["tampilan"] for s in bsre.seen} == {"invisible"}
    assert all(s["file"].startswith(b"%PDF") and s["passphrase_ok"] for s in bsre.seen)

    # Participants download the signed copy; verification says so.
    cert = _db.session.scalar(select(Certificate).where(Certificate.user_id == people[0].id))
    pdf = client.get(f"/certificates/{cert.verification_code}.pdf",
                     headers=token_for(people[0]))
    assert pdf.data.endswith(SIGNED_MARK)
    assert client.get(f"/api/v1/verify/{cert.verification_code}").json["signed"] is True
    page = client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "Ditandatangani secara elektronik (BSrE)" in page

    # Never stored or logged: not in the audit trail, not in any log record.
    audits = _db.session.scalars(select(AuditEvent)).all()
    assert any(a.action == "certificate.sign" for a in audits)
    assert all(PASSPHRASE not in json.dumps([a.before, a.after], default=str) for a in audits)
    assert PASSPHRASE not in caplog.text


@pytest.mark.parametrize("nik, passphrase, message", [
    (NIK, "salah", "Passphrase TTE salah"),
    ("3273010101700099", PASSPHRASE, "tidak terdaftar sebagai pemilik sertifikat"),
])
def test_refusals_sign_nothing_and_say_why(client, login, organizer, bsre, stored, nik,
                                           passphrase, message):
    episode, _people = stored
    login(organizer)
    response = client.post(f"/console/episodes/{episode.id}/certificates/sign",
                           data={"nik": nik, "passphrase": passphrase}, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert _signed_files() == []
    assert len(bsre.seen) == 1  # the first refusal stops the batch


def test_timeout_is_reported_and_signs_nothing(app, client, login, organizer, bsre, stored):
    episode, _people = stored
    app.config["BSRE_TIMEOUT"] = 0.3
    bsre.delay = 1.0
    login(organizer)
    response = client.post(f"/console/episodes/{episode.id}/certificates/sign",
                           data={"nik": NIK, "passphrase": PASSPHRASE}, follow_redirects=True)
    assert "tidak menjawab tepat waktu" in response.get_data(as_text=True)
    assert _signed_files() == []


def test_bad_nik_is_refused_before_calling_the_service(client, login, organizer, bsre, stored):
    episode, _people = stored
    login(organizer)
    response = client.post(f"/console/episodes/{episode.id}/certificates/sign",
                           data={"nik": "12ab", "passphrase": PASSPHRASE},
                           follow_redirects=True)
    assert "NIK terdiri dari 16 digit angka" in response.get_data(as_text=True)
    assert bsre.seen == []


def test_user_status(app, bsre):
    assert signing.user_status(NIK) is True
    assert signing.user_status("3273010101700099") is False
    app.config["BSRE_PASSWORD"] = "wrong"
    with pytest.raises(signing.SigningError) as err:
        signing.user_status(NIK)
    assert err.value.code == "signing_auth"


def test_institutional_seal_signs_in_the_background_job(app, bsre, make_episode,
                                                        make_participant, organizer, clock):
    app.config.update(BSRE_SEAL_NIK=NIK, BSRE_SEAL_PASSPHRASE=PASSPHRASE)
    people = [make_participant() for _ in range(2)]
    finish_episode(make_episode, organizer, clock, people)
    result = render_certificate_files()
    assert result == {"episodes": 1, "rendered": 2, "signed": 2}
    assert {f.signed_with for f in _signed_files()} == {"seal"}
    assert render_certificate_files() == {"episodes": 0, "rendered": 0, "signed": 0}


def test_signing_is_off_without_configuration(client, login, organizer, stored):
    episode, _people = stored
    login(organizer)
    page = client.get(f"/console/episodes/{episode.id}/certificates").get_data(as_text=True)
    assert "Belum dikonfigurasi" in page
    response = client.post(f"/console/episodes/{episode.id}/certificates/sign",
                           data={"nik": NIK, "passphrase": PASSPHRASE}, follow_redirects=True)
    assert "belum dikonfigurasi" in response.get_data(as_text=True)
