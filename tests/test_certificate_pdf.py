"""Certificate PDF rendering: one A4-landscape page, right texts, decodable QR code."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from asnbelajar.certificates.pdf import (
    CertificateDesign,
    CertificateDocument,
    CertificateRenderer,
    format_nip,
    prepare_image,
    qr_operators,
    render_certificate_pdf,
    wording_errors,
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


def test_format_nip_is_the_accounts_one_with_pppk_layout(participant) -> None:
    assert format_nip("198503122010011001") == "19850312 201001 1 001"
    assert format_nip("19850312 201001 1 001") == "19850312 201001 1 001"
    assert format_nip(" 12345 ") == "12345"  # not a NIP shape: shown as given
    text = _text(render_certificate_pdf(replace(participant, nip="199001012021211005")))
    assert "NIP. 19900101 2021 2 1 1 005" in text  # NI PPPK: year, 2, contract, gender


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


def _decode_qr(data: bytes, tmp_path) -> list[str]:
    """Rasterize at 150 dpi with poppler and decode with zbar, as a phone camera would."""
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("poppler-utils and zbar-tools are needed to decode the QR code")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    result = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True,
                            text=True)
    return result.stdout.split()


@pytest.mark.parametrize("url", [
    VERIFY_URL,
    "https://asnbelajar.example.go.id/verify/7K3M-9QXR-2B4D-HJ5N-WX",
    "http://localhost:8123/verify/Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTA",
])
def test_qr_code_is_vector_and_decodes_to_verify_url(participant, url, tmp_path) -> None:
    data = render_certificate_pdf(replace(participant, verify_url=url))
    assert list(_reader(data).pages[0].images) == []  # drawn as modules, not a picture
    assert _decode_qr(data, tmp_path) == [url]


def test_qr_operators_draw_every_dark_module() -> None:
    segno = pytest.importorskip("segno")
    ops = qr_operators(VERIFY_URL, 0, 0, 100).splitlines()
    matrix = segno.make(VERIFY_URL, error="m", micro=False, mask=1).matrix
    module = 100 / (len(matrix) + 8)
    covered = sum(round((float(op.split()[2]) - 0.02) / module) for op in ops[:-1])
    assert covered == sum(sum(row) for row in matrix)
    assert ops[-1] == "f"


def test_markup_and_names_beyond_winansi_print_as_written(participant) -> None:
    doc = replace(
        participant,
        name="Nguyễn Thị Ānh Şükrü 😀",
        episode_title="Etika & Integritas <i>ASN</i>",
    )
    text = _text(render_certificate_pdf(doc))
    assert "Nguyễn Thị Ānh Şükrü" in text  # DejaVu Sans covers them: real, copyable text
    assert "\u25a0" not in text and "😀" not in text  # no boxes, unknown symbols dropped
    assert "Etika & Integritas <i>ASN</i>" in _flat(text)  # shown literally, not as markup


def _png(width: int, height: int, color=(20, 30, 120, 255)) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, width - 4, height - 4), fill=color)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return prepare_image(buf.getvalue(), box=(600, 600))


def test_design_with_logo_signature_and_wording(participant) -> None:
    design = CertificateDesign(
        logo=_png(300, 300), signature=_png(400, 160), signature_signer=participant.signer_name,
        issuer_lines=("Pemerintah Provinsi Jawa Barat", "Badan Pengembangan SDM"),
        title="Piagam", intro="dengan bangga diberikan kepada",
        participant_wording="atas partisipasinya sebagai $peran\ndalam $judul ($jp JP)",
    )
    data = CertificateRenderer(design).render(replace(participant, signer_nip="197001011990031001"))
    flat = _flat(_text(data))
    assert "PEMERINTAH PROVINSI JAWA BARAT" in flat and "BADAN PENGEMBANGAN SDM" in flat
    assert "PIAGAM" in flat and "dengan bangga diberikan kepada" in flat
    assert "atas partisipasinya sebagai Peserta" in flat
    assert "dalam Transformasi Digital Pelayanan Publik (2 JP)" in flat
    assert "NIP. 19700101 199003 1 001" in flat  # the signer's NIP under the name
    assert len(data) < 30_000
    # A name beyond WinAnsi embeds a DejaVu subset; the file still stays small.
    wide = CertificateRenderer(design).render(replace(participant, name="Nguyễn Thị Ānh Şükrü"))
    assert "Nguyễn Thị Ānh Şükrü" in _text(wide) and len(wide) < 30_000
    page = _reader(data).pages[0]
    # The shared layer (frame, logo, issuer) is one form XObject; images are stored once.
    xobjects = {k: x.get_object() for k, x in page["/Resources"]["/XObject"].items()}
    (form,) = [x for x in xobjects.values() if x["/Subtype"] == "/Form"]
    images = {k: x.get_object() for k, x in form["/Resources"]["/XObject"].items()}
    assert sorted((i["/Width"], i["/Height"]) for i in images.values()) == [
        (300, 300), (400, 160)]
    assert all("/SMask" in i for i in images.values())  # transparency kept
    assert b"cert-sign Do" in page.get_contents().get_data()


def test_signature_image_only_above_its_own_signer(participant) -> None:
    design = CertificateDesign(signature=_png(400, 160), signature_signer="Someone Else")
    page = _reader(CertificateRenderer(design).render(participant)).pages[0]
    assert b"cert-sign Do" not in page.get_contents().get_data()


def test_wording_placeholders_are_a_fixed_set() -> None:
    assert wording_errors("sebagai $peran pada $kegiatan, ${tanggal}, $$5") == []
    assert wording_errors("$nama {0.__class__} $__globals__ $foo") == ["$__globals__", "$foo"]
    assert wording_errors("biaya $") == ["$"]


def test_revoked_copy_is_stamped(participant) -> None:
    data = render_certificate_pdf(replace(participant, revoked=True,
                                          revoked_note="Dicabut: data tidak benar"))
    flat = _flat(_text(data))
    assert "DICABUT" in flat and "Dicabut: data tidak benar" in flat
    assert "DICABUT" not in _flat(_text(render_certificate_pdf(participant)))


def test_speakers_page_is_optional(participant) -> None:
    doc = replace(participant, speakers=(("Prof. Budi Santoso, Ph.D.", "Universitas Padjadjaran",
                                          "Narasumber"),), topic="Layanan digital terpadu")
    assert len(_reader(render_certificate_pdf(doc)).pages) == 1
    data = CertificateRenderer(CertificateDesign(speakers_page=True)).render(doc)
    reader = _reader(data)
    assert len(reader.pages) == 2
    second = _flat(reader.pages[1].extract_text())
    assert "Prof. Budi Santoso, Ph.D." in second and "Layanan digital terpadu" in second


def test_merged_pdf_shares_one_form(participant) -> None:
    docs = [replace(participant, name=f"Peserta {i}", number=f"{i:05d}/ASNB/41/II/2024")
            for i in range(1, 6)]
    out = io.BytesIO()
    assert CertificateRenderer(CertificateDesign(logo=_png(200, 200))).render_merged(docs, out) == 5
    reader = _reader(out.getvalue())
    assert len(reader.pages) == 5
    forms = {tuple(v.idnum for v in page["/Resources"]["/XObject"].values())
             for page in reader.pages}
    assert len(forms) == 1  # every page refers to the same form object
    assert "Peserta 5" in reader.pages[4].extract_text()
