"""Certificate PDF rendering: one A4-landscape page, right texts, decodable QR code."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from asnbelajar.certificates.pdf import (
    CertificateDocument,
    format_nip,
    render_certificate_pdf,
)

CODE = "q3Zk8vWm1N0aXyT7cB2dEf9GhJ4kLpR6sUvWx5yZ"
VERIFY_URL = f"http://127.0.0.1:5000/verify/{CODE}"

LONG_NAME = (
    "Prof. Dr. Ir. H. Muhammad Abdurrahman Wahyudiningrat Kusumawardhani "
    "Prawirosastrosuryo Hadiningrat, S.H., S.E., M.Si., M.M., M.Kn., Ph.D."
)
LONG_TITLE = " ".join(
    ["Penguatan Kapasitas Aparatur Sipil Negara dalam Mewujudkan Birokrasi Berkelas Dunia"] * 5
)


@pytest.fixture()
def participant() -> CertificateDocument:
    return CertificateDocument(
        kind="participant",
        number="00012/ASNB/41/II/2024",
        verification_code=CODE,
        verify_url=VERIFY_URL,
        name="Dr. Siti Nurhaliza, M.Si.",
        nip="198503122010011001",
        instansi="Dinas Komunikasi dan Informatika Kabupaten Bandung Barat",
        role=None,
        program_name="ASN Belajar",
        episode_label="Seri 41 Tahun 2024",
        episode_title="Transformasi Digital Pelayanan Publik",
        held_on="Kamis, 22 Februari 2024",
        jp=2,
        issuer="BPSDM Provinsi Jawa Barat",
        signer_name="Dr. H. Ahmad Fauzi, S.STP., M.Si.",
        signer_title="Kepala BPSDM Provinsi Jawa Barat",
        issued_on="22 Februari 2024",
    )


@pytest.fixture()
def speaker(participant: CertificateDocument) -> CertificateDocument:
    return replace(
        participant,
        kind="speaker",
        number="00013/ASNB/41/II/2024",
        name="Prof. Budi Santoso, Ph.D.",
        nip=None,
        instansi="Universitas Padjadjaran",
        role="Narasumber",
        jp=None,
    )


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _text(data: bytes) -> str:
    return _reader(data).pages[0].extract_text()


def _flat(text: str) -> str:
    """Whitespace-insensitive form, for strings that may wrap across lines."""
    return " ".join(text.split())


def _text_origins(data: bytes) -> list[tuple[float, float, str]]:
    """Page coordinates where each non-blank text run starts."""
    origins: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        # Text space origin -> user space: tm then cm (row-vector convention).
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        origins.append((x, y, text))

    _reader(data).pages[0].extract_text(visitor_text=visit)
    return origins


def test_output_is_single_a4_landscape_pdf(participant: CertificateDocument) -> None:
    data = render_certificate_pdf(participant)
    assert data.startswith(b"%PDF")
    reader = _reader(data)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(841.89, abs=0.5)
    assert float(box.height) == pytest.approx(595.28, abs=0.5)


def test_participant_text(participant: CertificateDocument) -> None:
    text = _text(render_certificate_pdf(participant))
    flat = _flat(text)
    assert "SERTIFIKAT" in text
    assert participant.name in text
    assert participant.number in text
    assert "NIP. 19850312 201001 1 001" in text
    assert participant.instansi in text
    assert "sebagai Peserta" in flat
    assert "ASN Belajar Seri 41 Tahun 2024: Transformasi Digital Pelayanan Publik" in flat
    assert "Kamis, 22 Februari 2024" in text
    assert "dengan bobot 2 Jam Pelajaran (JP)" in flat
    assert participant.signer_name in text
    assert participant.signer_title in text
    assert "Pindai untuk verifikasi" in text
    assert CODE in text


def test_speaker_text_has_role_and_no_jp(speaker: CertificateDocument) -> None:
    text = _text(render_certificate_pdf(speaker))
    flat = _flat(text)
    assert speaker.name in text
    assert speaker.number in text
    assert "sebagai Narasumber" in flat
    assert "Jam Pelajaran" not in flat
    assert "JP" not in text
    assert "NIP" not in text  # non-ASN speaker: no NIP line at all
    assert "Peserta" not in text


def test_speaker_role_variants(speaker: CertificateDocument) -> None:
    for role in ("Moderator", "Keynote Speaker"):
        flat = _flat(_text(render_certificate_pdf(replace(speaker, role=role))))
        assert f"sebagai {role}" in flat


def test_participant_without_instansi_or_nip(participant: CertificateDocument) -> None:
    data = render_certificate_pdf(replace(participant, nip=None, instansi=None))
    text = _text(data)
    assert len(_reader(data).pages) == 1
    assert "NIP" not in text
    assert participant.name in text


def test_metadata(participant: CertificateDocument) -> None:
    meta = _reader(render_certificate_pdf(participant)).metadata
    assert meta.title == "Sertifikat 00012/ASNB/41/II/2024"
    assert meta.author == "BPSDM Provinsi Jawa Barat"


def test_output_is_deterministic(participant: CertificateDocument) -> None:
    assert render_certificate_pdf(participant) == render_certificate_pdf(participant)


def test_unknown_kind_is_rejected(participant: CertificateDocument) -> None:
    with pytest.raises(ValueError):
        render_certificate_pdf(replace(participant, kind="panitia"))


def test_format_nip() -> None:
    assert format_nip("198503122010011001") == "19850312 201001 1 001"
    assert format_nip("19850312 201001 1 001") == "19850312 201001 1 001"
    assert format_nip(" 12345 ") == "12345"  # not a NIP shape: shown as given


@pytest.mark.parametrize("kind", ["participant", "speaker"])
def test_very_long_content_stays_on_one_page_inside_frame(
    participant: CertificateDocument, speaker: CertificateDocument, kind: str
) -> None:
    base = participant if kind == "participant" else speaker
    doc = replace(
        base,
        name=LONG_NAME,
        episode_title=LONG_TITLE,
        instansi="Badan Pengembangan Sumber Daya Manusia dan Kompetensi Aparatur "
        "Pemerintah Daerah Provinsi Nusa Tenggara Timur " * 2,
        signer_title="Kepala Badan Pengembangan Sumber Daya Manusia Provinsi Jawa Barat "
        "selaku Penanggung Jawab Kegiatan",
        signer_name="Prof. Dr. H. Raden Mas Ahmad Fauzi Kusumanegara, S.STP., M.Si., M.P.A.",
    )
    data = render_certificate_pdf(doc)
    assert len(_reader(data).pages) == 1
    flat = _flat(_text(data))
    assert _flat(LONG_NAME) in flat  # the recipient's name wraps, it is never cut
    assert doc.number in flat
    # Centred text that overflowed would start left of the inner frame (x = 31 pt).
    for x, y, text in _text_origins(data):
        assert 31 < x < 841.89 - 31, (x, text)
        assert 31 < y < 595.28 - 31, (y, text)


def test_qr_code_decodes_to_verify_url(participant: CertificateDocument) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    segno = pytest.importorskip("segno")
    page = _reader(render_certificate_pdf(participant)).pages[0]
    images = list(page.images)
    assert len(images) == 1
    image = images[0].image.convert("L")

    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [VERIFY_URL]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level in {"M", "Q", "H"}

    # Quiet zone: at least 4 modules of white around the symbol on every side.
    modules = segno.make(VERIFY_URL, error="m", micro=False).symbol_size(border=0)[0]
    pixels = image.load()
    width, height = image.size
    dark = [(x, y) for y in range(height) for x in range(width) if pixels[x, y] < 128]
    xs = [x for x, _ in dark]
    ys = [y for _, y in dark]
    module_px = (max(xs) - min(xs) + 1) / modules
    for margin in (min(xs), min(ys), width - 1 - max(xs), height - 1 - max(ys)):
        assert margin >= 4 * module_px - 1


def test_qr_for_other_url(speaker: CertificateDocument) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    url = "https://asnbelajar.example.go.id/verify/Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTA"
    page = _reader(render_certificate_pdf(replace(speaker, verify_url=url))).pages[0]
    (image,) = list(page.images)
    assert [r.text for r in zxingcpp.read_barcodes(image.image)] == [url]


def test_markup_and_non_winansi_text(participant: CertificateDocument) -> None:
    doc = replace(
        participant,
        name="Nguyễn Thị Ānh 😀",
        episode_title="Etika & Integritas <i>ASN</i>",
    )
    text = _text(render_certificate_pdf(doc))
    assert "Nguyen Thi Anh" in text  # accents outside WinAnsi fall back to base letters
    assert "\u25a0" not in text  # no black "missing glyph" boxes
    assert "Etika & Integritas <i>ASN</i>" in _flat(text)  # shown literally, not as markup
