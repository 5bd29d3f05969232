"""Interface language: Indonesian by default, English from the compiled catalog.

The catalog lives in asnbelajar/translations (see docs/translations.md); these tests check
that English is really served (session choice, account locale, API errors) and that the
English catalog is complete and safe to format.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "asnbelajar" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO_EN = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_EN = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="en" if path.suffix == ".po" else None)


def _messages(path: Path):
    return [m for m in _catalog(path) if m.id]


def _texts(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# Pages --------------------------------------------------------------------------------

def test_home_defaults_to_indonesian(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Beranda" in page
    assert "Verifikasi Sertifikat" in page
    assert ">Home<" not in page


def test_language_switch_turns_the_navbar_english(client):
    response = client.post("/language", data={"lang": "en"})
    assert response.status_code == 302

    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    for label in ("Home", "Episodes", "Verify Certificate", "Log in", "Sign Up"):
        assert label in page, label
    for label in ("Beranda", "Verifikasi Sertifikat", "Daftar Akun"):
        assert label not in page, label

    client.post("/language", data={"lang": "id"})
    assert "Beranda" in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "fr"})
    assert "Beranda" in client.get("/").get_data(as_text=True)


def test_participant_with_english_locale_sees_english_dashboard(client, db, make_participant,
                                                                 login):
    user = make_participant(full_name="Rina Marlina")
    user.locale = "en"
    db.session.commit()
    login(user)

    page = client.get("/me").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Hello, Rina Marlina" in page
    assert "My Registrations" in page
    assert "Halo, Rina Marlina" not in page
    assert "Pendaftaran Saya" not in page


def test_participant_locale_beats_the_session_choice(client, db, make_participant, login):
    user = make_participant()
    login(user)
    client.post("/language", data={"lang": "en"})  # logged in: stored on the account
    db.session.refresh(user)
    assert user.locale == "en"
    assert "My Registrations" in client.get("/me").get_data(as_text=True)


# JSON API -----------------------------------------------------------------------------

def test_api_domain_error_is_indonesian_by_default(client):
    response = client.get("/api/v1/episodes/999999")
    assert response.status_code == 404
    error = response.json["error"]
    assert (error["code"], error["message"]) == ("not_found", "Episode tidak ditemukan.")
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_api_validation_error_is_indonesian_by_default(client, make_participant):
    make_participant(email="ada@example.go.id")
    response = client.post("/api/v1/participants", json={
        "email": "ada@example.go.id", "password": "rahasia123", "full_name": "Ada",
        "employee_type": "non_asn", "instansi": "Umum", "province": "Jawa Barat",
        "consent": True,
    })
    assert response.status_code >= 400
    assert response.json["error"]["message"] == "Email ini sudah terdaftar."


def test_api_domain_error_follows_an_english_token_user(client, db, make_participant,
                                                        token_for):
    user = make_participant()
    user.locale = "en"
    db.session.commit()
    response = client.get("/api/v1/episodes/999999", headers=token_for(user))
    assert response.status_code == 404
    assert response.json["error"]["message"] == "Episode not found."
    # ...and the next anonymous call is Indonesian again.
    response = client.get("/api/v1/episodes/999999")
    assert response.json["error"]["message"] == "Episode tidak ditemukan."


# Catalog ------------------------------------------------------------------------------

def test_english_catalog_translates_every_msgid():
    untranslated = [m.id for m in _messages(PO_EN)
                    if m.fuzzy or not all(s.strip() for s in _texts(m.string))]
    assert untranslated == [], (
        f"{len(untranslated)} msgid(s) without English: {untranslated[:5]}; "
        "write their English in asnbelajar/translations/en/LC_MESSAGES/messages.po "
        "(see docs/translations.md)"
    )


def test_english_catalog_keeps_every_placeholder():
    broken = []
    for message in _messages(PO_EN):
        wanted = set(PLACEHOLDER.findall(" ".join(_texts(message.id))))
        for text in _texts(message.string):
            missing = wanted - set(PLACEHOLDER.findall(text))
            if text and missing:
                broken.append((message.id, sorted(missing)))
    assert broken == []


def test_english_catalog_passes_babel_format_checks():
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _catalog(PO_EN).check()]
    assert errors == []


def test_english_catalog_covers_the_template():
    in_po = {m.id for m in _messages(PO_EN)}
    missing = [m.id for m in _messages(POT) if m.id not in in_po]
    assert missing == [], "run asnbelajar/translations/update.sh"


def test_compiled_catalog_matches_the_po():
    with MO_EN.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [m.id for m in _messages(PO_EN)
             if isinstance(m.id, str) and m.string and compiled.gettext(m.id) != m.string]
    assert stale == [], "messages.mo is stale: run pybabel compile -d asnbelajar/translations"
