"""Bulk import of registrants: preview with per-row errors, all-or-nothing, idempotent."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from asnbelajar.accounts.models import Instansi, ParticipantProfile, User
from asnbelajar.audit.models import AuditEvent
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations import importing
from asnbelajar.registrations.models import Registration
from asnbelajar.registrations.services import register

HEADER = ("nip,nama,email,jenis_pegawai,instansi,unit_kerja,jabatan,pangkat_golongan,provinsi,"
          "whatsapp")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .xls container


def nip(n: int) -> str:
    """A valid PNS NIP born in 1975 (the conftest factory's start in 1980: no clashes)."""
    birth = date(1975, 1, 1) + timedelta(days=n)
    return f"{birth:%Y%m%d}200001{1 + n % 2}{n % 999 + 1:03d}"


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()


def good_rows() -> list[str]:
    return [
        f"{nip(1)},Rina Marlina S.Kom.,Rina@Jabar.go.id,PNS,Pemerintah Provinsi Jawa Barat,"
        "BKD,Analis SDM,III/c,Jawa Barat,0812-3456-7890",
        f"{nip(2)[:8]} {nip(2)[8:14]} {nip(2)[14]} {nip(2)[15:]},Agus Salim,agus@riau.go.id,,"
        "Pemerintah Provinsi Riau,,,,riau,",
        ",Maya Sari,maya@kampus.ac.id,Non-ASN,Universitas Riau,,Dosen,,Riau,+628111222333",
    ]


def counts(db) -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Registration)),
            db.session.scalar(select(func.count()).select_from(OutboxEmail)))


def upload(client, episode, data: bytes, filename: str = "peserta.csv"):
    return client.post(f"/console/episodes/{episode.id}/registrants/import",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def ticket_of(response) -> str:
    match = re.search(r'name="ticket" type="hidden" value="([^"]+)"',
                      response.get_data(as_text=True))
    assert match, "the preview offers no confirmation"
    return match.group(1)


def confirm(client, episode, ticket: str):
    return client.post(f"/console/episodes/{episode.id}/registrants/import/confirm",
                       data={"ticket": ticket})


@pytest.fixture
def episode(make_episode, organizer, login):
    login(organizer)
    return make_episode(capacity=100)


def test_upload_form_lists_the_columns(client, episode):
    response = client.get(f"/console/episodes/{episode.id}/registrants/import")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for column in ("nip", "nama", "email", "jenis_pegawai", "provinsi", "whatsapp"):
        assert f"<code>{column}</code>" in html
    template = client.get(f"/console/episodes/{episode.id}/registrants/import/template.csv")
    plan = importing.plan_import(episode, template.get_data(), "templat.csv")
    assert not plan.has_errors and plan.count(importing.NEW) == 1


def test_preview_lists_row_errors_with_line_numbers_and_applies_nothing(db, client, episode,
                                                                        make_participant):
    make_participant(email="ada@example.go.id", nip=nip(50))
    before = counts(db)
    data = csv_file(
        *good_rows(),
        f"{nip(3)},,bukan-email,PNS,Pemerintah Kota Bandung,,,,Jawa Barat,",  # line 5
        "19851312 201001 1 001,Salah Tanggal,salah@x.go.id,,Pemkot,,,,Atlantis,12",  # 6
        f"{nip(4)},Ganda,rina@jabar.go.id,,Pemkot,,,,,",  # 7: email repeats line 2
        f"{nip(50)},Lain,lain@example.go.id,,Pemkot,,,,,",  # 8: NIP of another account
        f"{nip(5)},Ada Beda,ada@example.go.id,,Pemkot,,,,,",  # 9: same email, other NIP
        "",
        f"{nip(6)},Tanpa Instansi,tanpa@example.go.id,,,,,,,",  # 11
    )
    response = upload(client, episode, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = importing.plan_import(episode, data, "peserta.csv").errors
    assert {(line, field) for line, field, _m in errors} == {
        (5, "Nama"), (5, "Email"), (6, "NIP"), (6, "Provinsi"), (6, "WhatsApp"),
        (7, "Email"), (8, "NIP"), (9, "NIP"), (11, "Instansi")}
    messages = {(line, field): message for line, field, message in errors}
    assert "baris 2" in messages[(7, "Email")]
    assert "Tanggal lahir" in messages[(6, "NIP")]
    assert "email berbeda" in messages[(8, "NIP")]
    assert "NIP lain" in messages[(9, "NIP")]
    assert "9 kesalahan di 6 baris" in html
    assert "Provinsi tidak dikenal." in html
    assert 'name="ticket"' not in html  # no way to confirm a file with errors
    assert counts(db) == before
    assert db.session.scalar(select(func.count()).select_from(Instansi).where(
        Instansi.name == "Pemkot")) == 0


def test_clean_import_applies_every_row(db, client, episode, make_participant, organizer):
    existing = make_participant(email="agus@riau.go.id", nip=nip(2), full_name="Agus Salim")
    before_users = counts(db)[0]
    data = csv_file(*good_rows())
    preview = upload(client, episode, data)
    html = preview.get_data(as_text=True)
    assert "2 akun baru" in html and "1 akun ada, didaftarkan" in html
    response = confirm(client, episode, ticket_of(preview))
    assert response.status_code == 302
    assert f"/console/episodes/{episode.id}/registrants" in response.headers["Location"]

    assert counts(db)[0] == before_users + 2
    rina = db.session.scalar(select(User).where(User.email == "rina@jabar.go.id"))
    assert rina.password_hash is None and rina.role == "participant"
    assert rina.full_name == "Rina Marlina S.Kom."
    assert rina.profile.nip == nip(1) and rina.profile.employee_type == "pns"
    assert rina.profile.phone == "+6281234567890"
    assert rina.profile.instansi_name == "Pemerintah Provinsi Jawa Barat"
    assert rina.profile.consent_at is None  # the participant consents on first login
    maya = db.session.scalar(select(User).where(User.email == "maya@kampus.ac.id"))
    assert maya.profile.nip is None and maya.profile.employee_type == "non_asn"
    assert maya.profile.province == "Riau"
    regs = db.session.execute(
        select(Registration.user_id, Registration.status, Registration.source)
        .where(Registration.episode_id == episode.id)).all()
    assert sorted(regs) == sorted([(rina.id, "registered", "import"),
                                   (existing.id, "registered", "import"),
                                   (maya.id, "registered", "import")])

    invite = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_addr == rina.email))
    assert invite.dedupe_key == f"account_invited:{rina.id}:{episode.id}"
    link = re.search(r"http://asnbelajar\.test(/reset-password/\S+)", invite.body_text)
    assert link and client.get(link.group(1)).status_code == 200  # the token works
    assert [a["filename"] for a in invite.attachments][0].endswith(".ics")
    confirmation = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_addr == existing.email))
    assert confirmation.dedupe_key.startswith("registration_confirmed:")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "registrants.import"))
    assert event.actor_id == organizer.id and event.object_id == episode.id
    assert event.after["accounts_created"] == 2 and event.after["registered"] == 3


def test_reimporting_the_same_file_changes_nothing(db, client, episode):
    data = csv_file(*good_rows())
    confirm(client, episode, ticket_of(upload(client, episode, data)))
    after_first = counts(db)
    statuses = db.session.execute(select(Registration.id, Registration.status,
                                         Registration.queued_at)).all()

    preview = upload(client, episode, data)
    html = preview.get_data(as_text=True)
    assert "3 sudah terdaftar (tidak berubah)" in html
    assert "0 akun baru" in html
    response = confirm(client, episode, ticket_of(preview))
    assert response.status_code == 302
    assert counts(db) == after_first
    assert db.session.execute(select(Registration.id, Registration.status,
                                     Registration.queued_at)).all() == statuses


def test_a_file_with_one_bad_row_is_refused_at_confirmation(db, client, episode,
                                                            organizer):
    """Even a ticket for a bad file (state changed since the preview) applies nothing."""
    bad = csv_file(*good_rows(), f"{nip(9)},Tanpa Email,,PNS,Pemkot,,,,,")
    ticket = importing.stash_upload(bad, "buruk.csv", episode_id=episode.id,
                                    user_id=organizer.id)
    before = counts(db)
    response = confirm(client, episode, ticket)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Impor dibatalkan: 1 baris bermasalah" in html
    assert "Email wajib diisi." in html
    assert counts(db) == before
    assert db.session.scalar(select(func.count()).select_from(ParticipantProfile).where(
        ParticipantProfile.nip == nip(1))) == 0


def test_rows_beyond_capacity_are_waitlisted_in_file_order(db, client, make_episode,
                                                           make_participant, organizer,
                                                           login):
    login(organizer)
    episode = make_episode(capacity=2)
    register(episode.id, make_participant())
    db.session.commit()
    rows = [f"{nip(20 + i)},Peserta {i},p{i}@example.go.id,,Pemkot Bogor,,,,," for i in range(4)]
    preview = upload(client, episode, csv_file(*rows))
    assert "1 akan terdaftar" in preview.get_data(as_text=True)
    assert "3 masuk daftar tunggu" in preview.get_data(as_text=True)
    confirm(client, episode, ticket_of(preview))
    order = db.session.execute(
        select(User.email, Registration.status).join(User, User.id == Registration.user_id)
        .where(Registration.source == "import")
        .order_by(Registration.status, Registration.queued_at, Registration.id)).all()
    assert order == [("p0@example.go.id", "registered"), ("p1@example.go.id", "waitlisted"),
                     ("p2@example.go.id", "waitlisted"), ("p3@example.go.id", "waitlisted")]
    waitlisted_invite = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.to_addr == "p3@example.go.id"))
    assert "daftar tunggu (posisi 3)" in waitlisted_invite.body_text
    assert waitlisted_invite.attachments == []


def test_xlsx_import_and_numeric_nip_cells(db, client, episode):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NIP", "Nama Lengkap", "E-mail", "Instansi", "Provinsi", "No WA", "Catatan"])
    sheet.append([nip(30), "Dewi Sartika", "dewi@example.go.id", "Pemkab Garut", "Jawa Barat",
                  81234567890, "x"])
    sheet.append([float(nip(31)), "Angka", "angka@example.go.id", "Pemkab Garut", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, episode, buffer.getvalue(), "peserta.xlsx")
    html = response.get_data(as_text=True)
    assert "Kolom diabaikan (tidak dikenali): Catatan" in html
    plan = importing.plan_import(episode, buffer.getvalue(), "peserta.xlsx")
    assert [(line, field) for line, field, _m in plan.errors] == [(3, "NIP")]
    assert "Format kolom NIP sebagai Teks" in plan.errors[0][2]
    first = plan.rows[0]
    assert first.action == importing.NEW and first.profile["phone"] == "+6281234567890"


def test_semicolon_csv_from_indonesian_excel(db, client, episode):
    data = b"nama;email;instansi\r\nSri Wahyuni;sri@example.go.id;Pemkot Solo\r\n"
    preview = upload(client, episode, data)
    assert confirm(client, episode, ticket_of(preview)).status_code == 302
    assert db.session.scalar(select(User.full_name).where(
        User.email == "sri@example.go.id")) == "Sri Wahyuni"


@pytest.mark.parametrize("data, filename, message", [
    (b"", "kosong.csv", "Berkas kosong."),
    (b"nama,email\r\n", "judul.csv", "tanpa baris data"),
    (b"Budi,budi@x.go.id\r\n", "tanpa-judul.csv", "kolom wajib tidak ditemukan"),
    # cp1252 is read (Excel's plain CSV on Windows); bytes it has no character for are not.
    (b"nama,email\r\nJos\x81,jose@x.go.id\r\n", "latin.csv", "bukan teks UTF-8"),
    (OLE2 + b"\x00" * 100, "lama.xls", "Unggah berkas CSV atau XLSX"),
    (OLE2 + b"\x00" * 100, "lama.csv", "Format Excel lama"),
    (b"PK\x03\x04rusak", "rusak.xlsx", "tidak dapat dibaca"),
    (b"%PDF-1.4 binary", "foto.xlsx", "bukan XLSX"),
    (b"\x00\x01\x02binary", "data.csv", "bukan teks CSV"),
    (b'nama,email,"tanpa tutup\r\nx,y,z\r\n', "kutip.csv", "format CSV rusak"),
    (b"nama,email,Email\r\nA,a@x.go.id,b@x.go.id\r\n", "ganda.csv", "muncul dua kali"),
])
def test_malformed_files_get_a_clear_message_and_change_nothing(db, client, episode, data,
                                                               filename, message):
    before = counts(db)
    response = upload(client, episode, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(db) == before


def test_oversized_upload_is_refused(app_factory, organizer):
    from asnbelajar.extensions import db

    app = app_factory(IMPORT_MAX_BYTES=300)
    with app.app_context():
        from asnbelajar.episodes.services import create_episode, publish_episode
        from asnbelajar.timeutil import now_utc

        start = now_utc().replace(microsecond=0) + timedelta(days=30)
        episode = create_episode({"title": "Besar", "number": 7,
                                  "starts_at": start.isoformat(),
                                  "ends_at": (start + timedelta(hours=2)).isoformat()},
                                 organizer.id)
        publish_episode(episode, organizer.id)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(organizer.id)
        data = csv_file(*(good_rows() * 3))
        assert len(data) > 300
        response = upload(client, episode, data)
        assert response.status_code == 422
        assert "Berkas terlalu besar" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_tampered_or_foreign_tickets_are_refused(db, client, episode, make_episode, organizer):
    data = csv_file(*good_rows())
    ticket = ticket_of(upload(client, episode, data))
    before = counts(db)
    other = make_episode()
    for target, value in ((episode, ticket[:-2] + "xx"), (other, ticket),
                          (episode, "imports/../../secret")):
        response = confirm(client, target, value)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(
            f"/console/episodes/{target.id}/registrants/import")
    assert counts(db) == before
    # the stored file changed after the preview: refused too
    stored = importing.stash._serializer().loads(ticket)["f"]
    path = importing.stash.path_of(stored)
    path.write_bytes(path.read_bytes() + b"x")
    confirm(client, episode, ticket)
    assert counts(db) == before


def test_exported_csv_imports_into_another_episode(db, client, make_episode, make_participant,
                                                   organizer, login):
    login(organizer)
    first, second = make_episode(), make_episode()
    people = [make_participant() for _ in range(3)]
    people[0].profile.phone = "+6281200000001"
    for person in people:
        register(first.id, person)
    db.session.commit()
    exported = client.get(f"/console/episodes/{first.id}/registrants.csv").get_data()
    preview = upload(client, second, exported, "registran.csv")
    html = preview.get_data(as_text=True)
    assert "3 akun ada, didaftarkan" in html
    confirm(client, second, ticket_of(preview))
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.episode_id == second.id)) == 3


def test_import_refused_for_a_draft_episode(client, make_episode, organizer, login):
    login(organizer)
    draft = make_episode(publish=False)
    response = upload(client, draft, csv_file(*good_rows()))
    assert response.status_code == 422
    assert "sudah terbit" in response.get_data(as_text=True)


def test_imported_rows_queue_behind_people_already_waiting(db, client, make_episode,
                                                           make_participant, organizer, login):
    login(organizer)
    episode = make_episode(capacity=1)
    first, waiting = make_participant(), make_participant()
    for person in (first, waiting):
        register(episode.id, person)
    episode.capacity = 3  # two places free, but someone has been waiting for one
    db.session.commit()
    rows = [f"{nip(40 + i)},Peserta {i},q{i}@example.go.id,,Pemkot Depok,,,,," for i in range(2)]
    plan = importing.plan_import(episode, csv_file(*rows), "antre.csv")
    assert plan.capacity_left == 1
    assert [row.outcome for row in plan.rows] == ["registered", "waitlisted"]
