"""The values a certificate is rendered from: the shared design and one document."""

from __future__ import annotations

from dataclasses import dataclass

from .wording import DEFAULT_PARTICIPANT_WORDING, DEFAULT_SPEAKER_WORDING


@dataclass(frozen=True)
class CertificateDesign:
    """What every certificate of an episode shares. Images are prepared bytes
    (see :func:`prepare_image`) or ``None``."""

    program_name: str = "ASN Belajar"
    issuer_lines: tuple[str, ...] = ("BPSDM",)
    title: str = "SERTIFIKAT"
    intro: str = "diberikan kepada"
    participant_wording: str = DEFAULT_PARTICIPANT_WORDING
    speaker_wording: str = DEFAULT_SPEAKER_WORDING
    logo: bytes | None = None
    background: bytes | None = None
    signature: bytes | None = None
    # The signature image is printed only above this signer's name, so a certificate
    # frozen with another signer never carries someone else's signature.
    signature_signer: str | None = None
    speakers_page: bool = False


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate, already formatted for display."""

    kind: str  # "participant" or "speaker"
    number: str  # e.g. "00012/ASNB/41/II/2024"
    verification_code: str
    verify_url: str  # the QR code encodes exactly this URL
    name: str  # recipient with academic titles
    nip: str | None  # 18 digits, or None for non-ASN recipients
    instansi: str | None
    role: str | None  # speakers: "Narasumber" / "Moderator" / "Keynote Speaker"
    program_name: str  # "ASN Belajar"
    episode_label: str  # "Seri 41 Tahun 2024"
    episode_title: str
    held_on: str  # e.g. "Kamis, 22 Februari 2024"
    jp: int | None  # learning hours; None for speaker certificates
    issuer: str  # organisation line for the metadata
    signer_name: str
    signer_title: str
    issued_on: str  # e.g. "22 Februari 2024"
    signer_nip: str | None = None
    revoked: bool = False  # organizers' copy of a revoked certificate: stamped DICABUT
    revoked_note: str | None = None
    # Optional second page: the episode's speakers (name, institution, role) and topic.
    speakers: tuple[tuple[str, str | None, str | None], ...] = ()
    topic: str | None = None
