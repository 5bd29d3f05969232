"""Speakers: organizer CRUD with photos, invitations, the speaker portal, materials and the
speaker certificate."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import event, func, select

from asnbelajar.accounts.models import User
from asnbelajar.attendance.services import check_in, finalize_episode
from asnbelajar.audit.models import AuditEvent
from asnbelajar.certificates.models import Certificate
from asnbelajar.evaluations.services import submit_evaluation
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.registrations.services import register
from asnbelajar.speakers.models import Material, Speaker
from asnbelajar.speakers.services import (
    add_speaker,
    create_speaker,
    materials_for_episode,
    portal_for,
)
from asnbelajar.uploads import path_of, upload_root

PASSWORD = "rahasia123"


# Helpers --------------------------------------------------------------------------------

def png_bytes(size=(1200, 900), color=(11, 92, 168)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def pptx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


def _verified(db, user):
    """The person followed the emailed verification link (only then is an account with a
    speaker's address linked to the speaker)."""
    from asnbelajar.accounts.services import make_verify_token, verify_email

    verify_email(make_verify_token(user))
    db.session.commit()
    return user


def form_post(client, url, data, **kwargs):
    return client.post(url, data=data, content_type="multipart/form-data", **kwargs)


def stored_files(folder: str) -> list:
    root = upload_root() / folder
    return sorted(root.iterdir()) if root.exists() else []


@pytest.fixture
def as_organizer(client, login, organizer):
    login(organizer)
    return organizer


@pytest.fixture
def make_speaker(db, make_user):
    """A speaker profile, optionally with an account linked to it."""

    def factory(name="Dr. Rina Kartika, M.Si.", *, email=None, account=False, **fields):
        speaker = create_speaker({"name": name, "email": email, **fields}, None)
        if account:
            user = make_user("speaker", email=email)
            speaker.user_id = user.id
        db.session.commit()
        return speaker

    return factory


def attach(episode, speaker, organizer, role="narasumber"):
    from asnbelajar.extensions import db
    add_speaker(episode, {"name": speaker.name, "email": speaker.email, "role": role},
                organizer.id)
    db.session.commit()


def add_material_file(client, episode, data=None, name="materi.pdf", title="Slide"):
    return form_post(client, f"/speaker/episodes/{episode.id}/materials",
                     {"title": title, "file": (io.BytesIO(data or pdf_bytes()), name)})


# Organizer CRUD ---------------------------------------------------------------------------

def test_organizer_creates_speaker_with_resized_photo(client, db, as_organizer):
    response = form_post(client, "/console/speakers/new", {
        "name": "Prof.  Dr. Eko Prasojo,   Mag.rer.publ.", "email": "Eko@UI.ac.id",
        "institution": "Universitas Indonesia", "position": "Guru Besar",
        "bio": "Pakar reformasi birokrasi.",
        "photo": (io.BytesIO(png_bytes((1200, 900))), "eko.png"),
    })
    assert response.status_code == 302
    speaker = db.session.scalar(select(Speaker))
    assert speaker.name == "Prof. Dr. Eko Prasojo, Mag.rer.publ."
    assert speaker.email == "eko@ui.ac.id"
    assert speaker.photo.startswith("speakers/")
    with Image.open(path_of(speaker.photo)) as image:
        assert max(image.size) <= 600
        assert image.size == (600, 450)
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "speaker.create"))
    assert event_row.object_id == speaker.id and event_row.actor_id == as_organizer.id

    photo = client.get(f"/speakers/{speaker.id}/photo")
    assert photo.status_code == 200
    assert photo.mimetype in ("image/jpeg", "image/png")
    assert "public" in photo.headers["Cache-Control"]
    assert "max-age=" in photo.headers["Cache-Control"]
    assert photo.headers["X-Content-Type-Options"] == "nosniff"


def test_photo_is_public_and_404_without_one(app, make_speaker):
    speaker = make_speaker()
    anonymous = app.test_client()
    assert anonymous.get(f"/speakers/{speaker.id}/photo").status_code == 404
    assert anonymous.get("/speakers/999999/photo").status_code == 404


def test_fake_image_is_refused_with_a_clear_message_and_changes_nothing(client, db,
                                                                        as_organizer):
    response = form_post(client, "/console/speakers/new", {
        "name": "Dr. Palsu",
        "photo": (io.BytesIO(b"this is plain text, not a picture\n" * 20), "foto.png"),
    })
    assert response.status_code == 422
    assert "bukan gambar yang valid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0
    assert stored_files("speakers") == []


def test_fake_image_on_edit_keeps_the_old_profile(client, db, as_organizer, make_speaker):
    speaker = make_speaker("Dr. Asli, M.Si.", institution="BKN")
    response = form_post(client, f"/console/speakers/{speaker.id}/edit", {
        "name": "Nama Baru", "institution": "LAN",
        "photo": (io.BytesIO(b"GIF89a not really"), "foto.jpg"),
    })
    assert response.status_code == 422
    db.session.expire_all()
    assert (speaker.name, speaker.institution, speaker.photo) == ("Dr. Asli, M.Si.", "BKN", None)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "speaker.update")) == 0


def test_oversized_photo_is_refused(app, client, db, as_organizer):
    app.config["IMAGE_MAX_BYTES"] = 50_000
    # Noise does not compress: a real PNG well over the limit.
    out = io.BytesIO()
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(out, format="PNG")
    big = out.getvalue()
    assert len(big) > 50_000
    response = form_post(client, "/console/speakers/new", {
        "name": "Dr. Besar", "photo": (io.BytesIO(big), "besar.png")})
    assert response.status_code == 422
    assert "terlalu besar" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0


def test_edit_replaces_photo_and_audits_the_difference(client, db, as_organizer, make_speaker):
    speaker = make_speaker("Dr. Budi", institution="BKN")
    form_post(client, f"/console/speakers/{speaker.id}/edit", {
        "name": "Dr. Budi", "institution": "BKN",
        "photo": (io.BytesIO(png_bytes()), "a.png")})
    db.session.expire_all()
    first = speaker.photo
    assert first and path_of(first).is_file()
    response = form_post(client, f"/console/speakers/{speaker.id}/edit", {
        "name": "Dr. Budi Santoso, M.A.", "institution": "BKN", "position": "Direktur",
        "photo": (io.BytesIO(png_bytes(color=(200, 0, 0))), "b.png")})
    assert response.status_code == 302
    db.session.expire_all()
    assert speaker.photo != first and not path_of(first).exists()
    assert speaker.name == "Dr. Budi Santoso, M.A." and speaker.position == "Direktur"
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "speaker.update").order_by(AuditEvent.id)).all()[-1]
    assert audit.before["name"] == "Dr. Budi" and audit.after["position"] == "Direktur"
    assert "institution" not in audit.after

    form_post(client, f"/console/speakers/{speaker.id}/edit", {
        "name": speaker.name, "institution": "BKN", "remove_photo": "y"})
    db.session.expire_all()
    assert speaker.photo is None
    assert stored_files("speakers") == []


def test_email_must_be_unique_among_speakers(client, db, as_organizer, make_speaker):
    make_speaker("Dr. Satu", email="sama@example.go.id")
    response = form_post(client, "/console/speakers/new", {
        "name": "Dr. Dua", "email": "SAMA@example.go.id"})
    assert response.status_code == 422
    assert "sudah dipakai narasumber lain" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 1


def test_list_searches_and_counts_sessions(client, as_organizer, make_speaker, make_episode):
    eko = make_speaker("Prof. Dr. Eko Prasojo", institution="Universitas Indonesia")
    make_speaker("Dr. Rina Kartika", institution="LAN RI")
    for _ in range(2):
        attach(make_episode(), eko, as_organizer)
    page = client.get("/console/speakers?q=eko+indonesia").get_data(as_text=True)
    assert "Prof. Dr. Eko Prasojo" in page and "Rina Kartika" not in page
    assert re.search(r'data-label="Sesi"[^>]*>\s*2\b', page)
    assert "2 akan datang" in page
    assert "Rina Kartika" in client.get("/console/speakers").get_data(as_text=True)
    assert "Tidak ada narasumber" in client.get("/console/speakers?q=zzz").get_data(as_text=True)


def test_console_is_for_organizers_only(app, client, login, make_participant, make_speaker):
    speaker = make_speaker()
    anonymous = app.test_client()
    assert anonymous.get("/console/speakers").status_code == 302
    login(make_participant())
    assert client.get("/console/speakers").status_code == 403
    assert client.get(f"/console/speakers/{speaker.id}/edit").status_code == 403
    assert client.post(f"/console/speakers/{speaker.id}/invite").status_code == 403
    assert client.post(f"/console/speakers/{speaker.id}/delete").status_code == 403


def test_delete_only_without_sessions(client, db, as_organizer, make_speaker, make_episode):
    busy = make_speaker("Dr. Sibuk")
    attach(make_episode(), busy, as_organizer)
    free = make_speaker("Dr. Luang")
    response = client.post(f"/console/speakers/{busy.id}/delete", follow_redirects=True)
    assert "tidak dapat dihapus" in response.get_data(as_text=True)
    assert db.session.get(Speaker, busy.id) is not None
    assert client.post(f"/console/speakers/{free.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Speaker, free.id) is None
    assert db.session.scalar(select(AuditEvent.object_id).where(
        AuditEvent.action == "speaker.delete")) == free.id


def test_console_forms_need_a_csrf_token(app_factory, organizer, make_speaker):
    organizer_id = organizer.id
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        speaker = make_speaker("Dr. Aman", email="aman@example.go.id")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(organizer_id)
        assert client.post(f"/console/speakers/{speaker.id}/invite").status_code == 400
        assert client.post(f"/console/speakers/{speaker.id}/delete").status_code == 400
        page = client.get(f"/console/speakers/{speaker.id}/edit").get_data(as_text=True)
        assert 'name="csrf_token"' in page


# Invitations -----------------------------------------------------------------------------

def _outbox(db, to_addr):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_addr == to_addr)
                              .order_by(OutboxEmail.id)).all()


def test_invite_creates_account_and_the_link_sets_a_password(app, client, db, as_organizer,
                                                             make_speaker, make_episode):
    speaker = make_speaker("Dr. Undangan, M.Si.", email="undangan@example.go.id")
    episode = make_episode(title="Kepemimpinan Digital")
    attach(episode, speaker, as_organizer)
    response = client.post(f"/console/speakers/{speaker.id}/invite", follow_redirects=True)
    assert "Akun narasumber dibuat" in response.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "undangan@example.go.id"))
    assert user.role == "speaker" and user.password_hash is None
    assert speaker.user_id == user.id
    emails = _outbox(db, user.email)
    assert len(emails) == 1
    assert "Kepemimpinan Digital" in emails[0].body_text
    link = re.search(r"http://asnbelajar\.test(/reset-password/\S+)", emails[0].body_text)
    assert link, emails[0].body_text

    visitor = app.test_client()
    assert visitor.get(link.group(1)).status_code == 200
    done = visitor.post(link.group(1), data={"password": "SandiBaru2024",
                                             "confirm": "SandiBaru2024"})
    assert done.status_code == 302 and "/login" in done.headers["Location"]
    # Single use: the password changed, so the link no longer works.
    assert visitor.get(link.group(1)).status_code != 200
    logged_in = visitor.post("/login", data={"login": "undangan@example.go.id",
                                             "password": "SandiBaru2024"})
    assert logged_in.status_code == 302
    portal = visitor.get("/speaker").get_data(as_text=True)
    assert "Kepemimpinan Digital" in portal

    # Inviting again sends a fresh email with a new link; no second account.
    client.post(f"/console/speakers/{speaker.id}/invite")
    emails = _outbox(db, user.email)
    assert len(emails) == 2 and emails[0].dedupe_key != emails[1].dedupe_key
    assert "/reset-password/" not in emails[1].body_text   # a password exists now
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.email == user.email)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "speaker.invite")) == 2


def test_reinvite_before_password_sends_a_new_working_link(client, db, as_organizer,
                                                          make_speaker):
    speaker = make_speaker("Dr. Lupa", email="lupa@example.go.id")
    client.post(f"/console/speakers/{speaker.id}/invite")
    client.post(f"/console/speakers/{speaker.id}/invite")
    emails = _outbox(db, "lupa@example.go.id")
    assert len(emails) == 2 and emails[0].dedupe_key != emails[1].dedupe_key
    link = re.search(r"/reset-password/\S+", emails[1].body_text).group(0)
    assert client.get(link).status_code == 200


def test_invite_links_an_existing_participant_and_keeps_the_role(
        app, client, db, as_organizer, make_participant, make_speaker, make_episode):
    person = _verified(db, make_participant(email="rina@example.go.id"))
    speaker = make_speaker("Dr. Rina", email="rina@example.go.id")
    db.session.expire_all()
    # Creating the profile already linked the account with the same email.
    assert speaker.user_id == person.id
    episode = make_episode(title="Etika ASN")
    attach(episode, speaker, as_organizer)
    response = client.post(f"/console/speakers/{speaker.id}/invite", follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert person.role == "participant"
    email = _outbox(db, "rina@example.go.id")[-1]
    assert "/reset-password/" not in email.body_text and "/login" in email.body_text

    other = app.test_client()
    other.post("/login", data={"login": "rina@example.go.id", "password": PASSWORD})
    assert "Etika ASN" in other.get("/speaker").get_data(as_text=True)
    assert other.get(f"/speaker/episodes/{episode.id}").status_code == 200


def test_invite_links_account_found_at_invite_time(client, db, as_organizer, make_speaker,
                                                  make_participant):
    speaker = make_speaker("Dr. Nanti", email="nanti@example.go.id")
    assert speaker.user_id is None
    person = _verified(db, make_participant(email="nanti@example.go.id"))
    response = client.post(f"/console/speakers/{speaker.id}/invite", follow_redirects=True)
    assert "yang sudah ada ditautkan" in response.get_data(as_text=True)
    db.session.expire_all()
    assert speaker.user_id == person.id and person.role == "participant"


def test_invite_without_email_explains_and_creates_nothing(client, db, as_organizer,
                                                           make_speaker):
    speaker = make_speaker("Dr. Tanpa Email")
    response = client.post(f"/console/speakers/{speaker.id}/invite", follow_redirects=True)
    assert "Isi email narasumber" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "speaker")) == 0


# Portal ----------------------------------------------------------------------------------

@pytest.fixture
def two_speakers(make_speaker, make_episode, organizer):
    """Two speakers with accounts, each presenting in their own episode."""
    a = make_speaker("Dr. Ayu Lestari", email="ayu@example.go.id", account=True)
    b = make_speaker("Dr. Bima Sakti", email="bima@example.go.id", account=True)
    ep_a = make_episode(title="Sesi Milik Ayu")
    ep_b = make_episode(title="Sesi Milik Bima")
    attach(ep_a, a, organizer)
    attach(ep_b, b, organizer, role="moderator")
    return a, b, ep_a, ep_b


def _user(db, speaker):
    return db.session.get(User, speaker.user_id)


def test_portal_shows_only_own_sessions(client, db, login, two_speakers):
    a, b, ep_a, ep_b = two_speakers
    login(_user(db, a))
    page = client.get("/speaker").get_data(as_text=True)
    assert "Sesi Milik Ayu" in page and "Sesi Milik Bima" not in page
    # The organizer's ?speaker= is ignored for everyone else.
    page = client.get(f"/speaker?speaker={b.id}").get_data(as_text=True)
    assert "Sesi Milik Ayu" in page and "Sesi Milik Bima" not in page


def test_other_speaker_gets_403_on_session_material_and_certificate(
        client, db, login, clock, two_speakers):
    a, b, ep_a, ep_b = two_speakers
    login(_user(db, a))
    assert add_material_file(client, ep_a).status_code == 302
    material = db.session.scalar(select(Material))

    login(_user(db, b))
    assert client.get(f"/speaker/episodes/{ep_a.id}").status_code == 403
    assert client.get(f"/speaker/episodes/{ep_a.id}?speaker={a.id}").status_code == 403
    assert add_material_file(client, ep_a).status_code == 403
    assert client.post(f"/speaker/episodes/{ep_a.id}/materials/{material.id}/delete"
                       ).status_code == 403
    assert client.get(f"/episodes/{ep_a.id}/materials/{material.id}").status_code == 403
    clock.set(ep_a.ends_at_utc + timedelta(hours=1))
    assert client.get(f"/speaker/episodes/{ep_a.id}/certificate.pdf").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Material)) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_participant_gets_403_and_anonymous_goes_to_login(app, client, login,
                                                         make_participant, two_speakers):
    a, b, ep_a, ep_b = two_speakers
    anonymous = app.test_client()
    response = anonymous.get("/speaker")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make_participant())
    assert client.get("/speaker").status_code == 403
    assert client.get(f"/speaker/episodes/{ep_a.id}").status_code == 403
    assert client.get(f"/speaker/episodes/{ep_a.id}/certificate.pdf").status_code == 403


def test_unlinked_speaker_account_sees_an_explanation(client, login, make_user):
    login(make_user("speaker"))
    response = client.get("/speaker")
    assert response.status_code == 200
    assert "belum tertaut" in response.get_data(as_text=True)


def test_organizer_views_a_speakers_portal(client, as_organizer, two_speakers):
    a, b, ep_a, ep_b = two_speakers
    assert client.get("/speaker").status_code == 302   # to the speaker list
    page = client.get(f"/speaker?speaker={b.id}").get_data(as_text=True)
    assert "Sesi Milik Bima" in page and "Sesi Milik Ayu" not in page
    assert client.get(f"/speaker/episodes/{ep_a.id}").status_code == 200


def test_portal_figures_and_evaluations(client, db, login, clock, organizer,
                                        make_participant, make_speaker, make_episode):
    speaker = make_speaker("Dr. Nilai", email="nilai@example.go.id", account=True)
    episode = make_episode(title="Sesi Berevaluasi")
    attach(episode, speaker, organizer)
    people = [make_participant() for _ in range(3)]
    for person in people:
        register(episode.id, person)
    db.session.commit()
    clock.set(episode.starts_at_utc + timedelta(minutes=5))
    for person in people[:2]:
        check_in(episode.id, person, "awal23")
    clock.set(episode.ends_at_utc - timedelta(minutes=5))
    check_in(episode.id, people[0], "akhir45")
    submit_evaluation(episode, people[0], {"material": 5, "speaker": 5, "organization": 4,
                                           "relevance": 4}, "Materinya sangat aplikatif.")
    submit_evaluation(episode, people[1], {"material": 4, "speaker": 4, "organization": 4,
                                           "relevance": 3}, "")
    db.session.commit()
    clock.set(episode.ends_at_utc + timedelta(hours=1))
    finalize_episode(episode.id, actor_id=organizer.id)
    db.session.commit()

    portal = portal_for(speaker)
    item = portal.past[0]
    assert (item.stats.registered, item.stats.checked_in, item.stats.attended) == (3, 2, 1)
    assert item.stats.evaluations == 2 and item.stats.speaker_score == 4.5
    assert portal.speaker_score == 4.5

    login(_user(db, speaker))
    page = client.get(f"/speaker/episodes/{episode.id}").get_data(as_text=True)
    assert "Materinya sangat aplikatif." in page
    assert "4,50" in page            # the speaker score
    assert "2 responden" in page


def test_portal_query_count_does_not_grow_with_sessions(db, organizer, make_speaker,
                                                        make_episode, make_participant):
    speaker = make_speaker("Dr. Banyak Sesi")
    counts, statements = [], []
    person = make_participant()
    for _ in range(2):
        for _ in range(3):
            episode = make_episode()
            attach(episode, speaker, organizer)
            register(episode.id, person)
        db.session.commit()
        db.session.expire_all()
        statements.clear()

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            portal = portal_for(db.session.get(Speaker, speaker.id))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert len(portal.upcoming) == 6
    assert counts[0] == counts[1]


def test_template_helpers_for_navigation_and_photos(app, client, db, as_organizer,
                                                    make_participant, make_speaker):
    from flask import render_template_string
    from flask_login import login_user

    person = _verified(db, make_participant(email="juga.narasumber@example.go.id"))
    probe = "{{ has_speaker_portal() }}"
    with app.test_request_context():
        app.preprocess_request()
        login_user(person)
        assert render_template_string(probe) == "False"
    speaker = make_speaker("Dr. Juga", email="juga.narasumber@example.go.id")
    with app.test_request_context():
        app.preprocess_request()    # a new request asks again
        login_user(person)
        assert render_template_string(probe) == "True"
        assert render_template_string("{{ speaker_photo_url(s) }}", s=speaker) == "None"
    assert form_post(client, f"/console/speakers/{speaker.id}/edit", {
        "name": speaker.name, "photo": (io.BytesIO(png_bytes()), "a.png")}).status_code == 302
    with app.test_request_context():
        url = render_template_string("{{ speaker_photo_url(s) }}", s=speaker)
    assert url.startswith(f"/speakers/{speaker.id}/photo?v=")
    assert client.get(url).status_code == 200


# Materials -------------------------------------------------------------------------------

@pytest.fixture
def speaker_session(db, login, client, make_speaker, make_episode, organizer):
    speaker = make_speaker("Dr. Materi", email="materi@example.go.id", account=True)
    episode = make_episode(title="Sesi Bermateri")
    attach(episode, speaker, organizer)
    login(_user(db, speaker))
    return speaker, episode


def test_material_upload_checks_type_by_content(app, client, db, speaker_session):
    speaker, episode = speaker_session
    fake = add_material_file(client, episode, b"just some text pretending", "slide.pdf")
    assert fake.status_code == 422
    assert "tidak sesuai dengan jenisnya" in fake.get_data(as_text=True)
    wrong = add_material_file(client, episode, b"MZ\x90\x00binary", "setup.exe")
    assert wrong.status_code == 422 and "PDF, PPTX" in wrong.get_data(as_text=True)
    zip_as_pdf = add_material_file(client, episode, pptx_bytes(), "slide.pdf")
    assert zip_as_pdf.status_code == 422
    app.config["MATERIAL_MAX_BYTES"] = 100
    big = add_material_file(client, episode, pdf_bytes() + b"0" * 200, "besar.pdf")
    assert big.status_code == 422 and "terlalu besar" in big.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    assert stored_files("materials") == []

    app.config["MATERIAL_MAX_BYTES"] = 20 * 1024 * 1024
    assert add_material_file(client, episode, pdf_bytes(), "Paparan Seri 41.pdf",
                             title="").status_code == 302
    assert add_material_file(client, episode, pptx_bytes(), "deck.pptx",
                             title="Slide utama").status_code == 302
    materials = materials_for_episode(episode.id)
    assert [m.title for m in materials] == ["Paparan Seri 41", "Slide utama"]
    assert materials[0].speaker_id == speaker.id
    assert materials[0].content_type == "application/pdf"
    assert materials[1].content_type.endswith("presentationml.presentation")
    assert all(path_of(m.stored_name).is_file() for m in materials)
    page = client.get(f"/speaker/episodes/{episode.id}").get_data(as_text=True)
    assert "Paparan Seri 41" in page and "Slide utama" in page


def test_registered_participant_downloads_after_start_only(
        app, client, db, login, clock, speaker_session, make_participant):
    speaker, episode = speaker_session
    add_material_file(client, episode, pdf_bytes(), "Paparan Ayu.pdf")
    material = db.session.scalar(select(Material))
    url = f"/episodes/{episode.id}/materials/{material.id}"
    assert client.get(url).status_code == 200      # the speaker, any time

    registered, outsider = make_participant(), make_participant()
    register(episode.id, registered)
    db.session.commit()
    login(registered)
    assert client.get(url).status_code == 403      # not started yet

    clock.set(episode.starts_at_utc + timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == pdf_bytes()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "Paparan Ayu.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    login(outsider)
    assert client.get(url).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302
    # A material id under another episode's URL is not found.
    assert client.get(f"/episodes/{episode.id + 1000}/materials/{material.id}"
                      ).status_code == 404


def test_co_speaker_cannot_delete_anothers_material(client, db, login, organizer,
                                                    speaker_session, make_speaker):
    speaker, episode = speaker_session
    add_material_file(client, episode)
    material = db.session.scalar(select(Material))
    co = make_speaker("Dr. Rekan", email="rekan@example.go.id", account=True)
    attach(episode, co, organizer, role="moderator")
    login(_user(db, co))
    url = f"/speaker/episodes/{episode.id}/materials/{material.id}/delete"
    assert client.post(url).status_code == 403
    assert client.get(f"/episodes/{episode.id}/materials/{material.id}").status_code == 200

    login(_user(db, speaker))
    assert client.post(url).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    assert stored_files("materials") == []


# Speaker certificate ---------------------------------------------------------------------

def test_speaker_certificate_after_end_without_jp_and_verifiable(app, client, db, clock,
                                                                 speaker_session):
    speaker, episode = speaker_session
    url = f"/speaker/episodes/{episode.id}/certificate.pdf"
    early = client.get(url)
    assert early.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    clock.set(episode.ends_at_utc + timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Dr. Materi" in text
    # (as a word: the random verification code printed on the page may hold the letters)
    assert not re.search(r"\bJP\b", text) and "Jam Pelajaran" not in text

    cert = db.session.scalar(select(Certificate))
    assert cert.kind == "speaker" and cert.jp is None and cert.speaker_id == speaker.id
    assert client.get(url).status_code == 200       # idempotent: still one certificate
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1

    verdict = app.test_client().get(f"/api/v1/verify/{cert.verification_code}").get_json()
    assert verdict["valid"] is True and verdict["jp"] is None
    assert verdict["name"] == "Dr. Materi"

    # A revocation sticks: the next download is refused, no new certificate appears.
    from asnbelajar.certificates.services import revoke_certificate

    revoke_certificate(cert, reason="Tidak jadi hadir", actor_id=None)
    db.session.commit()
    again = client.get(url)
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1



def test_episode_page_lists_materials_for_registered_participants_after_start(
        client, db, login, make_participant, make_episode, make_speaker, clock):
    from asnbelajar.registrations.services import register
    from asnbelajar.uploads import store_bytes

    episode = make_episode(starts_in=timedelta(hours=1))
    speaker = make_speaker("Dr. Materi", email="materi@example.go.id")
    stored = store_bytes(b"%PDF-1.4 slides", folder="materials", original_name="slides.pdf",
                         content_type="application/pdf", ext="pdf")
    db.session.add(Material(episode_id=episode.id, speaker_id=speaker.id, title="Slide Seri",
                            original_name=stored.original_name, stored_name=stored.stored_name,
                            content_type=stored.content_type, size_bytes=stored.size_bytes))
    person = make_participant()
    register(episode.id, person)
    db.session.commit()
    login(person)
    before = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert "Slide Seri" not in before and "materi tersedia" in before
    clock.advance(hours=2)
    after = client.get(f"/episodes/{episode.id}").get_data(as_text=True)
    assert "Slide Seri" in after
