"""Certificates at national scale: verification codes people can type, stored files and
bulk downloads, revocation at download time, designs per program and episode, the number
pattern's {kind}, the CLI and the background job."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from asnbelajar.certificates.models import Certificate, CertificateDesign, CertificateFile
from asnbelajar.certificates.services import (
    CROCKFORD,
    code_key,
    issue_speaker_certificate,
    new_verification_code,
)
from asnbelajar.extensions import db as _db
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.scheduler.services import render_certificate_files
from asnbelajar.speakers.services import add_speaker
from tests.qr_decode import decode_pdf_qr

from .test_ledger import finish_episode


@pytest.fixture
def certified(make_episode, make_participant, organizer, clock):
    """Two participants of a finalized episode; now is March 2024."""
    siti = make_participant(full_name="Dr. Siti Rahmawati, M.Si.", nip="199001012015032001")
    budi = make_participant(full_name="Budi Santoso", nip="198805052010011002")
    episode = finish_episode(make_episode, organizer, clock, [siti, budi],
                             title="Manajemen Talenta ASN")
    clock.set(datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    cert = _db.session.scalar(select(Certificate).where(Certificate.user_id == siti.id))
    return siti, budi, episode, cert


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


# Verification codes ------------------------------------------------------------------------


def test_new_codes_are_grouped_crockford_with_80_bits():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
        assert set(code.replace("-", "")) <= set(CROCKFORD)  # no I, L, O, U
    assert code_key(" 7k3m 9qxr-2b4d-hj5n ") == "7K3M9QXR2B4DHJ5N"
    assert code_key("OIL") == "011"  # look-alikes folded as Crockford reads them


def test_code_typed_in_lower_case_or_without_dashes_verifies(client, certified):
    _siti, _budi, _episode, cert = certified
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", cert.verification_code)
    for typed in (cert.verification_code.lower(), cert.verification_code.replace("-", ""),
                  cert.verification_code.lower().replace("-", " ")):
        body = client.get(f"/api/v1/verify/{typed}").json
        assert body["valid"] is True and body["number"] == cert.number
        assert body["signed"] is False
    page = client.get(f"/verify/{cert.verification_code.lower()}")
    shown = page.get_data(as_text=True).replace("<wbr>", "")  # may wrap between parts
    assert page.status_code == 200 and cert.number in shown


def test_old_codes_keep_working_in_any_case(client, certified):
    _siti, _budi, _episode, cert = certified
    old = "q3Zk8vWm1N0aXyT7cB2dEf"  # the 22-character codes issued before
    cert.verification_code, cert.code_key = old, code_key(old)
    _db.session.commit()
    assert client.get(f"/api/v1/verify/{old}").json["number"] == cert.number
    assert client.get(f"/api/v1/verify/{old.lower()}").json["number"] == cert.number
    # A row written by hand without code_key is still found by its exact code.
    cert.code_key = None
    _db.session.commit()
    assert client.get(f"/api/v1/verify/{old}").json["number"] == cert.number


def test_verify_by_number_with_name_or_nip_digits(client, certified):
    _siti, _budi, _episode, cert = certified
    for proof in ("siti rahmawati", "Dr. Siti Rahmawati, M.Si.", "2001"):
        page = client.get("/verify", query_string={"number": cert.number, "proof": proof})
        assert page.status_code == 200, proof
        assert "Sertifikat SAH" in page.get_data(as_text=True)
    for proof in ("Budi Santoso", "1002", "siti"):
        page = client.get("/verify", query_string={"number": cert.number, "proof": proof})
        assert page.status_code == 404, proof
        assert "Tidak ada sertifikat dengan nomor itu" in page.get_data(as_text=True)


def test_certificate_number_typed_as_a_code_never_gives_a_bare_404(client, certified):
    _siti, _budi, _episode, cert = certified
    page = client.get("/verify", query_string={"code": cert.number})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "tampaknya nomor sertifikat" in html and f'value="{cert.number}"' in html
    pasted = client.get(f"/verify/{cert.number}")
    assert pasted.status_code == 404
    assert "tampaknya nomor sertifikat" in pasted.get_data(as_text=True)


# Stored files, revocation at download -----------------------------------------------------


def test_download_renders_once_then_serves_the_stored_file(client, login, certified):
    siti, _budi, _episode, cert = certified
    login(siti)
    first = client.get(f"/certificates/{cert.verification_code}.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    stored = _db.session.get(CertificateFile, cert.id)
    assert stored is not None and stored.pdf == first.data
    stored.pdf = first.data + b"%stored-copy"
    _db.session.commit()
    second = client.get(f"/certificates/{cert.verification_code.lower()}.pdf")
    assert second.data.endswith(b"%stored-copy")  # not rendered again
    text = _text(first.data)
    assert "Dr. Siti Rahmawati, M.Si." in text and cert.number in text
    assert cert.verification_code in text  # printed, large enough to type
    assert decode_pdf_qr(first.data) == [f"http://asnbelajar.test/verify/{cert.verification_code}"]


def test_revoked_pdf_is_410_for_its_owner_and_stamped_for_organizers(
        app, client, login, organizer, token_for, certified):
    siti, _budi, _episode, cert = certified
    org_headers = token_for(organizer)
    revoked = client.post(f"/api/v1/certificates/{cert.verification_code}/revoke",
                          json={"reason": "Nama salah ketik"}, headers=org_headers)
    assert revoked.status_code == 200
    assert revoked.json["valid"] is False and revoked.json["revoked_reason"] == "Nama salah ketik"

    owner = token_for(siti)
    gone = client.get(f"/certificates/{cert.verification_code}.pdf", headers=owner)
    assert gone.status_code == 410
    assert gone.json["error"]["code"] == "revoked"
    assert gone.json["error"]["replacement_url"] is None

    new = client.post(f"/api/v1/certificates/{cert.verification_code}/reissue", json={},
                      headers=org_headers)
    assert new.status_code == 200 and new.json["valid"] is True
    assert new.json["reissue_of"] == cert.verification_code
    gone = client.get(f"/certificates/{cert.verification_code}.pdf", headers=owner)
    assert gone.status_code == 410
    assert gone.json["error"]["replacement_url"] == (
        f"http://asnbelajar.test/certificates/{new.json['verification_code']}.pdf")
    assert client.get(gone.json["error"]["replacement_url"].replace(
        "http://asnbelajar.test", ""), headers=owner).status_code == 200

    login(siti)
    page = client.get(f"/certificates/{cert.verification_code}.pdf",
                      headers={"Accept": "text/html"})
    assert page.status_code == 410 and new.json["number"] in page.get_data(as_text=True)

    stamped = app.test_client().get(f"/certificates/{cert.verification_code}.pdf",
                                    headers=org_headers)
    assert stamped.status_code == 200
    assert "DICABUT" in _text(stamped.data) and "Nama salah ketik" in _text(stamped.data)
    verdict = client.get(f"/api/v1/verify/{cert.verification_code}").json
    assert verdict["revoked"] is True and verdict["replaced_by"].endswith(
        new.json["verification_code"])


def test_reissue_emails_the_participant_and_api_checks_roles(
        client, organizer, token_for, certified):
    siti, budi, _episode, cert = certified
    url = f"/api/v1/certificates/{cert.verification_code}"
    assert client.post(f"{url}/revoke", json={"reason": "x"},
                       headers=token_for(budi)).status_code == 403
    headers = token_for(organizer)
    missing = client.post(f"{url}/revoke", json={}, headers=headers)
    assert missing.status_code == 422 and missing.json["error"]["field"] == "reason"
    assert client.post("/api/v1/certificates/NOPE-NOPE/revoke", json={"reason": "x"},
                       headers=headers).status_code == 404

    new = client.post(f"{url}/reissue", json={"reason": "Perbaikan nama"}, headers=headers)
    assert new.status_code == 200
    mail = _db.session.scalar(select(OutboxEmail).where(
        OutboxEmail.dedupe_key == f"certificate-reissued:{new.json['id']}"))
    assert mail is not None and mail.to_addr == siti.email
    assert new.json["number"] in mail.body_text and cert.number in mail.body_text
    again = client.post(f"{url}/reissue", json={}, headers=headers)
    assert again.status_code == 409
    assert client.post(f"{url}/revoke", json={"reason": "x"},
                       headers=headers).status_code == 409


# Bulk -------------------------------------------------------------------------------------


def test_zip_streams_every_live_certificate_named_by_number(
        client, organizer, token_for, certified, login):
    siti, budi, episode, cert = certified
    assert client.get(f"/api/v1/episodes/{episode.id}/certificates.zip",
                      headers=token_for(siti)).status_code == 403
    response = client.get(f"/api/v1/episodes/{episode.id}/certificates.zip",
                          headers=token_for(organizer))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    numbers = sorted(_db.session.scalars(select(Certificate.number).where(
        Certificate.episode_id == episode.id)))
    assert sorted(archive.namelist()) == sorted(n.replace("/", "-") + ".pdf" for n in numbers)
    texts = {name: _text(archive.read(name)) for name in archive.namelist()}
    assert any("Budi Santoso" in t for t in texts.values())
    first = archive.read(cert.number.replace("/", "-") + ".pdf")
    assert decode_pdf_qr(first) == [f"http://asnbelajar.test/verify/{cert.verification_code}"]

    login(organizer)
    printed = client.get(f"/console/episodes/{episode.id}/certificates-print.pdf")
    assert printed.status_code == 200
    assert len(PdfReader(io.BytesIO(printed.data)).pages) == 2
    page = client.get(f"/console/episodes/{episode.id}/certificates")
    assert page.status_code == 200 and "certificates.zip" in page.get_data(as_text=True)


def test_background_job_renders_stored_files_once(app, certified):
    _siti, _budi, episode, _cert = certified
    first = render_certificate_files()
    assert first["rendered"] == 2
    assert render_certificate_files()["rendered"] == 0
    stored = _db.session.scalar(select(func.count()).select_from(CertificateFile))
    assert stored == 2


def test_cli_renders_an_episode_with_rate(runner, certified, tmp_path):
    _siti, _budi, episode, cert = certified
    out = tmp_path / "pdf"
    result = runner.invoke(args=["certificates", "render", "--episode", str(episode.id),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"2 sertifikat dirender .* \(\d+ sertifikat/detik\)", result.output)
    files = sorted(p.name for p in out.iterdir())
    assert cert.number.replace("/", "-") + ".pdf" in files and len(files) == 2
    missing = runner.invoke(args=["certificates", "render", "--episode", "99999", "--out",
                                  str(out)])
    assert missing.exit_code != 0 and "tidak ditemukan" in missing.output


# Number pattern and speaker certificates --------------------------------------------------


def test_speaker_numbers_use_kind_and_never_collide(app, make_episode, organizer, certified):
    _siti, _budi, episode, cert = certified
    assert re.fullmatch(r"\d{5}/ASNB/\d{2,}/[IVX]+/\d{4}", cert.number)
    speaker = add_speaker(episode, {"name": "Prof. Budi, Ph.D.", "institution": "UNPAD",
                                    "role": "narasumber"}, organizer.id)
    _db.session.commit()
    speaker_cert = issue_speaker_certificate(episode, speaker.speaker)
    _db.session.commit()
    assert "/ASNB-NS/" in speaker_cert.number
    # A custom pattern without {kind}: one sequence for both kinds, so no collision.
    app.config["CERTIFICATE_NUMBER_PATTERN"] = "{seq:04d}/BPSDM/{year}"
    # The factory numbers the series; a fixed number would collide with the first
    # episode's whenever the shared counter happens to land on it.
    other = make_episode()
    assert (other.program_id, other.year) == (episode.program_id, episode.year)
    second = add_speaker(other, {"name": "Dr. Ani", "institution": "LAN",
                                 "role": "moderator"}, organizer.id)
    _db.session.commit()
    a = issue_speaker_certificate(other, second.speaker)
    _db.session.commit()
    numbers = list(_db.session.scalars(select(Certificate.number)))
    assert len(numbers) == len(set(numbers))
    # Shared with the two participants' numbers (1 and 2), not the speakers' own sequence.
    assert a.number == f"0003/BPSDM/{other.year}"


# Design ------------------------------------------------------------------------------------


def _png(color=(200, 30, 30, 255), size=(240, 240)) -> io.BytesIO:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste(color, (20, 20, size[0] - 20, size[1] - 20))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    buf.seek(0)
    return buf


def test_program_design_and_episode_override_reach_the_pdf(client, login, organizer,
                                                             certified, clock):
    siti, _budi, episode, cert = certified
    login(organizer)
    saved = client.post(f"/console/certificates/design?program={episode.program_id}", data={
        "issuer_lines": "Pemerintah Provinsi Jawa Barat\nBadan Pengembangan SDM",
        "signer_name": "Dr. H. Ahmad Fauzi, M.Si.", "signer_title": "Kepala BPSDM Jabar",
        "signer_nip": "197001011990031001",
        "participant_wording": "atas partisipasinya sebagai $peran dalam $judul",
        "logo": (_png(), "logo.png"), "signature": (_png((10, 10, 90, 255)), "ttd.png"),
    }, content_type="multipart/form-data")
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    row = _db.session.scalar(select(CertificateDesign).where(
        CertificateDesign.program_id == episode.program_id))
    assert row.logo and row.signature and row.signer_nip == "197001011990031001"

    login(siti)
    text = _text(client.get(f"/certificates/{cert.verification_code}.pdf").data)
    assert "PEMERINTAH PROVINSI JAWA BARAT" in text
    assert "atas partisipasinya sebagai Peserta dalam Manajemen Talenta ASN" in text

    login(organizer)
    assert client.post(f"/console/episodes/{episode.id}/certificates/design",
                       data={"title": "Piagam Penghargaan"}).status_code == 302
    preview = client.post(f"/console/episodes/{episode.id}/certificates/design/preview.pdf",
                          data={"title": "Piagam Penghargaan",
                                "intro": "dengan hormat diberikan kepada"})
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    ptext = _text(preview.data)
    assert "PIAGAM PENGHARGAAN" in ptext and "dengan hormat diberikan kepada" in ptext
    assert "PEMERINTAH PROVINSI JAWA BARAT" in ptext  # the program's lines still apply
    png = client.post(f"/console/episodes/{episode.id}/certificates/design/preview.pdf"
                      "?format=png", data={"title": "Piagam"})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size[0] == 1200
    page = client.get(f"/console/episodes/{episode.id}/certificates/design")
    assert "blob:" in page.headers["Content-Security-Policy"]  # the preview picture


def test_bad_design_input_is_refused_and_changes_nothing(client, login, organizer, certified):
    _siti, _budi, episode, _cert = certified
    login(organizer)
    bad = client.post(f"/console/episodes/{episode.id}/certificates/design",
                      data={"participant_wording": "halo {{ config }} $__class__"})
    assert bad.status_code == 422
    assert "Penanda tidak dikenal" in bad.get_data(as_text=True)
    fake = client.post(f"/console/episodes/{episode.id}/certificates/design",
                       data={"title": "X", "logo": (io.BytesIO(b"GIF89a not really"), "a.png")},
                       content_type="multipart/form-data")
    assert fake.status_code == 422
    assert "bukan gambar yang valid" in fake.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(CertificateDesign)) == 0
    preview = client.post(f"/console/episodes/{episode.id}/certificates/design/preview.pdf",
                          data={"speaker_wording": "$foo"})
    assert preview.status_code == 422 and "$foo" in preview.get_data(as_text=True)


def test_signer_of_the_design_is_frozen_at_issue(client, login, organizer, make_episode,
                                                  make_participant, clock):
    from asnbelajar.certificates.services import save_design
    from asnbelajar.episodes.services.episodes import default_program

    program = default_program()
    save_design(program_id=program.id, data={"signer_name": "Ir. Rina, M.T.",
                                             "signer_nip": "19700101 199003 1 001"},
                images={}, remove=set(), actor_id=organizer.id)
    _db.session.commit()
    person = make_participant(full_name="Ani")
    finish_episode(make_episode, organizer, clock, [person])
    cert = _db.session.scalar(select(Certificate).where(Certificate.user_id == person.id))
    assert cert.signer_name == "Ir. Rina, M.T." and cert.signer_nip == "197001011990031001"


def test_rerender_after_a_design_change_keeps_signed_files(client, login, organizer,
                                                           certified):
    siti, budi, episode, cert = certified
    assert render_certificate_files()["rendered"] == 2
    signed = _db.session.scalar(select(CertificateFile).where(
        CertificateFile.certificate_id != cert.id))
    signed.signed_at, signed.signed_with = datetime(2024, 3, 1), "seal"
    _db.session.commit()
    login(organizer)
    assert client.post(f"/console/certificates/design?program={episode.program_id}",
                       data={"issuer_lines": "Badan Baru"}).status_code == 302
    response = client.post(f"/console/episodes/{episode.id}/certificates/rerender",
                           follow_redirects=True)
    assert "1 berkas akan dirender ulang" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(CertificateFile, cert.id) is None
    assert _db.session.get(CertificateFile, signed.certificate_id) is not None
    assert render_certificate_files()["rendered"] == 1
    assert "BADAN BARU" in _text(_db.session.get(CertificateFile, cert.id).pdf)
