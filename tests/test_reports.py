"""Training rate per agency: share of its ASN participants with >= 20 JP this year."""

from __future__ import annotations

from datetime import date

from asnbelajar.ledger.services import add_external_credit
from asnbelajar.registrations.services import register


def test_training_rate_counts_asn_reaching_the_target(client, db, make_participant,
                                                      make_episode, organizer, token_for):
    episode = make_episode()
    a = make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara")
    b = make_participant(instansi="Pemerintah Kota Medan", province="Sumatera Utara")
    umum = make_participant(kind="non_asn", instansi="Pemerintah Kota Medan",
                            province="Sumatera Utara")
    c = make_participant(instansi="Badan Kepegawaian Negara", province="DKI Jakarta")
    for person in (a, b, umum, c):
        register(episode.id, person)
    year = episode.year
    add_external_credit(user_id=a.id, jp=20, title="Latsar CPNS", provider="BPSDM",
                        occurred_on=date(year, 1, 15), evidence_path=None,
                        actor_id=organizer.id)
    add_external_credit(user_id=umum.id, jp=25, title="Pelatihan", provider="LAN",
                        occurred_on=date(year, 1, 15), evidence_path=None,
                        actor_id=organizer.id)
    db.session.commit()
    rows = client.get(f"/api/v1/reports/training-rate?year={year}",
                      headers=token_for(organizer)).json
    by_name = {row["instansi"]: row for row in rows}
    medan = by_name["Pemerintah Kota Medan"]
    assert (medan["participants"], medan["reached_target"], medan["rate"]) == (2, 1, 0.5)
    assert by_name["Badan Kepegawaian Negara"]["reached_target"] == 0


def test_training_rate_is_for_organizers_only(client, make_participant, token_for):
    r = client.get("/api/v1/reports/training-rate", headers=token_for(make_participant()))
    assert r.status_code == 403
