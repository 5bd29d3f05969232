"""One way to put a speaker on an episode: the console, the API and the demo seed all use
``speakers.services.add_speaker``, which follows the speaker pages' rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from asnbelajar.speakers.models import EpisodeSpeaker, Speaker
from asnbelajar.speakers.services import create_speaker


@pytest.fixture
def api(client, organizer, token_for):
    headers = token_for(organizer)

    def post(episode_id: int, **body):
        return client.post(f"/api/v1/episodes/{episode_id}/speakers", json=body,
                           headers=headers)

    return post


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_email_of_an_account_held_by_another_speaker_is_not_a_500(
        api, db, make_episode, make_user):
    user = make_user("participant", email="hendra@lan.go.id")
    holder = create_speaker({"name": "Hendra (profil lama)", "email": "hendra.g@lan.go.id"},
                            None)
    holder.user_id = user.id
    db.session.commit()
    episode = make_episode(publish=False, checkpoints=False)

    r = api(episode.id, name="Dr. Hendra Gunawan, M.Si.", institution="LAN RI",
            role="narasumber", email="Hendra@LAN.go.id")

    assert r.status_code == 201, r.json
    speaker = db.session.get(Speaker, r.json["speaker_id"])
    assert speaker.id != holder.id
    assert speaker.email == "hendra@lan.go.id"
    assert speaker.user_id is None  # the account stays with the speaker who holds it
    assert db.session.get(Speaker, holder.id).user_id == user.id


def test_email_of_an_existing_speaker_reuses_that_speaker(api, db, make_episode):
    known = create_speaker({"name": "Prof. Eko Prasojo", "email": "eko@ui.ac.id",
                            "institution": "Universitas Indonesia"}, None)
    db.session.commit()
    episode = make_episode(publish=False, checkpoints=False)

    first = api(episode.id, name="Eko P.", institution="", role="narasumber",
                email="EKO@ui.ac.id")
    again = api(episode.id, name="Eko P.", institution="", role="narasumber",
                email="eko@ui.ac.id")
    keynote = api(episode.id, name="Eko P.", institution="", role="keynote",
                  email="eko@ui.ac.id")

    assert (first.status_code, again.status_code, keynote.status_code) == (201, 201, 201)
    assert first.json["speaker_id"] == again.json["speaker_id"] == known.id
    assert first.json["id"] == again.json["id"]  # same place, not a second row
    assert keynote.json["id"] != first.json["id"]
    assert first.json["name"] == "Prof. Eko Prasojo"  # the profile's name is kept
    assert _count(db, Speaker) == 1
    assert _count(db, EpisodeSpeaker) == 2


def test_email_of_an_unlinked_account_links_the_new_speaker(api, db, make_episode,
                                                             make_user):
    user = make_user("participant", email="rina@bkn.go.id")
    episode = make_episode(publish=False, checkpoints=False)

    r = api(episode.id, name="Rina Kusuma", institution="BKN", role="moderator",
            email="rina@bkn.go.id")

    assert r.status_code == 201, r.json
    assert db.session.get(Speaker, r.json["speaker_id"]).user_id == user.id


@pytest.mark.parametrize("body, field", [
    ({"name": "", "institution": "LAN", "role": "narasumber"}, "name"),
    ({"name": "Budi", "institution": "LAN", "role": "pembicara"}, "role"),
    ({"name": "Budi", "institution": "LAN", "role": "narasumber", "email": "budi@"}, "email"),
    ({"name": "Budi", "institution": "x" * 201, "role": "narasumber"}, None),
])
def test_bad_speaker_details_are_422_and_change_nothing(api, db, make_episode, body, field):
    episode = make_episode(publish=False, checkpoints=False)

    r = api(episode.id, **body)

    assert r.status_code == 422, r.json
    if field:
        assert r.json["error"]["field"] == field
    assert _count(db, Speaker) == 0
    assert _count(db, EpisodeSpeaker) == 0


def test_console_form_uses_the_same_rules(client, db, login, organizer, make_episode,
                                          make_user):
    user = make_user("participant", email="dewi@lan.go.id")
    holder = create_speaker({"name": "Dewi (lama)", "email": "dewi.lama@lan.go.id"}, None)
    holder.user_id = user.id
    db.session.commit()
    episode = make_episode(publish=False, checkpoints=False)
    login(organizer)

    r = client.post(f"/console/episodes/{episode.id}/speakers",
                    data={"name": "Dewi Lestari", "institution": "LAN", "role": "moderator",
                          "email": "dewi@lan.go.id"})

    assert r.status_code == 302
    link = db.session.scalar(select(EpisodeSpeaker).where(
        EpisodeSpeaker.episode_id == episode.id))
    assert link.speaker.email == "dewi@lan.go.id" and link.speaker.user_id is None
