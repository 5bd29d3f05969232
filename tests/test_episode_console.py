"""The organizer's episode console beyond create/edit: duplicate, the weekly series
generator, cover pictures, checkpoint edit/remove, form validation, the program page and
the public catalog's filters and register button."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from asnbelajar.attendance.models import CheckIn
from asnbelajar.attendance.services import check_in, finalize_episode, mark_attendance
from asnbelajar.audit.models import AuditEvent
from asnbelajar.episodes.models import Checkpoint, Episode
from asnbelajar.episodes.services import (
    CODE_ALPHABET,
    add_checkpoint,
    create_episode,
    publish_episode,
)
from asnbelajar.registrations.services import cancel_registration, register
from asnbelajar.speakers.services import add_speaker
from asnbelajar.timeutil import as_utc, to_local
from asnbelajar.uploads import path_of

NOW = datetime(2030, 2, 1, 2, 0, tzinfo=UTC)  # Friday 1 February 2030, 09.00 WIB


@pytest.fixture
def frozen(clock):
    clock.set(NOW)
    return clock


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def episode_form(**overrides) -> dict:
    data = {"year": "2030", "number": "41", "title": "Penulisan Naskah Dinas yang Efektif",
            "summary": "Praktik baik naskah dinas.", "competency_type": "teknis",
            "timezone": "Asia/Jakarta", "day": "2030-03-07", "start_time": "13:00",
            "end_time": "15:00", "jp": "", "capacity": "500", "registration_opens": "",
            "registration_closes": "", "zoom_url": "https://zoom.us/j/123",
            "youtube_url": "", "recording_url": "", "attendance_rule": "checkpoints",
            "min_minutes": "", "min_percent": "", "walk_in_allowed": "y"}
    data.update(overrides)
    return data


def edit_form(episode: Episode, **overrides) -> dict:
    tz = episode.timezone
    starts, ends = to_local(episode.starts_at, tz), to_local(episode.ends_at, tz)
    return episode_form(**{
        "year": str(episode.year), "number": str(episode.number), "title": episode.title,
        "summary": episode.summary or "", "competency_type": episode.competency_type,
        "timezone": tz, "day": f"{starts:%Y-%m-%d}", "start_time": f"{starts:%H:%M}",
        "end_time": f"{ends:%H:%M}", "jp": str(episode.jp),
        "capacity": str(episode.capacity or ""), **overrides})


def error_under(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    return html_lib.unescape(match.group(1)) if match else ""


@pytest.fixture
def thursday(db, frozen, organizer):
    """Published 2030 / Seri 10, Thursday 7 March 2030 13.00-15.00 WIB, with a speaker and
    two checkpoints."""
    episode = create_episode({
        "number": 10, "title": "Manajemen Talenta ASN", "summary": "Ringkasan.",
        "competency_type": "manajerial", "capacity": 300, "jp": 3,
        "starts_at": "2030-03-07T13:00:00+07:00", "ends_at": "2030-03-07T15:00:00+07:00",
        "registration_closes_at": "2030-03-07T14:00:00+07:00",
        "zoom_url": "https://zoom.us/j/555", "youtube_url": "https://youtube.com/live/abc",
        "recording_url": "https://youtube.com/watch?v=old", "attendance_rule": "either",
        "min_minutes": 80, "evaluation_required": True, "walk_in_allowed": False,
    }, organizer.id)
    add_speaker(episode, {"name": "Dr. Hendra Gunawan, M.Si.", "institution": "LAN",
                          "role": "narasumber"}, organizer.id)
    add_speaker(episode, {"name": "Rina Kusuma, S.Sos.", "role": "moderator"}, organizer.id)
    add_checkpoint(episode, {"label": "awal", "code": "AWAL23",
                             "opens_at": "2030-03-07T13:00:00+07:00",
                             "closes_at": "2030-03-07T13:30:00+07:00"}, organizer.id)
    add_checkpoint(episode, {"label": "akhir", "code": "AKHIR45", "required": False,
                             "opens_at": "2030-03-07T14:40:00+07:00",
                             "closes_at": "2030-03-07T15:30:00+07:00"}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()
    return episode


# Duplicate -------------------------------------------------------------------------------

def test_duplicate_makes_a_draft_one_week_later_with_next_number_and_new_codes(
        client, db, login, organizer, thursday):
    create_episode({"number": 14, "title": "Lain", "starts_at": "2030-04-04T13:00:00+07:00",
                    "ends_at": "2030-04-04T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)

    response = client.post(f"/console/episodes/{thursday.id}/duplicate")

    copy = db.session.scalar(select(Episode).where(Episode.number == 15))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/console/episodes/{copy.id}")
    assert (copy.status, copy.year) == ("draft", 2030)
    assert as_utc(copy.starts_at) == as_utc(thursday.starts_at) + timedelta(days=7)
    assert as_utc(copy.ends_at) == as_utc(thursday.ends_at) + timedelta(days=7)
    assert as_utc(copy.registration_closes_at) == (as_utc(thursday.registration_closes_at)
                                                   + timedelta(days=7))
    for field in ("title", "summary", "competency_type", "jp", "capacity", "zoom_url",
                  "youtube_url", "attendance_rule", "min_minutes", "evaluation_required",
                  "walk_in_allowed", "timezone"):
        assert getattr(copy, field) == getattr(thursday, field), field
    assert copy.recording_url is None  # last week's recording is not this week's
    assert copy.ical_uid != thursday.ical_uid and copy.ical_sequence == 0
    assert [(s.speaker_id, s.role, s.position) for s in copy.speakers] == \
        [(s.speaker_id, s.role, s.position) for s in thursday.speakers]
    pairs = list(zip(thursday.checkpoints, copy.checkpoints, strict=True))
    for old, new in pairs:
        assert (new.label, new.required) == (old.label, old.required)
        assert new.opens_at - old.opens_at == timedelta(days=7)
        assert new.closes_at - old.closes_at == timedelta(days=7)
        assert new.code != old.code and set(new.code) <= set(CODE_ALPHABET)
    assert count(db, AuditEvent, AuditEvent.action == "episode.duplicate",
                 AuditEvent.object_id == copy.id) == 1
    # The original is untouched.
    db.session.refresh(thursday)
    assert thursday.status == "published" and len(thursday.checkpoints) == 2


def test_duplicate_across_new_year_numbers_in_the_new_year(client, db, frozen, login,
                                                           organizer):
    episode = create_episode({"number": 48, "title": "Akhir tahun",
                              "starts_at": "2030-12-26T13:00:00+07:00",
                              "ends_at": "2030-12-26T15:00:00+07:00"}, organizer.id)
    create_episode({"number": 1, "title": "Awal tahun",
                    "starts_at": "2031-01-09T13:00:00+07:00",
                    "ends_at": "2031-01-09T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)

    client.post(f"/console/episodes/{episode.id}/duplicate")

    copy = db.session.scalar(select(Episode).order_by(Episode.id.desc()).limit(1))
    assert (copy.year, copy.number) == (2031, 2)


# Series generator ------------------------------------------------------------------------

def series_form(**overrides) -> dict:
    # 6 March 2031 is a Thursday.
    data = {"first_day": "2031-03-06", "start_time": "09:00", "duration_minutes": "90",
            "count": "4", "title_prefix": "Topik menyusul", "timezone": "Asia/Makassar",
            "jp": "", "first_number": ""}
    data.update(overrides)
    return data


def plan_of(html: str) -> str:
    return html_lib.unescape(re.search(r'name="plan" type="hidden" value="([^"]*)"', html)
                             .group(1))


def test_series_page_opens_with_sensible_defaults(client, login, organizer, thursday):
    login(organizer)

    html = client.get("/console/episodes/series").get_data(as_text=True)

    # One week after the latest scheduled episode, same time.
    assert 'value="2030-03-14"' in html and 'value="13:00"' in html
    assert 'value="120"' in html


def test_series_preview_lists_drafts_and_creates_nothing(client, db, frozen, login,
                                                         organizer):
    create_episode({"number": 7, "title": "Sudah ada",
                    "starts_at": "2031-01-09T13:00:00+07:00",
                    "ends_at": "2031-01-09T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    before = (count(db, Episode), count(db, AuditEvent))
    login(organizer)

    response = client.post("/console/episodes/series", data={**series_form(),
                                                              "action": "preview"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Setiap Kamis" in html
    for number in (8, 9, 10, 11):
        assert f"Seri {number} · 2031" in html
    assert "Kamis, 6 Maret 2031" in html and "09.00–10.30 WITA" in html
    assert "Buat 4 draf" in html
    assert plan_of(html)
    assert (count(db, Episode), count(db, AuditEvent)) == before


def test_series_confirm_creates_consecutive_weekly_drafts_once(client, db, frozen, login,
                                                               organizer):
    create_episode({"number": 7, "title": "Sudah ada",
                    "starts_at": "2031-01-09T13:00:00+07:00",
                    "ends_at": "2031-01-09T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)
    preview = client.post("/console/episodes/series", data={**series_form(),
                                                             "action": "preview"})
    confirm = {**series_form(), "plan": plan_of(preview.get_data(as_text=True)),
               "action": "confirm"}

    response = client.post("/console/episodes/series", data=confirm)

    assert response.status_code == 302
    drafts = list(db.session.scalars(select(Episode).where(Episode.number > 7)
                                     .order_by(Episode.number)))
    assert [(e.year, e.number, e.status) for e in drafts] == \
        [(2031, n, "draft") for n in (8, 9, 10, 11)]
    starts = [to_local(e.starts_at, "Asia/Makassar") for e in drafts]
    assert [s.strftime("%Y-%m-%d %H:%M") for s in starts] == \
        ["2031-03-06 09:00", "2031-03-13 09:00", "2031-03-20 09:00", "2031-03-27 09:00"]
    assert all(s.weekday() == 3 for s in starts)
    assert all(e.duration_minutes == 90 and e.jp == 2 for e in drafts)  # 90 / 45
    assert all(e.timezone == "Asia/Makassar" for e in drafts)
    assert drafts[0].title == "Topik menyusul – Seri 8"
    assert count(db, AuditEvent, AuditEvent.action == "episode.series_create") == 1
    assert count(db, AuditEvent, AuditEvent.action == "episode.create") == 5

    again = client.post("/console/episodes/series", data=confirm)

    assert again.status_code == 302
    assert count(db, Episode) == 5
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "sudah ada" in page


def test_series_numbers_skip_those_in_use_and_take_editable_jp(client, db, frozen, login,
                                                               organizer):
    for number, day in ((3, "2031-01-02"), (5, "2031-01-16")):
        create_episode({"number": number, "title": "Ada", "starts_at": f"{day}T13:00:00+07:00",
                        "ends_at": f"{day}T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)
    form = series_form(first_number="2", jp="4", count="4")
    preview = client.post("/console/episodes/series", data={**form, "action": "preview"})

    client.post("/console/episodes/series", data={
        **form, "plan": plan_of(preview.get_data(as_text=True)), "action": "confirm"})

    created = db.session.scalars(select(Episode).where(Episode.title.like("Topik%"))
                                 .order_by(Episode.starts_at)).all()
    assert [e.number for e in created] == [2, 4, 6, 7]
    assert {e.jp for e in created} == {4}


def test_series_across_new_year_restarts_numbering(client, db, frozen, login, organizer):
    login(organizer)
    form = series_form(first_day="2030-12-19", count="3")
    preview = client.post("/console/episodes/series", data={**form, "action": "preview"})

    client.post("/console/episodes/series", data={
        **form, "plan": plan_of(preview.get_data(as_text=True)), "action": "confirm"})

    assert [(e.year, e.number) for e in db.session.scalars(
        select(Episode).order_by(Episode.starts_at))] == [(2030, 1), (2030, 2), (2031, 1)]


def test_series_confirm_of_a_changed_plan_shows_preview_again(client, db, frozen, login,
                                                              organizer):
    login(organizer)
    preview = client.post("/console/episodes/series", data={**series_form(),
                                                             "action": "preview"})
    plan = plan_of(preview.get_data(as_text=True))
    # Someone takes number 1 of 2031 in the meantime.
    create_episode({"number": 1, "title": "Menyela", "starts_at": "2031-01-09T13:00:00+07:00",
                    "ends_at": "2031-01-09T15:00:00+07:00"}, organizer.id)
    db.session.commit()

    response = client.post("/console/episodes/series",
                           data={**series_form(), "plan": plan, "action": "confirm"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rencana berubah sejak pratinjau" in html
    assert "Seri 2 · 2031" in html
    assert count(db, Episode) == 1


@pytest.mark.parametrize("overrides, field, message", [
    ({"count": "53"}, "count", "Harus antara 1 dan 52."),
    ({"count": "0"}, "count", "Harus antara 1 dan 52."),
    ({"first_day": "2030-01-10"}, "first_day", "sudah lewat"),
    ({"title_prefix": ""}, "title_prefix", "Wajib diisi."),
])
def test_series_bad_input_is_explained_and_creates_nothing(client, db, frozen, login,
                                                           organizer, overrides, field,
                                                           message):
    login(organizer)

    response = client.post("/console/episodes/series",
                           data={**series_form(**overrides), "action": "confirm"})

    assert response.status_code == 422
    assert message in error_under(response.get_data(as_text=True), field)
    assert count(db, Episode) == 0


# Cover picture -------------------------------------------------------------------------

def png_bytes(size=(3200, 1800), color=(10, 92, 168)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def test_cover_png_is_accepted_resized_and_shown(client, db, login, organizer, thursday):
    login(organizer)

    response = client.post(
        f"/console/episodes/{thursday.id}/edit",
        data={**edit_form(thursday), "cover": (io.BytesIO(png_bytes()), "sampul.png")},
        content_type="multipart/form-data")

    assert response.status_code == 302
    db.session.refresh(thursday)
    assert thursday.cover_image.startswith("covers/")
    with Image.open(path_of(thursday.cover_image)) as stored:
        assert stored.size == (1600, 900)
    assert count(db, AuditEvent, AuditEvent.action == "episode.cover") == 1
    detail = client.get(f"/episodes/{thursday.id}").get_data(as_text=True)
    cover_url = re.search(r'src="(/episodes/\d+/cover\?v=[^"]+)"', detail).group(1)
    assert cover_url in client.get("/episodes").get_data(as_text=True)
    picture = client.get(cover_url)
    assert picture.status_code == 200 and picture.mimetype.startswith("image/")
    Image.open(io.BytesIO(picture.data)).verify()


def test_replacing_and_removing_the_cover_deletes_old_files(client, db, login, organizer,
                                                            thursday):
    login(organizer)
    url = f"/console/episodes/{thursday.id}/edit"
    client.post(url, data={**edit_form(thursday), "cover": (io.BytesIO(png_bytes()), "a.png")},
                content_type="multipart/form-data")
    db.session.refresh(thursday)
    first = path_of(thursday.cover_image)

    client.post(url, data={**edit_form(thursday),
                           "cover": (io.BytesIO(png_bytes(color=(200, 0, 0))), "b.png")},
                content_type="multipart/form-data")
    db.session.refresh(thursday)
    second = path_of(thursday.cover_image)
    client.post(url, data={**edit_form(thursday), "remove_cover": "y"})
    db.session.refresh(thursday)

    assert not first.exists() and not second.exists()
    assert thursday.cover_image is None
    assert client.get(f"/episodes/{thursday.id}/cover").status_code == 404


@pytest.mark.parametrize("payload, name, message", [
    (b"ini bukan gambar, hanya teks biasa\n" * 20, "foto.jpg", "bukan gambar yang valid"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "besar.png", "terlalu besar"),
])
def test_fake_or_oversized_cover_is_refused_and_changes_nothing(client, db, login,
                                                                organizer, thursday,
                                                                payload, name, message):
    login(organizer)

    response = client.post(
        f"/console/episodes/{thursday.id}/edit",
        data={**edit_form(thursday, title="Judul yang tidak boleh tersimpan"),
              "cover": (io.BytesIO(payload), name)},
        content_type="multipart/form-data")

    assert response.status_code == 200
    assert message in error_under(response.get_data(as_text=True), "cover")
    db.session.refresh(thursday)
    assert thursday.title == "Manajemen Talenta ASN"
    assert thursday.cover_image is None
    assert not (path_of("covers").exists() and any(path_of("covers").iterdir()))


def test_draft_cover_is_hidden_from_the_public(client, db, frozen, login, organizer):
    episode = create_episode({"number": 2, "title": "Draf", "starts_at": "2030-03-07T13:00:00",
                              "ends_at": "2030-03-07T15:00:00"}, organizer.id)
    db.session.commit()
    login(organizer)
    client.post(f"/console/episodes/{episode.id}/edit",
                data={**edit_form(episode), "cover": (io.BytesIO(png_bytes()), "c.png")},
                content_type="multipart/form-data")

    assert client.get(f"/episodes/{episode.id}/cover").status_code == 200
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/episodes/{episode.id}/cover").status_code == 404


# Validation through the episode form ---------------------------------------------------

@pytest.mark.parametrize("overrides, field, message", [
    ({"start_time": "15:00", "end_time": "13:00"}, "end_time",
     "Waktu selesai harus setelah waktu mulai."),
    ({"registration_closes": "2030-03-07T16:00"}, "registration_closes",
     "Pendaftaran harus ditutup paling lambat saat episode berakhir."),
    ({"registration_opens": "2030-03-07T12:00", "registration_closes": "2030-03-06T12:00"},
     "registration_opens", "Pendaftaran harus dibuka sebelum ditutup."),
    ({"number": "10"}, "number", "Nomor Seri 10 tahun 2030 sudah dipakai."),
])
def test_new_episode_form_explains_bad_input_and_saves_nothing(client, db, login, organizer,
                                                               thursday, overrides, field,
                                                               message):
    login(organizer)
    before = count(db, Episode)

    response = client.post("/console/episodes/new", data=episode_form(**overrides))

    assert response.status_code == 200
    assert error_under(response.get_data(as_text=True), field) == message
    assert count(db, Episode) == before


def test_jp_defaults_to_duration_over_45_and_stays_editable(client, db, frozen, login,
                                                            organizer):
    login(organizer)

    client.post("/console/episodes/new", data=episode_form(number="1", end_time="16:00"))
    client.post("/console/episodes/new", data=episode_form(number="2", jp="5", day="2030-03-14"))
    default, typed = db.session.scalars(select(Episode).order_by(Episode.number)).all()
    client.post(f"/console/episodes/{default.id}/edit", data=edit_form(default, jp="1"))
    db.session.refresh(default)

    assert typed.jp == 5
    assert default.jp == 1  # was 180 min / 45 = 4, then edited by hand


def test_edit_refuses_duplicate_number_and_keeps_the_old_one(client, db, login, organizer,
                                                             thursday):
    other = create_episode({"number": 11, "title": "Lain",
                            "starts_at": "2030-03-14T13:00:00+07:00",
                            "ends_at": "2030-03-14T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)

    response = client.post(f"/console/episodes/{other.id}/edit",
                           data=edit_form(other, number="10"))

    assert "sudah dipakai" in error_under(response.get_data(as_text=True), "number")
    db.session.refresh(other)
    assert other.number == 11


def test_console_list_filters_by_year_and_status(client, db, frozen, login, organizer,
                                                 thursday):
    create_episode({"number": 1, "title": "Draf 2031", "starts_at": "2031-01-09T13:00:00",
                    "ends_at": "2031-01-09T15:00:00"}, organizer.id)
    create_episode({"number": 20, "title": "Draf 2030", "starts_at": "2030-05-09T13:00:00",
                    "ends_at": "2030-05-09T15:00:00"}, organizer.id)
    db.session.commit()
    login(organizer)

    drafts_2030 = client.get("/console/episodes?year=2030&status=draft").get_data(as_text=True)
    all_2031 = client.get("/console/episodes?year=2031").get_data(as_text=True)
    published = client.get("/console/episodes?status=published").get_data(as_text=True)

    assert "Draf 2030" in drafts_2030
    assert "Draf 2031" not in drafts_2030 and "Manajemen Talenta ASN" not in drafts_2030
    assert "Draf 2031" in all_2031 and "Draf 2030" not in all_2031
    assert "Manajemen Talenta ASN" in published and "Draf 20" not in published


# Checkpoints -----------------------------------------------------------------------------

def test_edit_checkpoint_changes_window_and_code_and_is_audited(client, db, login, organizer,
                                                                thursday):
    awal = thursday.checkpoints[0]
    login(organizer)
    url = f"/console/episodes/{thursday.id}/checkpoints/{awal.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="AWAL23"' in form and 'value="13:00"' in form

    response = client.post(url, data={"label": "pembuka", "opens_time": "12:30",
                                      "closes_time": "13:45", "code": " mulai9 ",
                                      "required": "y"})

    assert response.status_code == 302
    db.session.refresh(awal)
    assert (awal.label, awal.code) == ("pembuka", "MULAI9")
    assert to_local(awal.opens_at, "Asia/Jakarta").strftime("%H:%M") == "12:30"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkpoint.update"))
    assert event.before["code"] == "AWAL23" and event.after["code"] == "MULAI9"
    assert event.actor_id == organizer.id


def test_edit_checkpoint_blank_code_draws_an_unambiguous_one(client, db, login, organizer,
                                                             thursday):
    awal = thursday.checkpoints[0]
    login(organizer)

    client.post(f"/console/episodes/{thursday.id}/checkpoints/{awal.id}/edit",
                data={"label": "awal", "opens_time": "13:00", "closes_time": "13:30",
                      "code": "", "required": "y"})

    db.session.refresh(awal)
    assert awal.code != "AWAL23" and len(awal.code) == 6
    assert not set(awal.code) & set("0O1IL")


@pytest.mark.parametrize("data, field, message", [
    ({"opens_time": "11:30", "closes_time": "13:30"}, "opens_time",
     "antara 60 menit sebelum mulai dan 120 menit setelah"),
    ({"opens_time": "14:00", "closes_time": "17:30"}, "opens_time",
     "antara 60 menit sebelum mulai dan 120 menit setelah"),
    ({"code": "akhir45"}, "code", "sudah dipakai checkpoint lain"),
    ({"label": "AKHIR"}, "label", "Label checkpoint sudah ada"),
    ({"code": "a-b"}, "code", "Kode harus 3-20 huruf atau angka."),
])
def test_edit_checkpoint_refuses_bad_windows_and_clashes(client, db, login, organizer,
                                                         thursday, data, field, message):
    awal = thursday.checkpoints[0]
    login(organizer)

    response = client.post(
        f"/console/episodes/{thursday.id}/checkpoints/{awal.id}/edit",
        data={"label": "awal", "opens_time": "13:00", "closes_time": "13:30",
              "code": "AWAL23", "required": "y", **data})

    assert response.status_code == 422
    assert message in error_under(response.get_data(as_text=True), field)
    db.session.refresh(awal)
    assert (awal.label, awal.code) == ("awal", "AWAL23")


def test_delete_checkpoint_without_checkins(client, db, login, organizer, thursday):
    akhir = thursday.checkpoints[1]
    login(organizer)

    response = client.post(f"/console/episodes/{thursday.id}/checkpoints/{akhir.id}/delete")

    assert response.status_code == 302
    assert db.session.get(Checkpoint, akhir.id) is None
    assert "dihapus" in client.get(response.headers["Location"]).get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkpoint.delete"))
    assert event.before["code"] == "AKHIR45"


def test_delete_checkpoint_with_checkins_is_refused(client, db, login, organizer, thursday,
                                                    make_participant, clock):
    awal = thursday.checkpoints[0]
    participant = make_participant()
    register(thursday.id, participant)
    clock.set(datetime(2030, 3, 7, 6, 10, tzinfo=UTC))  # 13.10 WIB, "awal" is open
    check_in(thursday.id, participant, "awal23")
    db.session.commit()
    login(organizer)

    response = client.post(f"/console/episodes/{thursday.id}/checkpoints/{awal.id}/delete")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'tidak dapat dihapus karena sudah ada 1 presensi' in html_lib.unescape(page)
    assert db.session.get(Checkpoint, awal.id) is not None
    assert count(db, CheckIn) == 1
    assert count(db, AuditEvent, AuditEvent.action == "checkpoint.delete") == 0


def test_checkpoint_of_another_episode_is_404(client, db, login, organizer, thursday):
    other = create_episode({"number": 30, "title": "Lain",
                            "starts_at": "2030-04-04T13:00:00+07:00",
                            "ends_at": "2030-04-04T15:00:00+07:00"}, organizer.id)
    db.session.commit()
    login(organizer)
    foreign = thursday.checkpoints[0].id

    assert client.get(f"/console/episodes/{other.id}/checkpoints/{foreign}/edit"
                      ).status_code == 404
    assert client.post(f"/console/episodes/{other.id}/checkpoints/{foreign}/delete"
                       ).status_code == 404
    assert db.session.get(Checkpoint, foreign) is not None


def test_checkpoints_of_a_finalized_episode_are_frozen(client, db, login, organizer, thursday,
                                                       clock):
    clock.set(datetime(2030, 3, 7, 10, 0, tzinfo=UTC))
    finalize_episode(thursday.id, actor_id=organizer.id)
    db.session.commit()
    login(organizer)
    akhir = thursday.checkpoints[1]

    response = client.post(f"/console/episodes/{thursday.id}/checkpoints/{akhir.id}/delete")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sudah difinalisasi" in page
    assert db.session.get(Checkpoint, akhir.id) is not None


# Access ----------------------------------------------------------------------------------

CONSOLE_ROUTES = [
    ("get", "/console/episodes"),
    ("get", "/console/episodes/new"),
    ("post", "/console/episodes/new"),
    ("get", "/console/episodes/series"),
    ("post", "/console/episodes/series"),
    ("get", "/console/episodes/{id}"),
    ("get", "/console/episodes/{id}/edit"),
    ("post", "/console/episodes/{id}/edit"),
    ("post", "/console/episodes/{id}/duplicate"),
    ("post", "/console/episodes/{id}/publish"),
    ("post", "/console/episodes/{id}/cancel"),
    ("post", "/console/episodes/{id}/speakers"),
    ("post", "/console/episodes/{id}/checkpoints"),
    ("get", "/console/episodes/{id}/checkpoints/{cp}/edit"),
    ("post", "/console/episodes/{id}/checkpoints/{cp}/edit"),
    ("post", "/console/episodes/{id}/checkpoints/{cp}/delete"),
]


@pytest.mark.parametrize("method, path", CONSOLE_ROUTES)
def test_participant_gets_403_on_every_console_route(client, db, login, thursday,
                                                     make_participant, method, path):
    participant = make_participant()
    login(participant)
    before = (count(db, Episode), count(db, Checkpoint), count(db, AuditEvent))

    url = path.format(id=thursday.id, cp=thursday.checkpoints[0].id)
    response = getattr(client, method)(url, data={"title": "x", "label": "x", "reason": "x"})

    assert response.status_code == 403
    assert (count(db, Episode), count(db, Checkpoint), count(db, AuditEvent)) == before


@pytest.mark.parametrize("method, path", CONSOLE_ROUTES)
def test_anonymous_is_sent_to_login_from_every_console_route(client, thursday, method, path):
    url = path.format(id=thursday.id, cp=thursday.checkpoints[0].id)

    response = getattr(client, method)(url)

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_console_route_is_covered_by_the_access_tests(app):
    covered = {re.sub(r"\{\w+\}", "<>", path) for _, path in CONSOLE_ROUTES}
    rules = {re.sub(r"<[^>]+>", "<>", rule.rule) for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("episodes.") and rule.rule.startswith("/console/")}
    assert rules <= covered


# Program page and catalog ----------------------------------------------------------------

@pytest.fixture
def history(db, clock, organizer, make_participant):
    """Two past years of episodes with registrations, credits and certificates, plus a
    cancelled episode and a draft that must not count."""
    clock.set(datetime(2029, 1, 5, tzinfo=UTC))
    people = [make_participant() for _ in range(4)]
    made = {}
    for key, number, day, kind in (("a", 5, "2029-03-01", "teknis"),
                                   ("b", 6, "2029-03-08", "manajerial"),
                                   ("c", 2, "2030-01-10", "teknis")):
        episode = create_episode({"number": number, "title": f"Episode {key}",
                                  "competency_type": kind, "starts_at": f"{day}T13:00:00+07:00",
                                  "ends_at": f"{day}T15:00:00+07:00", "capacity": 50,
                                  "recording_url": f"https://youtube.com/watch?v={key}"},
                                 organizer.id)
        publish_episode(episode, organizer.id)
        made[key] = episode
    gone = create_episode({"number": 9, "title": "Episode batal",
                           "starts_at": "2029-04-05T13:00:00+07:00",
                           "ends_at": "2029-04-05T15:00:00+07:00"}, organizer.id)
    publish_episode(gone, organizer.id)
    create_episode({"number": 10, "title": "Episode draf", "starts_at": "2029-04-12T13:00:00",
                    "ends_at": "2029-04-12T15:00:00"}, organizer.id)
    db.session.commit()
    p1, p2, p3, p4 = people
    for person, key in ((p1, "a"), (p1, "b"), (p2, "a"), (p3, "b"), (p1, "c"), (p4, "c")):
        register(made[key].id, person)
    register(made["c"].id, p2)
    cancel_registration(made["c"].id, p2)
    register(gone.id, p3)
    db.session.commit()
    from asnbelajar.episodes.services import cancel_episode
    cancel_episode(gone, organizer.id, "Batal")
    for person, key in ((p1, "a"), (p2, "a"), (p1, "b")):
        mark_attendance(made[key], person.id, attended=True, reason="Hadir",
                        actor_id=organizer.id)
    db.session.commit()
    clock.set(datetime(2030, 2, 1, tzinfo=UTC))
    for episode in made.values():
        finalize_episode(episode.id, actor_id=organizer.id)
    db.session.commit()
    return made


def totals_on(html: str) -> list[int]:
    return [int(v.replace(".", "")) for v in
            re.findall(r'data-total="\d"[^>]*>([\d.]+)<', html)]


def test_program_page_totals_match_independent_sql(client, db, history):
    program_id = history["a"].program_id

    def sql(query: str) -> int:
        return db.session.execute(text(query), {"p": program_id}).scalar() or 0

    expected = [sql(query) for query in (
        "SELECT COUNT(*) FROM episode e WHERE e.status = 'published' AND e.program_id = :p",
        "SELECT COUNT(DISTINCT r.user_id) FROM registration r JOIN episode e "
        "ON e.id = r.episode_id WHERE r.status = 'registered' AND e.status = 'published' "
        "AND e.program_id = :p",
        "SELECT COUNT(*) FROM registration r JOIN episode e ON e.id = r.episode_id "
        "WHERE r.status = 'registered' AND e.status = 'published' AND e.program_id = :p",
        "SELECT COALESCE(SUM(l.jp), 0) FROM ledger_entry l JOIN episode e "
        "ON e.id = l.episode_id WHERE e.status = 'published' AND e.program_id = :p",
        "SELECT COUNT(*) FROM certificate c JOIN episode e ON e.id = c.episode_id "
        "WHERE c.kind = 'participant' AND c.revoked_at IS NULL AND e.status = 'published' "
        "AND e.program_id = :p",
    )]

    html = client.get("/program/asn-belajar").get_data(as_text=True)

    assert totals_on(html) == expected
    # Worked out by hand from the fixture, so the SQL above is checked too.
    assert expected == [3, 4, 6, 3 * history["a"].jp, 3]
    home = client.get("/").get_data(as_text=True)
    assert "/program/asn-belajar" in home


def test_program_archive_lists_a_year_with_recordings(client, history):
    latest = client.get("/program/asn-belajar").get_data(as_text=True)
    year_2029 = client.get("/program/asn-belajar?year=2029").get_data(as_text=True)

    assert "Episode tahun 2030" in latest and "Episode c" in latest
    assert "Episode tahun 2029" in year_2029
    assert "Episode a" in year_2029 and "Episode b" in year_2029
    assert "Episode c" not in year_2029.split('id="arsip"')[1]
    assert "Episode batal" not in year_2029 and "Episode draf" not in year_2029
    assert "https://youtube.com/watch?v=a" in year_2029
    # Years with counts, and a bar per year in the chart.
    assert re.search(r"2029</span>\s*<span[^>]*>\s*<span[^>]*>2 episode", year_2029)
    assert year_2029.count('class="bar"') == 2


def test_program_page_for_unknown_slug_is_404_and_empty_default_is_fine(client):
    assert client.get("/program/tidak-ada").status_code == 404
    empty = client.get("/program/asn-belajar")
    assert empty.status_code == 200
    assert "Belum ada episode terbit" in empty.get_data(as_text=True)


def test_catalog_filters_past_episodes_by_year_and_competency(client, history):
    html = client.get("/episodes?when=past&year=2029&type=teknis").get_data(as_text=True)
    both_types = client.get("/episodes?when=past&year=2029").get_data(as_text=True)
    upcoming = client.get("/episodes?when=upcoming").get_data(as_text=True)

    assert "Episode a" in html
    assert "Episode b" not in html and "Episode c" not in html
    assert "Episode a" in both_types and "Episode b" in both_types
    assert "Episode c" not in both_types
    assert "Episode a" not in upcoming


@pytest.mark.parametrize("moment, expected", [
    (datetime(2030, 3, 1, tzinfo=UTC), "Pendaftaran dibuka"),
    (datetime(2030, 3, 3, tzinfo=UTC), "Daftar sekarang"),
    (datetime(2030, 3, 7, 6, 30, tzinfo=UTC), "Pendaftaran ditutup"),
    (datetime(2030, 3, 7, 9, 0, tzinfo=UTC), "Episode telah selesai"),
])
def test_register_button_follows_the_registration_window(client, db, clock, login, organizer,
                                                         make_participant, moment, expected):
    clock.set(datetime(2030, 2, 1, tzinfo=UTC))
    episode = create_episode({"number": 1, "title": "Jendela",
                              "starts_at": "2030-03-07T13:00:00+07:00",
                              "ends_at": "2030-03-07T15:00:00+07:00",
                              "registration_opens_at": "2030-03-02T08:00:00+07:00",
                              "registration_closes_at": "2030-03-07T13:15:00+07:00"},
                             organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()
    login(make_participant())
    clock.set(moment)

    html = client.get(f"/episodes/{episode.id}").get_data(as_text=True)

    assert expected in html
    assert ("Daftar sekarang" in html) == (expected == "Daftar sekarang")


def test_register_button_offers_the_waitlist_when_full(client, db, frozen, login, organizer,
                                                       make_participant):
    episode = create_episode({"number": 1, "title": "Penuh", "capacity": 1,
                              "starts_at": "2030-03-07T13:00:00+07:00",
                              "ends_at": "2030-03-07T15:00:00+07:00"}, organizer.id)
    publish_episode(episode, organizer.id)
    db.session.commit()
    register(episode.id, make_participant())
    db.session.commit()
    login(make_participant())

    html = client.get(f"/episodes/{episode.id}").get_data(as_text=True)

    assert "Masuk daftar tunggu" in html and "Daftar sekarang" not in html
    assert "1 / 1 kursi terisi" in html



def test_every_post_form_on_the_new_pages_carries_a_csrf_token(app_factory):
    from asnbelajar.accounts.services import create_user
    from asnbelajar.extensions import db as _db

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user(email="csrf@example.go.id", password="rahasia123",
                           role="organizer", full_name="Panitia")
        episode = create_episode({"number": 1, "title": "CSRF",
                                  "starts_at": "2030-03-07T13:00:00+07:00",
                                  "ends_at": "2030-03-07T15:00:00+07:00"}, user.id)
        checkpoint = add_checkpoint(episode, {"label": "awal",
                                              "opens_at": "2030-03-07T13:00:00+07:00",
                                              "closes_at": "2030-03-07T13:30:00+07:00"},
                                    user.id)
        _db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
        pages = [client.get(path).get_data(as_text=True) for path in (
            "/console/episodes/series", f"/console/episodes/{episode.id}",
            f"/console/episodes/{episode.id}/edit",
            f"/console/episodes/{episode.id}/checkpoints/{checkpoint.id}/edit")]
        refused = client.post(f"/console/episodes/{episode.id}/duplicate")

        for html in pages:
            forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
            assert forms and all('name="csrf_token"' in form for form in forms)
        assert refused.status_code == 400
        assert count(_db, Episode) == 1


def test_api_patch_to_a_taken_number_is_409_not_a_crash(client, db, organizer, thursday,
                                                        token_for):
    other = create_episode({"number": 11, "title": "Lain",
                            "starts_at": "2030-03-14T13:00:00+07:00",
                            "ends_at": "2030-03-14T15:00:00+07:00"}, organizer.id)
    db.session.commit()

    response = client.patch(f"/api/v1/episodes/{other.id}", json={"number": 10},
                            headers=token_for(organizer))

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_number"
    db.session.refresh(other)
    assert other.number == 11


def test_api_patch_with_reversed_times_is_422_not_a_crash(client, db, organizer, thursday,
                                                          token_for):
    response = client.patch(f"/api/v1/episodes/{thursday.id}",
                            json={"ends_at": "2030-03-07T12:00:00+07:00"},
                            headers=token_for(organizer))

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "ends_at"
    db.session.refresh(thursday)
    assert to_local(thursday.ends_at, "Asia/Jakarta").hour == 15
