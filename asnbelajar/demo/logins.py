"""The three demo accounts printed by the CLI and the README."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import ProfileData, create_user, sign_up
from ..extensions import db
from ..timeutil import to_db
from .common import wib
from .content import DEMO_SPEAKER
from .places import Employers, province_government

# Published in the README and printed by the CLI: a demo installation only.
DEMO_PASSWORD = "asnbelajar2024"  # noqa: S105
ORGANIZER_EMAIL = "admin@asnbelajar.id"
SPEAKER_EMAIL = "narasumber@asnbelajar.id"
PARTICIPANT_EMAIL = "peserta@asnbelajar.id"
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("organizer", ORGANIZER_EMAIL, DEMO_PASSWORD),
    ("speaker", SPEAKER_EMAIL, DEMO_PASSWORD),
    ("participant", PARTICIPANT_EMAIL, DEMO_PASSWORD),
]


# Demo accounts --------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoAccounts:
    organizer_id: int
    speaker_user_id: int
    participant_id: int


def ensure_demo_accounts(employers: Employers) -> DemoAccounts:
    def existing(email: str) -> User | None:
        return db.session.scalar(select(User).where(User.email == email))

    organizer = existing(ORGANIZER_EMAIL) or create_user(
        email=ORGANIZER_EMAIL, password=DEMO_PASSWORD, role="organizer",
        full_name="Admin BPSDM ASN Belajar")
    speaker = existing(SPEAKER_EMAIL) or create_user(
        email=SPEAKER_EMAIL, password=DEMO_PASSWORD, role="speaker", full_name=DEMO_SPEAKER[0])
    participant = existing(PARTICIPANT_EMAIL)
    if participant is None:
        west_java = [e for e in employers.regional.get("Jawa Barat", ())
                     if e.kind == "provinsi"] or [*employers.by_name.values()][:1]
        instansi = west_java[0].name if west_java else province_government("Jawa Barat")
        participant = sign_up(
            email=PARTICIPANT_EMAIL, password=DEMO_PASSWORD, full_name="Siti Rahmawati, S.Kom.",
            consent=True,
            profile=ProfileData(
                # Born 14 July 1988, CPNS from March 2012, female, sequence 003.
                nip="19880714 201203 2 003", employee_type="pns", instansi=instansi,
                unit_kerja="Badan Kepegawaian Daerah",
                jabatan="Analis SDM Aparatur Ahli Muda",
                pangkat_golongan="Penata Tingkat I (III/d)", province="Jawa Barat",
                phone="081234567890",
            ),
        )
    # The demo accounts have been around since the 2022 season began.
    joined = to_db(wib(date(2021, 11, 15), 10))
    for user in (organizer, speaker, participant):
        user.created_at = joined
    if participant.profile is not None:
        participant.profile.consent_at = joined
    db.session.flush()
    return DemoAccounts(organizer.id, speaker.id, participant.id)
