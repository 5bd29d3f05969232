"""Privacy (issue 9, item 5): erasure leaves the person's email and name nowhere in the
database (every text column searched) nor in the mail folder; sent emails carrying secret
links lose their bodies; check-in and audit IPs are cleared after the retention period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import JSON, String, Text, cast, func, or_, select

from asnbelajar.accounts.models import NipDispute
from asnbelajar.attendance.models import AttendanceImport, CheckIn
from asnbelajar.audit.models import AuditEvent
from asnbelajar.audit.services import record_event
from asnbelajar.notifications.models import OutboxEmail
from asnbelajar.notifications.services import PURGED_BODY, flush_outbox
from asnbelajar.registrations.services import register

PASSWORD = "rahasia123"
EMAIL = "rahma.kusuma@example.go.id"
NAME = "Rahmawati Kusumadewi"


def _hits(db, needles: list[str]) -> list[tuple[str, str]]:
    """(table, column) pairs whose text holds any needle, over every table."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            text = func.lower(cast(column, Text))
            condition = or_(*[text.contains(n.lower(), autoescape=True) for n in needles])
            if db.session.execute(select(func.count()).select_from(table).where(condition)
                                  ).scalar():
                found.append((table.name, column.name))
    return found


def _mail_files() -> list[Path]:
    folder = Path(current_app.instance_path) / "mail"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_erasure_leaves_no_email_or_name_anywhere(app, client, db, make_participant,
                                                  make_episode, organizer, login):
    person = make_participant(email=EMAIL, full_name=NAME)
    other = make_participant(email="lain@example.go.id", full_name="Budi Santoso")
    episode = make_episode()
    register(episode.id, person)
    register(episode.id, other)
    # Copies of the address and name outside the account: mail to them and about them,
    # a report's unmatched list, a NIP dispute they filed, an audit detail.
    client.post("/forgot-password", data={"login": EMAIL})
    from asnbelajar.notifications.services import queue_email
    queue_email("note:1", "panitia@example.go.id", f"Catatan tentang {NAME}",
                f"Peserta {NAME} ({EMAIL}) meminta surat keterangan.")
    db.session.add(AttendanceImport(
        episode_id=episode.id, filename="zoom.csv", kind="zoom", rows=3, matched=1,
        unmatched=[{"line": 2, "name": NAME, "email": "rahma.pribadi@gmail.com",
                    "reason": "email tidak terdaftar"},
                   {"line": 3, "name": "Budi Santoso", "email": "budi@x.id", "reason": "-"}],
        uploaded_by=organizer.id))
    from asnbelajar.accounts.identity import submit_nip_dispute
    submit_nip_dispute(full_name=NAME, email=EMAIL, nip=other.profile.nip,
                       statement="Saya kira ini NIP saya.", claimant_user_id=person.id)
    record_event(organizer.id, "note", "user", person.id, after={"email": EMAIL})
    db.session.commit()
    flush_outbox()
    assert _hits(db, [EMAIL, NAME])
    assert any(EMAIL.encode() in f.read_bytes() for f in _mail_files())

    login(person)
    response = client.post("/me/delete", data={"password": PASSWORD, "confirmation": "HAPUS"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _hits(db, [EMAIL, NAME]) == []
    for path in _mail_files():
        raw = path.read_bytes().lower()
        assert EMAIL.encode() not in raw and NAME.lower().encode() not in raw, path.name
    # Other people's data is untouched.
    kept = db.session.scalar(select(AttendanceImport)).unmatched
    assert kept[1]["name"] == "Budi Santoso" and kept[0]["name"] == "[dihapus]"
    assert db.session.scalar(select(NipDispute)).claimant_name == "[dihapus]"
    assert _hits(db, ["lain@example.go.id"])


def test_sent_secret_links_are_purged_other_mail_kept(app, client, db, make_participant,
                                                      make_episode):
    person = make_participant(email="lupa@example.go.id")
    client.post("/forgot-password", data={"login": "lupa@example.go.id"})
    register(make_episode().id, person)
    db.session.commit()
    flush_outbox()
    db.session.expire_all()
    rows = {r.dedupe_key.split(":")[0]: r for r in db.session.scalars(select(OutboxEmail))}
    reset = rows["password-reset"]
    assert reset.status == "sent"
    assert reset.body_text == PURGED_BODY and reset.body_html is None
    assert "/reset-password/" not in (reset.body_text or "")
    others = [r for k, r in rows.items() if k != "password-reset"]
    assert others and all(r.body_text != PURGED_BODY for r in others)


def test_retention_clears_old_checkin_and_audit_ips(app_factory, clock):
    from asnbelajar.accounts.privacy import apply_retention
    from asnbelajar.accounts.services import ProfileData, create_user, sign_up
    from asnbelajar.accounts.sessions import issue_api_token
    from asnbelajar.episodes.services import add_checkpoint, create_episode, publish_episode
    from asnbelajar.extensions import db
    from asnbelajar.timeutil import now_utc

    app = app_factory(IP_RETENTION_DAYS=30)
    with app.app_context():
        organizer = create_user(email="p@example.go.id", password=PASSWORD, role="organizer")
        start = now_utc().replace(microsecond=0) - timedelta(minutes=5)
        episode = create_episode({"year": start.year, "number": 7, "title": "Etika",
                                  "starts_at": start.isoformat(),
                                  "ends_at": (start + timedelta(hours=2)).isoformat(),
                                  "jp": 2, "walk_in_allowed": True}, organizer.id)
        add_checkpoint(episode, {"label": "awal", "code": "AWAL23",
                                 "opens_at": start.isoformat(),
                                 "closes_at": (start + timedelta(hours=1)).isoformat()},
                       organizer.id)
        publish_episode(episode, organizer.id)
        person = sign_up(email="ip@example.go.id", password=PASSWORD, full_name="Peserta IP",
                         consent=True, profile=ProfileData(employee_type="non_asn",
                                                           instansi="BKN"))
        register(episode.id, person)
        record_event(organizer.id, "x", "user", person.id, ip="10.1.2.3")
        token = issue_api_token(person)
        episode_id = episode.id
        db.session.commit()
    client = app.test_client()
    response = client.post(f"/api/v1/episodes/{episode_id}/checkins", json={"code": "AWAL23"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    with app.app_context():
        assert db.session.scalar(select(CheckIn.ip)) is not None
        assert apply_retention()["checkin_ips_cleared"] == 0
        clock.advance(days=31)
        result = apply_retention()
        assert result["checkin_ips_cleared"] == 1 and result["audit_ips_cleared"] >= 1
        assert db.session.scalar(select(CheckIn.ip)) is None
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.ip.is_not(None))) == 0
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        assert apply_retention()["checkin_ips_cleared"] == 0  # safe to run twice
