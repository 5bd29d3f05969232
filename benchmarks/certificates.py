"""Certificate rendering speed and size on one core, default design with a logo and a
signature image.

    python benchmarks/certificates.py [--count 1000] [--database-url URL] [--no-db]

Prints certificates per second for separate files and for one merged PDF, bytes per file,
whether the QR codes decode with zbar at 150 dpi, and the same figures for a plain
reportlab renderer (segno PNG with automatic mask, images decoded for every file) as a
reference. Unless --no-db, it then renders an episode of --count certificates through the
database the way ``asnbelajar certificates render`` and the ZIP download do.
Goals (issue 12): >= 150/s separate files, >= 200/s merged, files < 30 KB.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import segno  # noqa: E402
from _database import temporary_database  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from asnbelajar import create_app  # noqa: E402
from asnbelajar.accounts.models import User  # noqa: E402
from asnbelajar.certificates.models import Certificate  # noqa: E402
from asnbelajar.certificates.models import CertificateDesign as DesignRow  # noqa: E402
from asnbelajar.certificates.pdf import (  # noqa: E402
    IMAGE_BOXES,
    CertificateDesign,
    CertificateDocument,
    CertificateRenderer,
    prepare_image,
)
from asnbelajar.certificates.rendering import (  # noqa: E402
    iter_episode_zip,
    write_episode_files,
)
from asnbelajar.certificates.services import code_key, new_verification_code  # noqa: E402
from asnbelajar.episodes.models import Episode  # noqa: E402
from asnbelajar.episodes.services.episodes import default_program  # noqa: E402
from asnbelajar.extensions import db  # noqa: E402

NAMES = ["Dr. Siti Nurhaliza, M.Si.", "Budi Santoso, S.E.", "Ir. H. Ahmad Fauzi, M.T.",
         "Prof. Dr. Ratna Dewi Kusumawardhani Prawirosastro, S.H., M.Hum.",
         "Nguyễn Thị Ānh", "Made Wirawan, S.Kom."]


def _logo() -> bytes:
    image = Image.new("RGBA", (480, 480), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 470, 470), fill=(22, 38, 74, 255))
    draw.polygon([(240, 60), (300, 240), (240, 420), (180, 240)], fill=(179, 139, 45, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return prepare_image(buf.getvalue(), box=IMAGE_BOXES["logo"])


def _signature() -> bytes:
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.line((30 + i * 45, 170 - (i % 3) * 40, 75 + i * 45, 60 + (i % 4) * 35),
                  fill=(10, 20, 110, 255), width=7)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return prepare_image(buf.getvalue(), box=IMAGE_BOXES["signature"])


def _documents(count: int) -> list[CertificateDocument]:
    base = CertificateDocument(
        kind="participant", number="", verification_code="", verify_url="", name="",
        nip="198503122010011001", instansi="Dinas Komunikasi dan Informatika Kabupaten "
        "Bandung Barat", role=None, program_name="ASN Belajar",
        episode_label="Seri 41 Tahun 2024", episode_title="Transformasi Digital Pelayanan "
        "Publik yang Inklusif", held_on="Kamis, 22 Februari 2024", jp=2,
        issuer="BPSDM Provinsi Jawa Barat", signer_name="Dr. H. Ahmad Fauzi, M.Si.",
        signer_title="Kepala BPSDM Provinsi Jawa Barat", issued_on="22 Februari 2024",
        signer_nip="197001011990031001")
    docs = []
    for i in range(count):
        code = f"7K3M-9QXR-{i // 10000:04d}-{i % 10000:04d}"
        docs.append(replace(base, number=f"{i + 1:05d}/ASNB/41/II/2024",
                            verification_code=code,
                            verify_url=f"https://asnbelajar.jabarprov.go.id/verify/{code}",
                            name=f"{NAMES[i % len(NAMES)]} {i}"))
    return docs


def plain_reportlab(doc: CertificateDocument, logo: bytes, signature: bytes) -> bytes:
    """A straightforward renderer: PNG QR with segno's automatic mask, images decoded and
    embedded again in every file, Helvetica text."""
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)
    c.setLineWidth(5)
    c.rect(18, 18, width - 36, height - 36)
    c.drawImage(ImageReader(io.BytesIO(logo)), width / 2 - 25, 500, 50, 50, mask="auto")
    c.setFont("Helvetica-Bold", 12)
    c.drawCentredString(width / 2, 480, doc.issuer.upper())
    c.setFont("Helvetica-Bold", 46)
    c.drawCentredString(width / 2, 420, "SERTIFIKAT")
    c.setFont("Helvetica", 11.5)
    c.drawCentredString(width / 2, 400, f"Nomor: {doc.number}")
    c.setFont("Helvetica-Bold", 28)
    c.drawCentredString(width / 2, 340, doc.name.encode("cp1252", "replace").decode("cp1252"))
    c.setFont("Helvetica", 13)
    for i, line in enumerate([f"NIP. {doc.nip}", doc.instansi, "sebagai Peserta",
                              f"pada kegiatan {doc.program_name} {doc.episode_label}: "
                              f"{doc.episode_title}", f"pada {doc.held_on}",
                              f"dengan bobot {doc.jp} Jam Pelajaran (JP)"]):
        c.drawCentredString(width / 2, 310 - i * 18, line)
    c.drawImage(ImageReader(io.BytesIO(signature)), width - 280, 80, 160, 64, mask="auto")
    c.drawCentredString(width - 195, 62, doc.signer_name)
    qr = segno.make(doc.verify_url, error="m", micro=False)
    png = io.BytesIO()
    qr.save(png, kind="png", scale=10, border=4)
    c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 52, 46, 96, 96)
    c.setFont("Courier", 8)
    c.drawString(158, 120, doc.verification_code)
    c.showPage()
    c.save()
    return buf.getvalue()


class Timer:
    """Wall time and this process's CPU time: on a shared machine the CPU time is what one
    core really spent (the wall time also counts waiting for other processes)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _rate(count: int, timer: Timer) -> str:
    return (f"{count / timer.cpu:7.1f} certificates/s of CPU ({timer.cpu * 1000 / count:.2f} ms "
            f"each); wall clock {count / timer.wall:.1f}/s")


def _zbar(pdfs: list[tuple[bytes, str]]) -> str:
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        return "not checked (install poppler-utils and zbar-tools)"
    ok = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (pdf, url) in enumerate(pdfs):
            path = Path(tmp) / f"{i}.pdf"
            path.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path),
                            str(Path(tmp) / f"p{i}")], check=True)
            png = next(Path(tmp).glob(f"p{i}*.png"))
            out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True,
                                 text=True).stdout.split()
            ok += out == [url]
    return f"{ok}/{len(pdfs)} decoded with zbar at 150 dpi"


def renderer_figures(count: int) -> None:
    logo, signature = _logo(), _signature()
    design = CertificateDesign(
        issuer_lines=("Pemerintah Provinsi Jawa Barat",
                      "Badan Pengembangan Sumber Daya Manusia"),
        logo=logo, signature=signature, signature_signer="Dr. H. Ahmad Fauzi, M.Si.")
    docs = _documents(count)

    with Timer() as prepare_timer:
        renderer = CertificateRenderer(design)
    prepare = prepare_timer.wall
    renderer.render(docs[0])  # warm caches (fonts, QR grid) as a long-running job would
    with Timer() as separate:
        sizes = [len(renderer.render(doc)) for doc in docs]

    out = io.BytesIO()
    with Timer() as merged:
        renderer.render_merged(docs, out)

    n_plain = max(50, count // 4)
    with Timer() as plain:
        plain_sizes = [len(plain_reportlab(doc, logo, signature)) for doc in docs[:n_plain]]

    samples = [docs[0], docs[len(docs) // 2], docs[-1]]
    logo_px = "x".join(map(str, Image.open(io.BytesIO(logo)).size))
    sign_px = "x".join(map(str, Image.open(io.BytesIO(signature)).size))
    print(f"design prepared once in {prepare * 1000:.1f} ms (logo {logo_px} px, signature "
          f"{sign_px} px)")
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"separate files : {_rate(count, separate)}   goal >= 150/s")
    print(f"  bytes per file: mean {statistics.mean(sizes):,.0f}, max {max(sizes):,}"
          f"   goal < 30,000")
    print(f"merged PDF     : {_rate(count, merged)}   goal >= 200/s; "
          f"{len(out.getvalue()):,} bytes for {count} pages "
          f"({len(out.getvalue()) / count:,.0f} per page)")
    print(f"  QR codes     : {_zbar([(renderer.render(d), d.verify_url) for d in samples])}")
    print(f"plain reportlab: {_rate(n_plain, plain)} (reference, {n_plain} files); "
          f"bytes per file mean {statistics.mean(plain_sizes):,.0f}")


def database_figures(count: int, server_url: str) -> None:
    with temporary_database(server_url, prefix="asnb_bench_cert") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "RATELIMIT_ENABLED": False,
                          "BASE_URL": "https://asnbelajar.jabarprov.go.id"})
        with app.app_context():
            upgrade()
            program = default_program()
            db.session.add(DesignRow(program_id=program.id, logo=_logo(), signature=_signature(),
                                     issuer_lines="Pemerintah Provinsi Jawa Barat\nBPSDM",
                                     signer_name="Kepala BPSDM", updated_at=datetime.now()))
            start = datetime(2024, 2, 22, 6, 0)
            episode = Episode(program=program, year=2024, number=41, title="Transformasi "
                              "Digital Pelayanan Publik", starts_at=start,
                              ends_at=start + timedelta(hours=2), jp=2, status="published",
                              finalized_at=start + timedelta(hours=3))
            db.session.add(episode)
            db.session.flush()
            users = [{"email": f"p{i}@bench.go.id", "password_hash": "x",
                      "full_name": f"{NAMES[i % len(NAMES)]} {i}", "role": "participant"}
                     for i in range(count)]
            db.session.execute(insert(User), users)
            ids = [u.id for u in db.session.query(User.id).order_by(User.id)]
            rows = []
            for i, uid in enumerate(ids):
                code = new_verification_code()
                rows.append({"kind": "participant", "episode_id": episode.id, "user_id": uid,
                             "number": f"{i + 1:05d}/ASNB/41/II/2024", "seq": i + 1,
                             "verification_code": code, "code_key": code_key(code),
                             "name": users[i]["full_name"], "nip": "198503122010011001",
                             "instansi": "Dinas Kominfo", "program_name": "ASN Belajar",
                             "episode_label": "Seri 41 Tahun 2024",
                             "episode_title": episode.title, "held_on": date(2024, 2, 22),
                             "jp": 2, "signer_name": "Kepala BPSDM", "signer_title": "Kepala",
                             "issued_at": start + timedelta(hours=3)})
            db.session.execute(insert(Certificate), rows)
            db.session.commit()
            engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            with tempfile.TemporaryDirectory() as tmp:
                with Timer() as timer:
                    written = write_episode_files(episode.id, Path(tmp))
                total = sum(p.stat().st_size for p in Path(tmp).iterdir())
            print(f"through the database ({engine}), as `asnbelajar certificates render`: "
                  f"{_rate(written, timer)}; {total / written:,.0f} bytes per file")
            with Timer() as timer:
                size = sum(len(part) for part in iter_episode_zip(episode.id))
            print(f"streamed ZIP (nothing stored yet, all rendered): {_rate(count, timer)}; "
                  f"{size:,} bytes")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--no-db", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    try:
        import _rl_accel  # noqa: F401
        accel = "on"
    except ImportError:
        accel = "OFF (pip install rl_accel)"
    print(f"{args.count} certificates, one core, reportlab C accelerator {accel}")
    renderer_figures(args.count)
    if not args.no_db:
        database_figures(args.count, args.database_url)


if __name__ == "__main__":
    main()
