"""Demo data: the 2022 season of ASN Belajar, this year's episodes and many participants.

``asnbelajar seed-demo`` calls :func:`seed_demo`. Small things (demo accounts, speakers,
episodes, checkpoints) go through the domain services, so they are validated and audited
like an organizer's work. Bulk rows (participants, registrations, check-ins, evaluations)
are multi-row INSERTs in chunks, with one password hash shared by every demo participant;
certificates and JP credits are never written here: each past episode is finalized with
:func:`~asnbelajar.attendance.services.finalize_episode`, exactly as in production.

Running it again adds nothing: every step skips what exists, and a finished seed leaves an
audit event (``demo.seed``) that makes a rerun return at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.orm import aliased

from .accounts.models import Instansi, ParticipantProfile, User
from .accounts.services import (
    CONSENT_VERSION,
    PROVINCES,
    ProfileData,
    create_user,
    hash_password,
    sign_up,
)
from .attendance.models import CheckIn
from .attendance.services import finalize_episode
from .audit.models import AuditEvent
from .audit.services import record_event
from .certificates.models import Certificate
from .episodes.models import Episode, Program, Speaker
from .episodes.services import (
    add_checkpoint,
    add_speaker,
    create_episode,
    default_program,
    publish_episode,
)
from .evaluations.models import Evaluation
from .extensions import db
from .ledger.models import LedgerEntry
from .notifications.models import OutboxEmail
from .registrations.models import Registration
from .registrations.services import register
from .timeutil import now_utc, to_db

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "demo_counts", "seed_demo"]

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

SEED_MARKER = "demo.seed"  # audit action written when a seed has finished
RANDOM_SEED = 20220105  # the day of Seri 1: the same demo every time
CHUNK = 5000
# Every bulk participant has an address at one of these (reserved, undeliverable) domains.
ASN_DOMAINS = ("example.go.id",) * 6 + ("example.com",) * 3 + ("example.id",)
NON_ASN_DOMAINS = ("example.com", "example.ac.id", "example.co.id")
DEMO_DOMAIN_LIKE = "%@example.%"

WIB = ZoneInfo("Asia/Jakarta")
SEASON_YEAR = 2022
SEASON_START = date(2022, 1, 5)  # the first Wednesday of 2022
SEASON_SKIPPED = frozenset({date(2022, 5, 4)})  # cuti bersama Idul Fitri 1443 H
EPISODE_START = (9, 0)  # 09.00 WIB
EPISODE_LENGTH = timedelta(minutes=150)  # until 11.30 WIB: 3 JP
EPISODE_JP = 3
PAST_THIS_YEAR = 4
UPCOMING = 6
LIMITED_CAPACITY = 40  # one upcoming workshop is small, so its waiting list shows
LIMITED_WAITLISTED = 5

# --- content ---------------------------------------------------------------------------

# (title, competency type) for Seri 1..46 of 2022.
SEASON_TITLES: tuple[tuple[str, str], ...] = (
    ("Membumikan Core Values BerAKHLAK dalam Pelayanan Sehari-hari", "manajerial"),
    ("Manajemen Talenta ASN: dari Kebijakan ke Praktik di Daerah", "manajerial"),
    ("Arsitektur SPBE dan Integrasi Layanan Digital Pemerintah", "teknis"),
    ("Membangun Zona Integritas Menuju WBK dan WBBM", "manajerial"),
    ("Moderasi Beragama sebagai Perekat Bangsa di Lingkungan ASN", "sosial_kultural"),
    ("Teknik Penulisan Naskah Dinas sesuai Tata Naskah Dinas Terbaru", "teknis"),
    ("Kepemimpinan Adaptif di Era Disrupsi", "manajerial"),
    ("Literasi Digital ASN: Cakap, Etis, dan Aman Bermedia Sosial", "teknis"),
    ("Analisis Jabatan dan Analisis Beban Kerja (Anjab-ABK)", "teknis"),
    ("Menyusun Policy Brief yang Dibaca Pimpinan", "teknis"),
    ("Manajemen Risiko di Instansi Pemerintah", "manajerial"),
    ("Wawasan Kebangsaan dan Nilai-Nilai Bela Negara bagi ASN", "sosial_kultural"),
    ("Pelayanan Publik Prima: Standar Pelayanan dan Survei Kepuasan Masyarakat",
     "manajerial"),
    ("Integritas dan Antikorupsi: Mengenali dan Menolak Gratifikasi", "manajerial"),
    ("Penyederhanaan Birokrasi dan Penyetaraan Jabatan Fungsional", "teknis"),
    ("Keamanan Informasi dan Pelindungan Data Pribadi di Instansi Pemerintah", "teknis"),
    ("Komunikasi Publik Pemerintah di Media Sosial", "manajerial"),
    ("Sistem Merit dalam Manajemen ASN", "manajerial"),
    ("Etika Birokrasi dan Netralitas ASN", "sosial_kultural"),
    ("Menyusun SKP dengan Pendekatan Kinerja Baru", "teknis"),
    ("Inovasi Pelayanan Publik: Belajar dari Praktik Terbaik Daerah", "manajerial"),
    ("Manajemen Perubahan dalam Reformasi Birokrasi", "manajerial"),
    ("Pengadaan Barang/Jasa Pemerintah yang Akuntabel", "teknis"),
    ("Pengarusutamaan Gender dalam Perencanaan dan Penganggaran", "sosial_kultural"),
    ("Pengambilan Keputusan Berbasis Data", "manajerial"),
    ("Kearifan Lokal dan Keberagaman Budaya dalam Pelayanan Publik", "sosial_kultural"),
    ("Evaluasi Kebijakan Publik: Metode dan Praktik", "teknis"),
    ("Coaching dan Mentoring untuk Pengembangan Kompetensi ASN", "manajerial"),
    ("Akuntabilitas Kinerja Instansi Pemerintah (SAKIP)", "teknis"),
    ("Mengelola Konflik dan Membangun Kerja Sama Tim", "manajerial"),
    ("Tata Kelola Arsip Dinamis dan Arsip Elektronik", "teknis"),
    ("Smart ASN Menuju Birokrasi Kelas Dunia", "manajerial"),
    ("Mencegah Radikalisme dan Intoleransi di Kalangan ASN", "sosial_kultural"),
    ("Perencanaan dan Penganggaran Berbasis Kinerja", "teknis"),
    ("Design Thinking untuk Inovasi Sektor Publik", "manajerial"),
    ("Mengelola Pengaduan Masyarakat melalui SP4N-LAPOR!", "teknis"),
    ("Kesehatan Mental dan Keseimbangan Kerja bagi ASN", "sosial_kultural"),
    ("Penerapan Sistem Pengendalian Intern Pemerintah (SPIP)", "teknis"),
    ("Kepemimpinan Pancasila dalam Birokrasi", "sosial_kultural"),
    ("Merancang Proyek Perubahan pada Pelatihan Kepemimpinan", "manajerial"),
    ("Satu Data Indonesia dan Pemanfaatan Big Data Pemerintah", "teknis"),
    ("Public Speaking dan Presentasi yang Memikat bagi ASN", "manajerial"),
    ("Disiplin PNS menurut PP Nomor 94 Tahun 2021", "teknis"),
    ("Pengembangan Karier ASN melalui Jabatan Fungsional", "manajerial"),
    ("Pelayanan Inklusif bagi Penyandang Disabilitas", "sosial_kultural"),
    ("Refleksi Akhir Tahun: Arah Pengembangan Kompetensi ASN 2023", "manajerial"),
)
# Recent and upcoming episodes around "now"; the third upcoming one is the small workshop.
CURRENT_TITLES: tuple[tuple[str, str], ...] = (
    ("Implementasi Undang-Undang ASN Nomor 20 Tahun 2023", "teknis"),
    ("Kecerdasan Artifisial untuk Produktivitas Kerja ASN", "teknis"),
    ("Dialog Kinerja dan Umpan Balik Berkelanjutan", "manajerial"),
    ("Keteladanan Pimpinan dalam Membangun Budaya Antikorupsi", "manajerial"),
    ("Keamanan Siber: Mengenali Phishing dan Rekayasa Sosial", "teknis"),
    ("Corporate University dan Organisasi Pembelajar di Pemerintah Daerah", "manajerial"),
    ("Kelas Terbatas: Workshop Menulis Policy Brief", "teknis"),
    ("Moderasi Beragama dan Harmoni Sosial di Ruang Digital", "sosial_kultural"),
    ("Mal Pelayanan Publik Digital: Layanan Terpadu dalam Satu Aplikasi", "manajerial"),
    ("Wawasan Kebangsaan untuk ASN Generasi Z", "sosial_kultural"),
)
COMPETENCY_LABELS = {"manajerial": "manajerial", "sosial_kultural": "sosial kultural",
                     "teknis": "teknis"}

# (name with academic titles, institution, position, roles the person takes).
SPEAKERS: tuple[tuple[str, str, str, str], ...] = (
    ("Prof. Dr. Ir. Bambang Sutedjo, M.Si.", "Universitas Gadjah Mada",
     "Guru Besar Manajemen dan Kebijakan Publik", "keynote narasumber"),
    ("Dr. Rina Kartikasari, S.Sos., M.Si.", "Lembaga Administrasi Negara (LAN RI)",
     "Widyaiswara Ahli Utama", "narasumber"),
    ("Dr. Hendra Gunawan Siregar, S.E., M.M.", "Badan Kepegawaian Negara (BKN)",
     "Analis SDM Aparatur Ahli Utama", "narasumber"),
    ("Prof. Dr. Siti Rahmawati Hamzah, M.A.", "Universitas Hasanuddin",
     "Guru Besar Sosiologi Pemerintahan", "keynote narasumber"),
    ("Dr. Ir. Agus Priyanto, M.T.", "Kementerian PANRB",
     "Tenaga Ahli Sistem Pemerintahan Berbasis Elektronik", "narasumber"),
    ("Drs. I Made Suarjana, M.Si.", "BPSDM Provinsi Bali", "Widyaiswara Ahli Madya",
     "narasumber moderator"),
    ("Dr. Yohana Maria Tanamal, S.H., M.H.", "Universitas Pattimura",
     "Dosen Hukum Administrasi Negara", "narasumber"),
    ("Dr. Muhammad Fauzan Lubis, S.Kom., M.Kom.", "BPSDM Provinsi Sumatera Utara",
     "Widyaiswara Ahli Madya", "narasumber moderator"),
    ("Prof. Dr. Hj. Nurhayati Djamil, M.Pd.", "Universitas Negeri Padang",
     "Guru Besar Manajemen Pendidikan", "keynote narasumber"),
    ("Dr. Andi Tenri Abeng, S.IP., M.Si.", "BPSDM Provinsi Sulawesi Selatan",
     "Kepala Bidang Pengembangan Kompetensi Manajerial", "narasumber moderator"),
    ("Ir. Stevanus Lumintang, M.Eng.", "Badan Siber dan Sandi Negara (BSSN)",
     "Sandiman Ahli Madya", "narasumber"),
    ("Dr. Dewi Anggraini Putri, S.Psi., M.Psi., Psikolog", "Universitas Indonesia",
     "Dosen Psikologi Industri dan Organisasi", "narasumber"),
    ("Dr. H. Ahmad Zaki Mubarak, Lc., M.A.", "Kementerian Agama",
     "Widyaiswara Ahli Utama, Pusdiklat Tenaga Administrasi", "narasumber"),
    ("Dr. Wahyu Setiawan, S.E., Ak., M.Acc.", "Komisi Pemberantasan Korupsi (KPK)",
     "Penyuluh Antikorupsi Ahli Madya", "narasumber"),
    ("Dra. Endang Sulistyowati, M.Si.", "BPSDM Provinsi Jawa Tengah",
     "Widyaiswara Ahli Utama", "narasumber moderator"),
    ("Dr. Fransiskus Xaverius Manafe, S.Sos., M.AP.", "Universitas Nusa Cendana",
     "Dosen Administrasi Publik", "narasumber"),
    ("Dr. Ratna Juwita Sari, S.T., M.P.P.", "Kementerian PPN/Bappenas",
     "Perencana Ahli Madya", "narasumber"),
    ("Prof. Dr. Ir. Hadi Susilo Wibowo, M.Sc.", "Institut Teknologi Bandung",
     "Guru Besar Sistem dan Teknologi Informasi", "keynote narasumber"),
    ("Dr. Yosias Rumbiak, S.Sos., M.Si.", "BPSDM Provinsi Papua", "Widyaiswara Ahli Madya",
     "narasumber moderator"),
    ("Dr. Lestari Handayani, S.H., M.Kn.", "Ombudsman Republik Indonesia",
     "Asisten Ombudsman", "narasumber"),
    ("Prof. Dr. Teuku Reza Mahdi, M.A.", "Universitas Syiah Kuala",
     "Guru Besar Ilmu Politik", "keynote narasumber"),
    ("Novita Wowor, S.E., M.Si.", "BPSDM Provinsi Sulawesi Utara",
     "Widyaiswara Ahli Muda", "moderator"),
    ("Rizky Pratama Nasution, S.I.Kom., M.I.Kom.", "BPSDM Provinsi Jawa Barat",
     "Pranata Hubungan Masyarakat Ahli Muda", "moderator"),
)
DEMO_SPEAKER = ("Dr. Nurul Hidayah, S.Sos., M.Si.", "BPSDM Provinsi Jawa Timur",
                "Widyaiswara Ahli Madya")
# 2022 episodes the demo speaker presents (plus the last recent and the first upcoming).
DEMO_SPEAKER_SEASON = (8, 28)
# 2022 episodes the demo participant attends fully (10 x 3 JP), and one where they missed
# the closing check-in (no credit).
DEMO_PARTICIPANT_SEASON = (1, 2, 5, 8, 12, 18, 23, 30, 37, 44)
DEMO_PARTICIPANT_PARTIAL = 41

# --- places and agencies ---------------------------------------------------------------

WITA = {"Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Selatan",
        "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara", "Gorontalo",
        "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara"}
WIT = {"Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya",
       "Papua Selatan", "Papua Tengah", "Papua Pegunungan"}
# Roughly the ASN population per province (millions of residents), flattened below so the
# small provinces still show up.
PROVINCE_WEIGHT = {
    "Aceh": 5.4, "Sumatera Utara": 15.4, "Sumatera Barat": 5.7, "Riau": 6.7,
    "Kepulauan Riau": 2.1, "Jambi": 3.6, "Sumatera Selatan": 8.7,
    "Kepulauan Bangka Belitung": 1.5, "Bengkulu": 2.1, "Lampung": 9.2, "DKI Jakarta": 10.7,
    "Jawa Barat": 49.9, "Banten": 12.4, "Jawa Tengah": 37.5, "DI Yogyakarta": 3.7,
    "Jawa Timur": 41.4, "Bali": 4.4, "Nusa Tenggara Barat": 5.5, "Nusa Tenggara Timur": 5.5,
    "Kalimantan Barat": 5.5, "Kalimantan Tengah": 2.7, "Kalimantan Selatan": 4.2,
    "Kalimantan Timur": 3.9, "Kalimantan Utara": 0.7, "Sulawesi Utara": 2.7,
    "Gorontalo": 1.2, "Sulawesi Tengah": 3.1, "Sulawesi Barat": 1.5,
    "Sulawesi Selatan": 9.4, "Sulawesi Tenggara": 2.7, "Maluku": 1.9, "Maluku Utara": 1.3,
    "Papua": 1.1, "Papua Barat": 0.6, "Papua Barat Daya": 0.6, "Papua Selatan": 0.5,
    "Papua Tengah": 1.4, "Papua Pegunungan": 1.4,
}
# A few kabupaten/kota per province, used when the reference list is not available.
REGENCIES = {
    "Aceh": ("Kota Banda Aceh", "Kabupaten Aceh Besar", "Kota Lhokseumawe",
             "Kabupaten Pidie", "Kabupaten Aceh Utara"),
    "Sumatera Utara": ("Kota Medan", "Kabupaten Deli Serdang", "Kota Pematangsiantar",
                       "Kabupaten Toba", "Kabupaten Karo"),
    "Sumatera Barat": ("Kota Padang", "Kota Bukittinggi", "Kabupaten Agam",
                       "Kabupaten Tanah Datar"),
    "Riau": ("Kota Pekanbaru", "Kota Dumai", "Kabupaten Kampar", "Kabupaten Siak"),
    "Kepulauan Riau": ("Kota Batam", "Kota Tanjungpinang", "Kabupaten Bintan",
                       "Kabupaten Karimun"),
    "Jambi": ("Kota Jambi", "Kabupaten Muaro Jambi", "Kabupaten Kerinci", "Kabupaten Bungo"),
    "Sumatera Selatan": ("Kota Palembang", "Kabupaten Ogan Komering Ilir",
                         "Kota Prabumulih", "Kabupaten Muara Enim"),
    "Kepulauan Bangka Belitung": ("Kota Pangkalpinang", "Kabupaten Bangka",
                                  "Kabupaten Belitung", "Kabupaten Bangka Barat"),
    "Bengkulu": ("Kota Bengkulu", "Kabupaten Rejang Lebong", "Kabupaten Bengkulu Utara",
                 "Kabupaten Mukomuko"),
    "Lampung": ("Kota Bandar Lampung", "Kota Metro", "Kabupaten Lampung Selatan",
                "Kabupaten Lampung Tengah", "Kabupaten Pringsewu"),
    "DKI Jakarta": (),
    "Jawa Barat": ("Kota Bandung", "Kabupaten Bandung", "Kota Bekasi", "Kabupaten Bogor",
                   "Kota Depok", "Kota Cirebon", "Kabupaten Garut"),
    "Banten": ("Kota Serang", "Kota Tangerang", "Kota Tangerang Selatan",
               "Kabupaten Pandeglang", "Kabupaten Lebak"),
    "Jawa Tengah": ("Kota Semarang", "Kota Surakarta", "Kabupaten Banyumas",
                    "Kabupaten Klaten", "Kabupaten Kudus", "Kota Magelang"),
    "DI Yogyakarta": ("Kota Yogyakarta", "Kabupaten Sleman", "Kabupaten Bantul",
                      "Kabupaten Gunungkidul", "Kabupaten Kulon Progo"),
    "Jawa Timur": ("Kota Surabaya", "Kota Malang", "Kabupaten Sidoarjo",
                   "Kabupaten Banyuwangi", "Kabupaten Jember", "Kota Kediri"),
    "Bali": ("Kota Denpasar", "Kabupaten Badung", "Kabupaten Gianyar", "Kabupaten Buleleng",
             "Kabupaten Tabanan"),
    "Nusa Tenggara Barat": ("Kota Mataram", "Kabupaten Lombok Barat",
                            "Kabupaten Lombok Timur", "Kabupaten Sumbawa", "Kota Bima"),
    "Nusa Tenggara Timur": ("Kota Kupang", "Kabupaten Kupang", "Kabupaten Manggarai Barat",
                            "Kabupaten Sikka", "Kabupaten Sumba Timur"),
    "Kalimantan Barat": ("Kota Pontianak", "Kota Singkawang", "Kabupaten Kubu Raya",
                         "Kabupaten Sambas", "Kabupaten Ketapang"),
    "Kalimantan Tengah": ("Kota Palangka Raya", "Kabupaten Kotawaringin Timur",
                          "Kabupaten Kotawaringin Barat", "Kabupaten Kapuas"),
    "Kalimantan Selatan": ("Kota Banjarmasin", "Kota Banjarbaru", "Kabupaten Banjar",
                           "Kabupaten Tabalong"),
    "Kalimantan Timur": ("Kota Samarinda", "Kota Balikpapan", "Kota Bontang",
                         "Kabupaten Kutai Kartanegara", "Kabupaten Berau"),
    "Kalimantan Utara": ("Kota Tarakan", "Kabupaten Bulungan", "Kabupaten Nunukan",
                         "Kabupaten Malinau"),
    "Sulawesi Utara": ("Kota Manado", "Kota Bitung", "Kota Tomohon", "Kabupaten Minahasa"),
    "Gorontalo": ("Kota Gorontalo", "Kabupaten Gorontalo", "Kabupaten Bone Bolango",
                  "Kabupaten Pohuwato"),
    "Sulawesi Tengah": ("Kota Palu", "Kabupaten Poso", "Kabupaten Banggai",
                        "Kabupaten Donggala"),
    "Sulawesi Barat": ("Kabupaten Mamuju", "Kabupaten Majene", "Kabupaten Polewali Mandar",
                       "Kabupaten Mamasa"),
    "Sulawesi Selatan": ("Kota Makassar", "Kota Parepare", "Kabupaten Gowa",
                         "Kabupaten Bone", "Kabupaten Maros"),
    "Sulawesi Tenggara": ("Kota Kendari", "Kota Baubau", "Kabupaten Konawe",
                          "Kabupaten Kolaka"),
    "Maluku": ("Kota Ambon", "Kota Tual", "Kabupaten Maluku Tengah",
               "Kabupaten Seram Bagian Barat"),
    "Maluku Utara": ("Kota Ternate", "Kota Tidore Kepulauan", "Kabupaten Halmahera Utara",
                     "Kabupaten Halmahera Barat"),
    "Papua": ("Kota Jayapura", "Kabupaten Jayapura", "Kabupaten Biak Numfor",
              "Kabupaten Keerom"),
    "Papua Barat": ("Kabupaten Manokwari", "Kabupaten Fakfak", "Kabupaten Kaimana",
                    "Kabupaten Teluk Bintuni"),
    "Papua Barat Daya": ("Kota Sorong", "Kabupaten Sorong", "Kabupaten Raja Ampat",
                         "Kabupaten Sorong Selatan"),
    "Papua Selatan": ("Kabupaten Merauke", "Kabupaten Boven Digoel", "Kabupaten Mappi",
                      "Kabupaten Asmat"),
    "Papua Tengah": ("Kabupaten Nabire", "Kabupaten Mimika", "Kabupaten Paniai",
                     "Kabupaten Dogiyai"),
    "Papua Pegunungan": ("Kabupaten Jayawijaya", "Kabupaten Lanny Jaya",
                         "Kabupaten Tolikara", "Kabupaten Yahukimo"),
}
# National agencies: (name, kind, weight, central units, vertical office in a province).
NATIONAL: tuple[tuple[str, str, int, tuple[str, ...], str | None], ...] = (
    ("Kementerian Dalam Negeri", "kementerian", 6,
     ("Sekretariat Jenderal", "Direktorat Jenderal Otonomi Daerah",
      "Direktorat Jenderal Bina Keuangan Daerah", "Inspektorat Jenderal"), None),
    ("Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "kementerian", 3,
     ("Sekretariat Kementerian", "Deputi Bidang Sumber Daya Manusia Aparatur",
      "Deputi Bidang Pelayanan Publik"), None),
    ("Kementerian Keuangan", "kementerian", 8,
     ("Sekretariat Jenderal", "Direktorat Jenderal Anggaran",
      "Badan Pendidikan dan Pelatihan Keuangan"),
     "Kantor Wilayah Direktorat Jenderal Perbendaharaan Provinsi {province}"),
    ("Kementerian Agama", "kementerian", 9,
     ("Sekretariat Jenderal", "Direktorat Jenderal Pendidikan Islam",
      "Badan Moderasi Beragama dan Pengembangan SDM"),
     "Kantor Wilayah Kementerian Agama Provinsi {province}"),
    ("Kementerian Hukum", "kementerian", 4,
     ("Sekretariat Jenderal", "Badan Pembinaan Hukum Nasional"),
     "Kantor Wilayah Kementerian Hukum {province}"),
    ("Kementerian Kesehatan", "kementerian", 5,
     ("Sekretariat Jenderal", "Direktorat Jenderal Kesehatan Primer dan Komunitas",
      "Badan Kebijakan Pembangunan Kesehatan"), None),
    ("Kementerian Pendidikan Dasar dan Menengah", "kementerian", 4,
     ("Sekretariat Jenderal", "Direktorat Jenderal Guru, Tenaga Kependidikan, dan "
      "Pendidikan Guru"),
     "Balai Penjaminan Mutu Pendidikan Provinsi {province}"),
    ("Kementerian Sosial", "kementerian", 2,
     ("Sekretariat Jenderal", "Direktorat Jenderal Rehabilitasi Sosial"), None),
    ("Kementerian Pertanian", "kementerian", 3,
     ("Sekretariat Jenderal", "Badan Penyuluhan dan Pengembangan SDM Pertanian"), None),
    ("Kementerian Perencanaan Pembangunan Nasional/Badan Perencanaan Pembangunan Nasional",
     "kementerian", 2, ("Sekretariat Kementerian", "Deputi Bidang Pembangunan Daerah"), None),
    ("Kementerian Komunikasi dan Digital", "kementerian", 2,
     ("Sekretariat Jenderal", "Direktorat Jenderal Teknologi Pemerintah Digital"), None),
    ("Badan Kepegawaian Negara", "lembaga", 4,
     ("Deputi Bidang Mutasi dan Status Kepegawaian", "Pusat Pengembangan ASN",
      "Direktorat Kinerja ASN"), None),
    ("Lembaga Administrasi Negara", "lembaga", 3,
     ("Deputi Bidang Penyelenggaraan Pengembangan Kompetensi",
      "Pusat Pembelajaran dan Strategi Kebijakan Manajemen Pemerintahan"), None),
    ("Badan Pusat Statistik", "lembaga", 5,
     ("Deputi Bidang Statistik Sosial", "Direktorat Diseminasi Statistik"),
     "BPS Provinsi {province}"),
    ("Badan Pengawasan Keuangan dan Pembangunan", "lembaga", 3,
     ("Deputi Bidang Akuntabilitas Keuangan Pembangunan", "Pusat Pendidikan dan Pelatihan "
      "Pengawasan"), "Perwakilan BPKP Provinsi {province}"),
    ("Badan Pemeriksa Keuangan Republik Indonesia", "lembaga", 2,
     ("Sekretariat Jenderal", "Auditorat Utama Keuangan Negara I"),
     "BPK Perwakilan Provinsi {province}"),
    ("Badan Riset dan Inovasi Nasional", "lembaga", 2,
     ("Sekretariat Utama", "Deputi Bidang Riset dan Inovasi Daerah"), None),
    ("Arsip Nasional Republik Indonesia", "lembaga", 1,
     ("Deputi Bidang Pembinaan Kearsipan",), None),
    ("Badan Nasional Penanggulangan Bencana", "lembaga", 1,
     ("Deputi Bidang Pencegahan", "Pusat Pendidikan dan Pelatihan"), None),
    ("Ombudsman Republik Indonesia", "lembaga", 1, ("Sekretariat Jenderal",),
     "Ombudsman RI Perwakilan Provinsi {province}"),
)
PROVINCE_UNITS = (
    "Sekretariat Daerah", "Badan Kepegawaian Daerah", "Badan Pengembangan Sumber Daya Manusia",
    "Badan Perencanaan Pembangunan Daerah", "Inspektorat", "Dinas Pendidikan",
    "Dinas Kesehatan", "Dinas Komunikasi dan Informatika",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Badan Pengelolaan Keuangan dan Aset Daerah", "Dinas Sosial",
    "Dinas Pekerjaan Umum dan Penataan Ruang", "Badan Pendapatan Daerah",
    "Dinas Perhubungan", "Dinas Lingkungan Hidup", "Sekretariat DPRD",
)
REGENCY_UNITS = (
    "Sekretariat Daerah", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Perencanaan Pembangunan, Riset, dan Inovasi Daerah", "Inspektorat Daerah",
    "Dinas Pendidikan dan Kebudayaan", "Dinas Kesehatan",
    "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Komunikasi dan Informatika",
    "Dinas Pertanian dan Ketahanan Pangan", "Dinas Sosial",
    "Badan Keuangan dan Aset Daerah", "Dinas Penanaman Modal dan PTSP",
    "Dinas Pemberdayaan Masyarakat dan Desa", "Sekretariat DPRD",
    "Badan Penanggulangan Bencana Daerah", "Satuan Polisi Pamong Praja",
)
NATIONAL_GENERIC_UNITS = ("Sekretariat Utama", "Biro Sumber Daya Manusia",
                          "Inspektorat Utama", "Pusat Data dan Informasi")

# --- people ----------------------------------------------------------------------------

# region -> (male first names, female first names, male last names, female last names)
NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    "jawa": (
        ("Agus", "Budi", "Eko", "Joko", "Bambang", "Hadi", "Wahyu", "Dwi", "Tri", "Slamet",
         "Sigit", "Teguh", "Yudi", "Arif", "Rudi", "Heru", "Bayu", "Fajar", "Galih",
         "Aditya", "Dimas", "Yoga", "Anton", "Hendro", "Rizky"),
        ("Sri", "Endang", "Dewi", "Rina", "Wulan", "Ratna", "Sari", "Yuni", "Lestari",
         "Ayu", "Retno", "Fitri", "Indah", "Novi", "Nur", "Putri", "Anisa", "Diah",
         "Kartika", "Tri", "Dwi"),
        ("Setiawan", "Santoso", "Prasetyo", "Wibowo", "Susanto", "Nugroho", "Purnomo",
         "Kurniawan", "Saputro", "Hidayat", "Suryanto", "Widodo", "Wicaksono", "Pratama",
         "Gunawan", "Raharjo", "Sulistyo", "Hartono", "Mulyono", "Firmansyah"),
        ("Wahyuni", "Lestari", "Rahayu", "Susanti", "Handayani", "Kusumawati", "Wulandari",
         "Puspitasari", "Rahmawati", "Sulistyowati", "Anggraini", "Pratiwi",
         "Permatasari", "Suryani", "Utami", "Ningsih", "Setyaningsih", "Purwaningsih"),
    ),
    "sunda": (
        ("Asep", "Dede", "Ujang", "Cecep", "Dadang", "Yayan", "Deden", "Iwan", "Rahmat",
         "Ridwan", "Yusuf", "Dani", "Hendra", "Rendi", "Agus"),
        ("Euis", "Neneng", "Siti", "Lilis", "Nining", "Yeni", "Rina", "Dewi", "Wida",
         "Nurul", "Intan", "Rini", "Neng"),
        ("Sunarya", "Hidayat", "Permana", "Suryadi", "Ruhiyat", "Saepudin", "Kusnadi",
         "Firmansyah", "Nugraha", "Mulyana", "Gumelar", "Sopandi", "Rukmana"),
        ("Nurhayati", "Rosmiati", "Kurniasih", "Komalasari", "Sumiati", "Maryani",
         "Nurjanah", "Apriliani", "Mulyani", "Herawati"),
    ),
    "batak": (
        ("Togar", "Lamhot", "Roy", "Daniel", "Parlindungan", "Hotman", "Martua", "Fernando",
         "Jonathan", "Rudi", "Samuel", "Benny", "Muhammad", "Ahmad"),
        ("Maria", "Ria", "Rosmawati", "Sarah", "Friska", "Lasma", "Debora", "Yohana",
         "Elisabeth", "Nova", "Rotua", "Grace", "Nurhalimah"),
        ("Siregar", "Simanjuntak", "Nasution", "Harahap", "Lubis", "Sitompul", "Hutapea",
         "Panjaitan", "Sinaga", "Pardede", "Situmorang", "Simatupang", "Tambunan",
         "Manurung", "Sihombing", "Damanik", "Saragih", "Ginting", "Tarigan", "Sembiring",
         "Hasibuan"),
        ("Siregar", "Simanjuntak", "Nasution", "Harahap", "Lubis", "Sitompul", "Hutapea",
         "Panjaitan", "Sinaga", "Pardede", "Situmorang", "Simatupang", "Tambunan",
         "Manurung", "Sihombing", "Damanik", "Saragih", "Ginting", "Tarigan", "Sembiring"),
    ),
    "melayu": (
        ("Muhammad", "Ahmad", "Zulkifli", "Rizal", "Syahrul", "Hamdani", "Fauzi", "Rahmat",
         "Irwan", "Andri", "Hendri", "Yudha", "Taufik", "Khairul", "Azhar", "Teuku",
         "Iskandar", "Munawar"),
        ("Nurul", "Siti", "Rahmi", "Yulia", "Fitriani", "Mega", "Nurhasanah", "Zahara",
         "Aisyah", "Rizka", "Putri", "Maya", "Hafizah", "Cut", "Syarifah"),
        ("Syahputra", "Effendi", "Hasan", "Ibrahim", "Yusuf", "Abdullah", "Ismail", "Rahman",
         "Harun", "Saputra", "Hamzah", "Syarif", "Zainal", "Fadli"),
        ("Ramadhani", "Safitri", "Maharani", "Oktaviani", "Amalia", "Syafitri", "Fitriana",
         "Yanti", "Marlina", "Rosita", "Zuhra"),
    ),
    "minang": (
        ("Rahmat", "Fauzan", "Rizki", "Ikhsan", "Afrizal", "Hendra", "Zulhendri", "Fadhli",
         "Irfan", "Yoserizal", "Andika"),
        ("Yulia", "Rahmi", "Vivi", "Mardiah", "Yusnita", "Desi", "Rosmaniar", "Fitri",
         "Elvira", "Susi"),
        ("Putra", "Syukri", "Zulkarnain", "Yunus", "Malik", "Arifin", "Anwar", "Hamid",
         "Marzuki"),
        ("Yanti", "Elfira", "Marni", "Novita", "Asmita", "Yulisna", "Hayati"),
    ),
    "bugis": (
        ("Andi", "Muh.", "Muhammad", "Abdul", "Syamsul", "Arman", "Irwan", "Ashar", "Hasbi",
         "Baso", "Fadli"),
        ("Andi", "Sitti", "Nurhayati", "Hasnah", "Nurul", "Mardiana", "Sri", "Hasmawati",
         "Rosdiana", "Fatmawati"),
        ("Rahman", "Hamzah", "Amir", "Latif", "Syam", "Mappa", "Saleh", "Ismail", "Rasyid",
         "Tahir", "Halim", "Akbar", "Mustafa"),
        ("Sari", "Wahyuni", "Amalia", "Hasanah", "Nurdin", "Halimah", "Asriani", "Ramlah",
         "Jumriani", "Nurhaedah"),
    ),
    "minahasa": (
        ("Jefry", "Stevanus", "Frangky", "Ronald", "Jemmy", "Hendrik", "Marthen", "Alfrits",
         "Johny", "Reinhard"),
        ("Novita", "Meiske", "Jeane", "Olvie", "Stella", "Vivian", "Grace", "Christie",
         "Feibe", "Shinta"),
        ("Rumondor", "Lumintang", "Wowor", "Tumbelaka", "Sondakh", "Mandagi", "Pangemanan",
         "Rompas", "Lengkong", "Mamahit", "Kalalo", "Tumewu", "Rumengan", "Supit",
         "Karundeng"),
        ("Rumondor", "Lumintang", "Wowor", "Tumbelaka", "Sondakh", "Mandagi", "Pangemanan",
         "Rompas", "Lengkong", "Mamahit", "Kalalo", "Tumewu", "Rumengan", "Supit"),
    ),
    "gorontalo": (
        ("Mohamad", "Rahmat", "Ismail", "Hasan", "Yusuf", "Ardin", "Ronal", "Sofyan"),
        ("Nurhayati", "Sitti", "Fitriani", "Yulan", "Sri", "Rahmawati", "Nurain"),
        ("Pakaya", "Mohi", "Hulopi", "Lamato", "Daud", "Ibrahim", "Katili", "Gobel",
         "Abdullah", "Datau", "Hasiru"),
        ("Pakaya", "Mohi", "Hulopi", "Lamato", "Daud", "Ibrahim", "Katili", "Abdullah",
         "Datau"),
    ),
    "bali": (
        ("I Wayan", "I Made", "I Nyoman", "I Ketut", "I Gede", "I Putu", "I Komang",
         "I Kadek"),
        ("Ni Luh", "Ni Made", "Ni Wayan", "Ni Nyoman", "Ni Ketut", "Ni Putu", "Ni Komang",
         "Ni Kadek"),
        ("Suardana", "Wirawan", "Sudiarta", "Artawan", "Arsana", "Sujana", "Wiratama",
         "Budiasa", "Adnyana", "Suparta", "Mahendra"),
        ("Sari", "Astuti", "Pradnyani", "Ariani", "Sukmawati", "Lestari", "Suryani",
         "Widiastuti", "Purnamasari", "Ayu Wulandari"),
    ),
    "nusa_tenggara": (
        ("Lalu", "Muhammad", "Zainul", "Ahmad", "Sahnan", "Hairul", "Saiful", "Junaidi",
         "Yohanes", "Fransiskus", "Petrus", "Yosef", "Agustinus", "Stefanus"),
        ("Baiq", "Siti", "Nurul", "Rabiatul", "Hikmah", "Maria", "Agustina", "Yuliana",
         "Theresia", "Veronika", "Katarina", "Florentina"),
        ("Hamdi", "Zainuddin", "Muhsin", "Ramli", "Ihsan", "Wardi", "Manafe", "Fanggidae",
         "Ndun", "Toelle", "Nenobais", "Seran", "Nahak", "Tefa", "Bria", "da Costa",
         "Dethan", "Pello", "Wangge"),
        ("Hartini", "Nurhidayati", "Hasanah", "Aini", "Maulida", "Manafe", "Fanggidae",
         "Ndun", "Toelle", "Seran", "Nahak", "Tefa", "Bria", "da Costa", "Dethan"),
    ),
    "banjar": (
        ("Muhammad", "Ahmad", "Rahmadi", "Syarifuddin", "Hairil", "Gusti", "Rusdi", "Fahmi",
         "Yansen", "Agustinus"),
        ("Siti", "Noor", "Rusmiati", "Hairani", "Nurul", "Dina", "Rahmah", "Yuliana"),
        ("Noor", "Rahman", "Arsyad", "Hairudin", "Fauzi", "Anshari", "Rifani",
         "Hidayatullah"),
        ("Hayati", "Rahmah", "Fitriani", "Zakiah", "Mahmudah", "Hairunnisa"),
    ),
    "maluku": (
        ("Yohanis", "Marthen", "Johanis", "Abraham", "Frans", "Ricky", "Daniel", "Melky",
         "Ismail", "Rizal"),
        ("Yuliana", "Elisabeth", "Sarah", "Febby", "Meilany", "Hanna", "Fatima", "Rahma"),
        ("Latuconsina", "Tuhuteru", "Sahetapy", "Pattiasina", "Lekatompessy",
         "Leiwakabessy", "Tanamal", "Latupeirissa", "Wattimena", "Tuasikal", "Ohorella",
         "Sopacua", "Pattinama", "Umasugi", "Sangadji"),
        ("Latuconsina", "Tuhuteru", "Sahetapy", "Pattiasina", "Lekatompessy", "Tanamal",
         "Wattimena", "Tuasikal", "Ohorella", "Sopacua", "Umasugi"),
    ),
    "papua": (
        ("Yosias", "Mathius", "Yohanes", "Nataniel", "Frans", "Obed", "Yulianus", "Markus",
         "Elias", "Yakob"),
        ("Yohana", "Maria", "Ribka", "Mince", "Yuliana", "Naomi", "Selvi", "Lince",
         "Debora", "Agustina"),
        ("Wenda", "Kogoya", "Tabuni", "Rumbiak", "Mandowen", "Wanggai", "Yoku", "Kambu",
         "Rumkorem", "Wonda", "Murib", "Karubaba", "Ayomi", "Sawaki", "Mofu", "Wetipo",
         "Gebze", "Mahuze", "Pekei", "Douw", "Tebay"),
        ("Wenda", "Kogoya", "Tabuni", "Rumbiak", "Mandowen", "Wanggai", "Yoku", "Kambu",
         "Wonda", "Karubaba", "Ayomi", "Sawaki", "Mofu", "Gebze", "Mahuze", "Pekei"),
    ),
}
REGION_OF = {
    "Aceh": "melayu", "Sumatera Utara": "batak", "Sumatera Barat": "minang",
    "Riau": "melayu", "Kepulauan Riau": "melayu", "Jambi": "melayu",
    "Sumatera Selatan": "melayu", "Kepulauan Bangka Belitung": "melayu",
    "Bengkulu": "melayu", "Lampung": "jawa", "DKI Jakarta": "jawa", "Jawa Barat": "sunda",
    "Banten": "sunda", "Jawa Tengah": "jawa", "DI Yogyakarta": "jawa", "Jawa Timur": "jawa",
    "Bali": "bali", "Nusa Tenggara Barat": "nusa_tenggara",
    "Nusa Tenggara Timur": "nusa_tenggara", "Kalimantan Barat": "melayu",
    "Kalimantan Tengah": "banjar", "Kalimantan Selatan": "banjar",
    "Kalimantan Timur": "banjar", "Kalimantan Utara": "melayu", "Sulawesi Utara": "minahasa",
    "Gorontalo": "gorontalo", "Sulawesi Tengah": "bugis", "Sulawesi Barat": "bugis",
    "Sulawesi Selatan": "bugis", "Sulawesi Tenggara": "bugis", "Maluku": "maluku",
    "Maluku Utara": "maluku", "Papua": "papua", "Papua Barat": "papua",
    "Papua Barat Daya": "papua", "Papua Selatan": "papua", "Papua Tengah": "papua",
    "Papua Pegunungan": "papua",
}
# Academic titles that go with a job (first match on the start of the jabatan).
DEGREES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Guru", "Pengawas Sekolah"), (", S.Pd.", ", S.Pd.", ", S.Pd., M.Pd.", ", S.Pd.I.")),
    (("Perawat",), (", S.Kep., Ners", ", A.Md.Kep.")),
    (("Bidan",), (", A.Md.Keb.", ", S.Tr.Keb.")),
    (("Analis Hukum",), (", S.H.", ", S.H., M.H.")),
    (("Pranata Komputer", "Penata Kelola Sistem"), (", S.Kom.", ", S.T., M.Kom.")),
    (("Statistisi",), (", S.Si.", ", S.Stat.")),
    (("Auditor", "Analis Keuangan", "Analis Anggaran"),
     (", S.E., Ak.", ", S.Ak.", ", S.E., M.Ak.")),
    (("Penyuluh Pertanian",), (", S.P.", ", S.P., M.Si.")),
    (("",), (", S.E.", ", S.Sos.", ", S.IP.", ", S.AP.", ", S.H.", ", S.T.", ", S.E., M.M.",
             ", S.IP., M.Si.", ", S.Sos., M.AP.", ", S.KM.")),
)
PNS_RANKS = (  # by years of service since the TMT CPNS
    (0, "Penata Muda (III/a)"), (4, "Penata Muda Tingkat I (III/b)"), (8, "Penata (III/c)"),
    (12, "Penata Tingkat I (III/d)"), (16, "Pembina (IV/a)"),
    (22, "Pembina Tingkat I (IV/b)"),
)
FUNCTIONAL_JOBS = (
    "Analis Kebijakan", "Analis SDM Aparatur", "Pranata Komputer", "Perencana", "Auditor",
    "Arsiparis", "Pengelola Pengadaan Barang/Jasa", "Pranata Hubungan Masyarakat",
    "Statistisi", "Analis Hukum", "Analis Keuangan Pusat dan Daerah", "Widyaiswara",
    "Penyuluh Pertanian", "Perawat", "Dokter", "Guru", "Pekerja Sosial", "Pengawas Sekolah",
    "Analis Anggaran", "Penata Kelola Sistem dan Teknologi Informasi",
)
OFFICE_JOBS = tuple(j for j in FUNCTIONAL_JOBS if j not in ("Guru", "Perawat", "Dokter"))
HEALTH_JOBS = ("Perawat", "Dokter", "Bidan")
CLERICAL_JOBS = ("Penata Layanan Operasional", "Pengadministrasi Perkantoran",
                 "Pengolah Data dan Informasi", "Penelaah Teknis Kebijakan",
                 "Pengelola Layanan Operasional")
SUPERVISOR_JOBS = ("Kepala Subbagian Umum dan Kepegawaian", "Kepala Seksi Pelayanan",
                   "Kepala Subbagian Perencanaan dan Keuangan", "Kepala Seksi Pengembangan")
MANAGER_JOBS = ("Kepala Bidang Pengembangan Kompetensi", "Kepala Bagian Umum",
                "Kepala Bidang Perencanaan", "Sekretaris", "Kepala Bidang Pelayanan")
PPPK_JOBS = (  # (jabatan, golongan), teachers first: most PPPK are teachers
    ("Guru Ahli Pertama", "Golongan IX"), ("Guru Ahli Pertama", "Golongan IX"),
    ("Guru Ahli Pertama", "Golongan IX"), ("Perawat Ahli Pertama", "Golongan IX"),
    ("Bidan Terampil", "Golongan VII"), ("Penyuluh Pertanian Ahli Pertama", "Golongan IX"),
    ("Pranata Komputer Ahli Pertama", "Golongan IX"), ("Dokter Ahli Pertama", "Golongan X"),
    ("Analis SDM Aparatur Ahli Pertama", "Golongan IX"),
    ("Penata Layanan Operasional", "Golongan VII"),
)
NON_ASN_JOBS = ("Tenaga Pendukung Administrasi", "Tenaga Harian Lepas", "Tenaga Ahli",
                "Operator Layanan", "Pegawai Kontrak")
PHONE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "857", "858", "877",
                  "878", "896")
COMMENTS = (
    "Materinya sangat aplikatif untuk pekerjaan sehari-hari.",
    "Narasumber menyampaikan dengan jelas dan menarik. Terima kasih BPSDM.",
    "Mohon bahan tayang dibagikan setelah acara.",
    "Durasi tanya jawab sebaiknya ditambah.",
    "Sangat bermanfaat, semoga ada seri lanjutan dengan studi kasus.",
    "Koneksi Zoom sempat terputus, untung ada siaran ulang di YouTube.",
    "Topik yang relevan dengan kebutuhan instansi kami.",
    "Contoh praktik dari daerah sangat menginspirasi.",
)


# --- entry points ----------------------------------------------------------------------

def seed_demo(participants: int = 2000, echo: Callable[[str], object] = print) -> dict[str, int]:
    """Seed the demo (idempotent) and return the totals in the database afterwards."""
    clock = _Stopwatch(echo)
    if _seeded():
        added = _top_up_participants(participants, clock)
        if added:
            db.session.commit()
        else:
            echo("Demo data already present; nothing to do.")
        return demo_counts()

    rng = random.Random(RANDOM_SEED)
    now = now_utc()
    outbox_before = db.session.scalar(select(func.max(OutboxEmail.id))) or 0

    employers = _ensure_instansi(clock)
    demo = _ensure_demo_accounts(employers)
    db.session.commit()
    clock.lap("demo accounts")

    program = default_program()
    speakers = _ensure_speakers(demo.speaker_user_id)
    episodes = _ensure_episodes(program.id, _episode_plans(now, rng), speakers,
                                demo.organizer_id, rng)
    db.session.commit()
    clock.lap(f"{len(episodes)} episodes")

    people = _ensure_participants(participants, employers, rng, clock)
    db.session.commit()

    tiers = _activity_tiers(people, rng)
    past = [e for e in episodes if not e.upcoming]
    for item in past:
        _seed_past_episode(item, tiers, demo, rng)
    clock.lap(f"{len(past)} past episodes registered, checked in and finalized")

    for item in (e for e in episodes if e.upcoming):
        _seed_upcoming_episode(item, tiers, demo, rng, now)
    db.session.commit()
    clock.lap("upcoming registrations")

    _delete_seed_emails(outbox_before)
    counts = demo_counts()
    record_event(demo.organizer_id, SEED_MARKER, "program", program.id, after=counts)
    db.session.commit()
    clock.lap("done")
    return counts


def demo_counts() -> dict[str, int]:
    """Totals in the database (not only demo rows)."""
    reversal = aliased(LedgerEntry)

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {
        "episodes": count(Episode),
        "speakers": count(Speaker),
        "participants": count(User, User.role == "participant"),
        "registrations": count(Registration),
        "check_ins": count(CheckIn),
        "certificates": count(Certificate, Certificate.kind == "participant",
                              Certificate.revoked_at.is_(None)),
        "credits": count(LedgerEntry, LedgerEntry.kind == "episode_credit",
                         ~exists().where(reversal.reverses_id == LedgerEntry.id)),
    }


# --- steps -----------------------------------------------------------------------------

class _Stopwatch:
    def __init__(self, echo: Callable[[str], object]) -> None:
        self.echo = echo
        self.started = self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        self.echo(f"  {what} ({now - self.last:.1f} s, {now - self.started:.1f} s total)")
        self.last = now


def _seeded() -> bool:
    return db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == SEED_MARKER).limit(1)
    ) is not None


def _chunks(rows: Sequence[dict], size: int = CHUNK) -> Iterator[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _insert(model, rows: Sequence[dict]) -> None:
    table = model.__table__
    for chunk in _chunks(rows):
        db.session.execute(insert(table), list(chunk))


def _wib(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


# Agencies -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Employer:
    id: int
    name: str
    kind: str
    province: str | None
    place: str  # the town in school and hospital names
    units: tuple[str, ...]
    vertical: str | None = None  # national agencies: office name in a province
    weight: int = 1


@dataclass
class _Employers:
    regional: dict[str, list[_Employer]]  # province -> provinsi, kabupaten, kota
    national: list[_Employer]
    by_name: dict[str, _Employer]

    def places(self, province: str) -> list[str]:
        return [e.place for e in self.regional.get(province, ()) if e.kind != "provinsi"]


def _reference_loader() -> Callable[[], tuple[int, int]] | None:
    """``accounts.reference.load_instansi`` when that module exists in this version."""
    name = f"{__package__}.accounts.reference"
    if importlib.util.find_spec(name) is None:
        return None
    return getattr(importlib.import_module(name), "load_instansi", None)


def _province_government(province: str) -> str:
    return f"Pemerintah Provinsi {province}"


def _ensure_instansi(clock: _Stopwatch) -> _Employers:
    """Load the reference list when the code base ships one; otherwise add the agencies the
    demo needs as reference rows. Either way, employers are picked from the table."""
    load = _reference_loader()
    if load is not None:
        inserted, updated = load()
        clock.lap(f"reference instansi loaded ({inserted} added, {updated} updated)")
    else:
        wanted = [(n, k, None) for n, k, *_ in NATIONAL]
        for province in PROVINCES:
            wanted.append((_province_government(province), "provinsi", province))
            for regency in REGENCIES.get(province, ()):
                kind = "kota" if regency.startswith("Kota ") else "kabupaten"
                wanted.append((f"Pemerintah {regency}", kind, province))
        have = set(db.session.scalars(select(Instansi.name_key)))
        stamp = to_db(now_utc())
        rows = [{"name": n, "name_key": n.lower(), "kind": k, "code": None, "province": p,
                 "is_reference": True, "headcount": None, "created_at": stamp}
                for n, k, p in wanted if n.lower() not in have]
        _insert(Instansi, rows)
        clock.lap(f"{len(rows)} instansi added")
    return _read_employers()


def _read_employers() -> _Employers:
    canonical = {p.lower(): p for p in PROVINCES}
    national_meta = {name.lower(): (weight, units, vertical)
                     for name, _k, weight, units, vertical in NATIONAL}
    regional: dict[str, list[_Employer]] = {p: [] for p in PROVINCES}
    national: list[_Employer] = []
    rows = db.session.execute(
        select(Instansi.id, Instansi.name, Instansi.name_key, Instansi.kind, Instansi.province)
        .where(Instansi.is_reference.is_(True)).order_by(Instansi.id)
    ).all()
    for row in rows:
        province = canonical.get((row.province or "").lower())
        if row.kind in ("provinsi", "kabupaten", "kota") and province:
            if " Administrasi " in row.name:  # Jakarta's towns are not autonomous
                continue
            place = re.sub(r"^Pemerintah (Provinsi|Kabupaten|Kota) ", "", row.name)
            units = PROVINCE_UNITS if row.kind == "provinsi" else REGENCY_UNITS
            regional[province].append(
                _Employer(row.id, row.name, row.kind, province, place, units))
        elif row.name_key in national_meta:
            weight, units, vertical = national_meta[row.name_key]
            national.append(_Employer(row.id, row.name, row.kind, None, "Jakarta", units,
                                      vertical, weight))
    if not national:  # a reference list without any of the agencies above
        national = [_Employer(r.id, r.name, r.kind, None, "Jakarta", NATIONAL_GENERIC_UNITS)
                    for r in rows if r.kind in ("kementerian", "lembaga")][:20]
    by_name = {e.name: e for group in (*regional.values(), national) for e in group}
    return _Employers(regional=regional, national=national, by_name=by_name)


# Demo accounts --------------------------------------------------------------------------

@dataclass(frozen=True)
class _DemoAccounts:
    organizer_id: int
    speaker_user_id: int
    participant_id: int


def _ensure_demo_accounts(employers: _Employers) -> _DemoAccounts:
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
        instansi = west_java[0].name if west_java else _province_government("Jawa Barat")
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
    joined = to_db(_wib(date(2021, 11, 15), 10))
    for user in (organizer, speaker, participant):
        user.created_at = joined
    if participant.profile is not None:
        participant.profile.consent_at = joined
    db.session.flush()
    return _DemoAccounts(organizer.id, speaker.id, participant.id)


# Speakers and episodes ------------------------------------------------------------------

@dataclass(frozen=True)
class _SpeakerInfo:
    name: str
    institution: str
    roles: frozenset[str]


def _ensure_speakers(speaker_user_id: int) -> list[_SpeakerInfo]:
    infos = [_SpeakerInfo(n, i, frozenset(r.split())) for n, i, _p, r in SPEAKERS]
    known = set(db.session.scalars(select(Speaker.name)))
    for name, institution, position, _roles in SPEAKERS:
        if name not in known:
            db.session.add(Speaker(name=name, institution=institution, position=position,
                                   bio=f"{position}, {institution}."))
    name, institution, position = DEMO_SPEAKER
    if db.session.scalar(select(Speaker.id).where(Speaker.email == SPEAKER_EMAIL)) is None:
        db.session.add(Speaker(name=name, email=SPEAKER_EMAIL, user_id=speaker_user_id,
                               institution=institution, position=position,
                               bio=f"{position}, {institution}. Mengampu pelatihan "
                                   "kepemimpinan dan literasi digital ASN."))
    db.session.flush()
    return infos


@dataclass(frozen=True)
class _Plan:
    year: int
    number: int
    title: str
    competency_type: str
    day: date
    upcoming: bool
    capacity: int | None = None
    fraction: float = 0.0  # share of an average participant's chance to register
    demo_speaker: bool = False
    demo_participant: str | None = None  # "full", "partial" or None


@dataclass
class _Seeded:
    id: int
    plan: _Plan
    starts_at: datetime  # naive UTC, as stored
    ends_at: datetime
    registration_opens_at: datetime
    checkpoints: tuple[tuple[int, datetime, datetime], ...]  # (id, opens, closes)

    @property
    def upcoming(self) -> bool:
        return self.plan.upcoming


def _first_wednesday(year: int) -> date:
    first = date(year, 1, 1)
    return first + timedelta(days=(2 - first.weekday()) % 7)


def _wednesday_number(day: date) -> int:
    """Seri number of a weekly Wednesday episode: the how-manieth Wednesday of its year."""
    return (day - _first_wednesday(day.year)).days // 7 + 1


def _episode_plans(now: datetime, rng: random.Random) -> list[_Plan]:
    plans: list[_Plan] = []
    day = SEASON_START
    for number, (title, kind) in enumerate(SEASON_TITLES, start=1):
        while day in SEASON_SKIPPED:
            day += timedelta(weeks=1)
        # Interest grew through the season; a few large rooms were capped.
        fraction = min(0.25, rng.uniform(0.05, 0.16) * (0.8 + 0.5 * number / 46))
        demo = ("full" if number in DEMO_PARTICIPANT_SEASON
                else "partial" if number == DEMO_PARTICIPANT_PARTIAL else None)
        plans.append(_Plan(SEASON_YEAR, number, title, kind, day, upcoming=False,
                           capacity=10_000 if number % 10 == 0 else None, fraction=fraction,
                           demo_speaker=number in DEMO_SPEAKER_SEASON,
                           demo_participant=demo))
        day += timedelta(weeks=1)
    today = now.astimezone(WIB).date()
    this_wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
    days = [this_wednesday + timedelta(weeks=k)
            for k in (*range(-PAST_THIS_YEAR, 0), *range(1, UPCOMING + 1))]
    for index, (day, (title, kind)) in enumerate(zip(days, CURRENT_TITLES, strict=False)):
        upcoming = index >= PAST_THIS_YEAR
        plans.append(_Plan(
            day.year, _wednesday_number(day), title, kind, day, upcoming=upcoming,
            capacity=LIMITED_CAPACITY if index == PAST_THIS_YEAR + 2 else None,
            fraction=rng.uniform(0.02, 0.06) if upcoming else rng.uniform(0.08, 0.18),
            demo_speaker=index in (PAST_THIS_YEAR - 1, PAST_THIS_YEAR),
            demo_participant="full" if index in (0, 1, PAST_THIS_YEAR, PAST_THIS_YEAR + 1)
            else None,
        ))
    return plans


def _publish(episode: Episode, organizer_id: int) -> None:
    publish_episode(episode, organizer_id)
    episode.published_at = episode.registration_opens_at


def _summary(plan: _Plan) -> str:
    return (
        f"ASN Belajar Seri {plan.number} Tahun {plan.year} membahas \"{plan.title}\". "
        f"Webinar pengembangan kompetensi {COMPETENCY_LABELS[plan.competency_type]} ini "
        "terbuka bagi seluruh ASN dan masyarakat umum; peserta yang mengisi presensi awal "
        f"dan akhir memperoleh e-sertifikat dan {EPISODE_JP} JP."
    )


def _youtube(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "https://www.youtube.com/watch?v=" + "".join(rng.choice(alphabet) for _ in range(11))


def _pick_speakers(plan: _Plan, speakers: list[_SpeakerInfo],
                   rng: random.Random) -> list[tuple[str, str | None, str]]:
    """[(name, email, role)] in running order: keynote, narasumber, moderator."""
    chosen: list[tuple[str, str | None, str]] = []
    used: set[str] = set()

    def take(role: str) -> None:
        pool = [s for s in speakers if role in s.roles and s.name not in used]
        pick = rng.choice(pool)
        used.add(pick.name)
        chosen.append((pick.name, None, role))

    presenters = 2 if rng.random() < 0.3 else 1
    if rng.random() < 0.15 and presenters == 1:
        take("keynote")
    if plan.demo_speaker:
        chosen.append((DEMO_SPEAKER[0], SPEAKER_EMAIL, "narasumber"))
        presenters -= 1
    for _ in range(presenters):
        take("narasumber")
    if rng.random() < 0.7:
        take("moderator")
    return chosen[:3]


def _ensure_episodes(program_id: int, plans: list[_Plan], speakers: list[_SpeakerInfo],
                     organizer_id: int, rng: random.Random) -> list[_Seeded]:
    program = db.session.get(Program, program_id)
    existing = {(e.year, e.number): e for e in db.session.scalars(
        select(Episode).where(Episode.program_id == program_id))}
    seeded: list[_Seeded] = []
    for plan in plans:
        starts = _wib(plan.day, *EPISODE_START)
        ends = starts + EPISODE_LENGTH
        opens = (starts - timedelta(days=14)) if not plan.upcoming else \
            min(starts - timedelta(days=10), now_utc() - timedelta(days=3))
        episode = existing.get((plan.year, plan.number))
        # Draw the speakers even for an existing episode, so the random stream (and with
        # it the rest of the demo) is the same on every run.
        lineup = _pick_speakers(plan, speakers, rng)
        youtube = _youtube(rng)
        zoom = f"https://us06web.zoom.us/j/{rng.randint(81_000_000_000, 89_999_999_999)}"
        if episode is None:
            episode = create_episode({
                "year": plan.year, "number": plan.number, "title": plan.title,
                "summary": _summary(plan), "competency_type": plan.competency_type,
                "starts_at": starts, "ends_at": ends, "jp": EPISODE_JP,
                "capacity": plan.capacity, "registration_opens_at": opens,
                "zoom_url": zoom, "youtube_url": youtube,
                "recording_url": None if plan.upcoming else youtube,
                "attendance_rule": "checkpoints",
            }, organizer_id, program=program)
            for name, email, role in lineup:
                add_speaker(episode, {"name": name, "email": email, "role": role},
                            organizer_id)
            add_checkpoint(episode, {"label": "awal", "opens_at": starts,
                                     "closes_at": starts + timedelta(minutes=30)},
                           organizer_id)
            add_checkpoint(episode, {"label": "akhir",
                                     "opens_at": ends - timedelta(minutes=30),
                                     "closes_at": ends + timedelta(minutes=15)},
                           organizer_id)
            if plan.upcoming:
                # Past episodes are published together with their attendance (see
                # _seed_past_episode), so a running scheduler never finalizes them empty.
                _publish(episode, organizer_id)
            db.session.flush()
        checkpoints = tuple(
            (c.id, c.opens_at, c.closes_at) for c in sorted(episode.checkpoints,
                                                            key=lambda c: c.opens_at))
        seeded.append(_Seeded(episode.id, plan, episode.starts_at, episode.ends_at,
                              episode.registration_opens_at or episode.starts_at,
                              checkpoints))
    return seeded


# Participants ---------------------------------------------------------------------------

def _weighted_provinces() -> tuple[list[str], list[float]]:
    provinces = list(PROVINCES)
    return provinces, [PROVINCE_WEIGHT.get(p, 1.0) ** 0.75 for p in provinces]


def _birth_date(rng: random.Random, first_year: int = 1965) -> date:
    return date.fromordinal(rng.randint(date(first_year, 1, 1).toordinal(),
                                        date(2000, 12, 31).toordinal()))


def _titled(name: str, job: str, rng: random.Random) -> str:
    if job.startswith("Dokter"):
        return f"dr. {name}"
    if rng.random() >= 0.35:
        return name
    titles = next(t for prefixes, t in DEGREES if job.startswith(prefixes))
    return name + rng.choice(titles)


def _sequence(rng: random.Random) -> int:
    # Sequence numbers restart for every birth date and TMT: small ones are the rule.
    return min(999, 1 + int(rng.expovariate(1 / 12)))


def _rank(service_years: int, rng: random.Random) -> str:
    years = max(0, service_years - (4 if rng.random() < 0.3 else 0))
    rank = PNS_RANKS[0][1]
    for minimum, label in PNS_RANKS:
        if years >= minimum:
            rank = label
    return rank


def _pns_job(rank: str, employer: _Employer, rng: random.Random) -> tuple[str, str | None]:
    """(jabatan, special unit or None) consistent with the rank."""
    if rank.endswith(("(III/a)", "(III/b)")):
        level = "Ahli Pertama"
    elif rank.endswith(("(III/c)", "(III/d)")):
        level = "Ahli Muda"
    else:
        level = "Ahli Madya"
    roll = rng.random()
    regional = employer.kind not in ("kementerian", "lembaga")
    if regional and roll < 0.15:
        return f"Guru {level}", "school"
    if regional and roll < 0.22:
        return f"{rng.choice(HEALTH_JOBS[:2])} {level}", "hospital"
    if roll < 0.65:
        return f"{rng.choice(OFFICE_JOBS)} {level}", None
    # Structural posts and clerical (pelaksana) jobs, by rank.
    if level == "Ahli Madya":
        return rng.choice(MANAGER_JOBS), None
    if level == "Ahli Muda" and roll < 0.82:
        return rng.choice(SUPERVISOR_JOBS), None
    return rng.choice(CLERICAL_JOBS), None


def _special_unit(kind: str, employer: _Employer, employers: _Employers,
                  rng: random.Random) -> str:
    places = employers.places(employer.province or "") or [employer.place]
    place = employer.place if employer.kind != "provinsi" else rng.choice(places)
    if kind == "school":
        school = "SMA Negeri" if employer.kind == "provinsi" else rng.choice(
            ("SD Negeri", "SD Negeri", "SMP Negeri"))
        return f"{school} {rng.randint(1, 12)} {place}"
    if employer.kind == "provinsi":
        return f"RSUD Provinsi {employer.province}"
    return rng.choice((f"RSUD {place}", f"Puskesmas {place}", "Dinas Kesehatan"))


class _ParticipantFactory:
    """Builds the user and profile rows of bulk participants (no database access)."""

    def __init__(self, employers: _Employers, taken_nips: set[str], rng: random.Random,
                 password_hash: str, today: date) -> None:
        self.employers = employers
        self.taken = taken_nips
        self.rng = rng
        self.password_hash = password_hash
        self.today = today
        self.provinces, self.weights = _weighted_provinces()
        national = employers.national
        self.verticals = [e for e in national if e.vertical]
        self.national_weights = [e.weight for e in national]
        self.vertical_weights = [e.weight for e in self.verticals]
        self.regions = list(NAMES)
        self.stamp_from = _wib(date(2021, 10, 1)).timestamp()
        self.stamp_to = _wib(date(2021, 12, 31), 12).timestamp()

    def province(self, number: int) -> str:
        if number <= len(self.provinces):  # everyone is represented from the start
            return self.provinces[number - 1]
        return self.rng.choices(self.provinces, self.weights)[0]

    def employer(self, province: str) -> tuple[_Employer, str | None]:
        """(employer, unit override for a vertical office)."""
        rng = self.rng
        regional = self.employers.regional.get(province) or []
        national = self.employers.national
        # Jakarta's ASN work mostly for the central government; elsewhere some work in a
        # ministry's or agency's office in the province.
        central_share = 0.55 if province == "DKI Jakarta" else 0.12
        if national and (not regional or rng.random() < central_share):
            if province != "DKI Jakarta" and self.verticals:
                pick = rng.choices(self.verticals, self.vertical_weights)[0]
                return pick, pick.vertical.format(province=province)
            return rng.choices(national, self.national_weights)[0], None
        if not regional:
            return rng.choice(list(self.employers.by_name.values())), None
        governments = [e for e in regional if e.kind == "provinsi"]
        towns = [e for e in regional if e.kind != "provinsi"]
        if governments and (not towns or rng.random() < 0.3):
            return rng.choice(governments), None
        return rng.choice(towns), None

    def name(self, province: str, male: bool) -> str:
        rng = self.rng
        roll = rng.random()
        region = (REGION_OF.get(province, "jawa") if roll < 0.7
                  else "jawa" if roll < 0.9 else rng.choice(self.regions))
        male_first, female_first, male_last, female_last = NAMES[region]
        first = rng.choice(male_first if male else female_first)
        last = rng.choice(male_last if male else female_last)
        if rng.random() < 0.25:
            middle = rng.choice(NAMES["jawa"][0] if male else NAMES["jawa"][1])
            if middle not in (first, last):
                first = f"{first} {middle}"
        return f"{first} {last}" if last not in first else first

    def nip(self, kind: str, birth: date, male: bool) -> tuple[str, int]:
        """A structurally valid, unused NIP and its appointment year."""
        rng = self.rng
        last_year = self.today.year - 1
        gender = 1 if male else 2
        while True:
            if kind == "pns":
                year = rng.randint(min(birth.year + 21, last_year),
                                   min(birth.year + 38, last_year))
                month = rng.choice((1, 1, 2, 3, 3, 4, 5, 6, 7, 10, 12, 12))
                nip = f"{birth:%Y%m%d}{year:04d}{month:02d}{gender}{_sequence(rng):03d}"
            else:
                year = rng.randint(min(max(2019, birth.year + 21), last_year), last_year)
                contract = 1 if rng.random() < 0.8 else rng.randint(2, 3)
                nip = f"{birth:%Y%m%d}{year:04d}2{contract}{gender}{_sequence(rng):03d}"
            if nip not in self.taken:
                self.taken.add(nip)
                return nip, year

    def rows(self, number: int) -> tuple[dict, dict]:
        rng = self.rng
        roll = rng.random()
        kind = "pns" if roll < 0.85 else "pppk" if roll < 0.95 else "non_asn"
        province = self.province(number)
        male = rng.random() < 0.52
        name = self.name(province, male)
        employer, unit = self.employer(province)
        birth_date = gender = nip = rank = None
        if kind == "non_asn":
            job = rng.choice(NON_ASN_JOBS)
        else:
            # PPPK are appointed from 2019 on, at most a few years before retirement age.
            birth = _birth_date(rng, 1965 if kind == "pns" else 1970)
            nip, appointed = self.nip(kind, birth, male)
            birth_date, gender = birth, "L" if male else "P"
            if kind == "pns":
                rank = _rank(self.today.year - appointed, rng)
                job, special = _pns_job(rank, employer, rng)
            else:
                job, rank = rng.choice(PPPK_JOBS)
                if male and job.startswith("Bidan"):
                    job, rank = "Perawat Ahli Pertama", "Golongan IX"
                special = ("school" if job.startswith("Guru")
                           else "hospital" if job.startswith(("Perawat", "Bidan", "Dokter"))
                           else None)
                if employer.kind in ("kementerian", "lembaga"):
                    special = None
            if special and unit is None:
                unit = _special_unit(special, employer, self.employers, rng)
        if unit is None:
            unit = rng.choice(employer.units)
        full_name = name if kind == "non_asn" else _titled(name, job, rng)
        tokens = [t for t in re.sub(r"[^a-z ]", "", name.lower()).split()
                  if t not in ("i", "ni", "muh")]
        local = f"{tokens[0]}.{tokens[-1]}" if len(tokens) > 1 else tokens[0]
        domain = rng.choice(NON_ASN_DOMAINS if kind == "non_asn" else ASN_DOMAINS)
        created = to_db(datetime.fromtimestamp(rng.uniform(self.stamp_from, self.stamp_to),
                                               UTC))
        phone = (f"+62{rng.choice(PHONE_PREFIXES)}{rng.randint(1_000_000, 99_999_999)}"
                 if rng.random() < 0.8 else None)
        user = {
            "email": f"{local}{number}@{domain}", "password_hash": self.password_hash,
            "full_name": full_name, "role": "participant", "active": True, "locale": "id",
            "timezone": ("Asia/Jayapura" if province in WIT
                         else "Asia/Makassar" if province in WITA else "Asia/Jakarta"),
            "created_at": created,
        }
        profile = {
            "nip": nip, "employee_type": kind, "birth_date": birth_date, "gender": gender,
            "instansi_id": employer.id, "instansi_name": employer.name, "unit_kerja": unit,
            "jabatan": job, "pangkat_golongan": rank, "province": province, "phone": phone,
            "consent_version": CONSENT_VERSION, "consent_at": created, "anonymized": False,
            "updated_at": created,
        }
        return user, profile


def _bulk_participant_ids() -> list[int]:
    return list(db.session.scalars(
        select(User.id).where(User.role == "participant", User.email.like(DEMO_DOMAIN_LIKE))
        .order_by(User.id)
    ))


def _add_participants(count: int, first_number: int, employers: _Employers,
                      rng: random.Random) -> int:
    if count <= 0:
        return 0
    taken = set(db.session.scalars(
        select(ParticipantProfile.nip).where(ParticipantProfile.nip.is_not(None))))
    factory = _ParticipantFactory(employers, taken, rng, hash_password(DEMO_PASSWORD),
                                  now_utc().astimezone(WIB).date())
    before = db.session.scalar(select(func.max(User.id))) or 0
    for start in range(0, count, CHUNK):
        pairs = [factory.rows(n) for n in range(first_number + start,
                                                first_number + min(start + CHUNK, count))]
        db.session.execute(insert(User.__table__), [user for user, _ in pairs])
        ids = dict(db.session.execute(
            select(User.email, User.id).where(User.id > before,
                                              User.email.in_([u["email"] for u, _ in pairs]))
        ).all())
        db.session.execute(insert(ParticipantProfile.__table__),
                           [{**profile, "user_id": ids[user["email"]]} for user, profile in pairs])
    return count


def _ensure_participants(wanted: int, employers: _Employers, rng: random.Random,
                         clock: _Stopwatch) -> list[int]:
    have = _bulk_participant_ids()
    added = _add_participants(wanted - len(have), len(have) + 1, employers, rng)
    clock.lap(f"{added} participants added ({len(have) + added} in the demo)")
    return _bulk_participant_ids() if added else have


def _top_up_participants(wanted: int, clock: _Stopwatch) -> int:
    """After a finished seed: add accounts when more are asked for (not registered)."""
    have = len(_bulk_participant_ids())
    if wanted <= have:
        return 0
    rng = random.Random(RANDOM_SEED + have)
    added = _add_participants(wanted - have, have + 1, _read_employers(), rng)
    clock.lap(f"{added} participants added ({have + added} in the demo)")
    return added


# Registrations, attendance, finalize ----------------------------------------------------

# Who registers how often: (share of participants, at most this many people, how much more
# often than average they register). The devoted and keen core is what it is in a real
# series, a few hundred to a few thousand people, however many accounts there are.
TIERS = ((0.05, 300, 3.2), (0.15, 1500, 2.0), (0.35, None, 1.0), (0.45, None, 0.35))
# An episode draws at most ``fraction x AUDIENCE`` registrations (about 600-3,000): the
# core keeps its places, everyone else shares the rest. Seeds beyond ~12,000 participants
# add accounts, not rows per episode, which keeps a 100,000-person seed fast (the real
# series had ~457,000 participants and about one registration each).
AUDIENCE = 12_000
Tiers = list[tuple[list[int], float]]


def _activity_tiers(people: list[int], rng: random.Random) -> Tiers:
    """Devoted, keen, regular and casual participants: some reach 20 JP, most do not."""
    shuffled = list(people)
    rng.shuffle(shuffled)
    n = len(shuffled)
    devoted, keen = (min(round(share * n), most) for share, most, _ in TIERS[:2])
    regular = round((n - devoted - keen) * TIERS[2][0] / (TIERS[2][0] + TIERS[3][0]))
    bounds = [0, devoted, devoted + keen, devoted + keen + regular, n]
    return [(sorted(shuffled[bounds[i]:bounds[i + 1]]), factor)
            for i, (_share, _most, factor) in enumerate(TIERS)]


def _pick(tiers: Tiers, fraction: float, rng: random.Random) -> list[int]:
    wanted = [min(len(ids), int(len(ids) * min(0.95, fraction * factor) + rng.random()))
              for ids, factor in tiers]
    room = max(0, int(fraction * AUDIENCE) - wanted[0] - wanted[1])
    rest = sum(wanted[2:])
    if rest > room:
        wanted[2:] = [int(k * room / rest + rng.random()) for k in wanted[2:]]
    chosen: list[int] = []
    for (ids, _factor), k in zip(tiers, wanted, strict=True):
        chosen.extend(rng.sample(ids, min(k, len(ids))))
    rng.shuffle(chosen)
    return chosen


def _has_registrations(episode_id: int) -> bool:
    return db.session.scalar(
        select(Registration.id).where(Registration.episode_id == episode_id).limit(1)
    ) is not None


def _registration_rows(episode_id: int, users: Iterable[int], opens: datetime,
                       until: datetime, rng: random.Random) -> list[dict]:
    span = max((until - opens).total_seconds(), 60.0)
    rows = []
    for uid in users:
        stamp = opens + timedelta(seconds=span * rng.random())
        rows.append({"episode_id": episode_id, "user_id": uid, "status": "registered",
                     "source": "web", "created_at": stamp, "queued_at": stamp})
    return rows


def _seed_past_episode(item: _Seeded, tiers: Tiers, demo: _DemoAccounts,
                       rng: random.Random) -> None:
    plan = item.plan
    users = _pick(tiers, plan.fraction, rng)
    if plan.capacity:
        users = users[:plan.capacity - (1 if plan.demo_participant else 0)]
    if plan.demo_participant:
        users.append(demo.participant_id)
    episode = db.session.get(Episode, item.id)
    if episode.finalized_at is not None:
        return
    # One transaction per episode: registrations, check-ins, publish, finalize.
    if not _has_registrations(item.id):
        _insert(Registration, _registration_rows(item.id, users, item.registration_opens_at,
                                                 item.starts_at, rng))
        (first_id, first_opens, _), (last_id, last_opens, _) = item.checkpoints[:2]
        check_ins, attended = [], []
        for uid in users:
            if uid == demo.participant_id:
                roll = 0.0 if plan.demo_participant == "full" else 0.85
            else:
                roll = rng.random()
            # 80 % enter both codes, 10 % only one of them, the rest none.
            both, early_only, late_only = roll < 0.80, 0.80 <= roll < 0.87, 0.87 <= roll < 0.90
            if both or early_only:
                check_ins.append({"checkpoint_id": first_id, "episode_id": item.id,
                                  "user_id": uid, "ip": None, "created_at": first_opens
                                  + timedelta(seconds=900 * rng.random() ** 2)})
            if both or late_only:
                check_ins.append({"checkpoint_id": last_id, "episode_id": item.id,
                                  "user_id": uid, "ip": None, "created_at": last_opens
                                  + timedelta(seconds=1500 * rng.random() ** 2)})
            if both:
                attended.append(uid)
        _insert(CheckIn, check_ins)
        _insert(Evaluation, _evaluation_rows(item, attended, rng))
    if episode.status == "draft":
        _publish(episode, demo.organizer_id)
        db.session.flush()
    before = to_db(now_utc())
    finalize_episode(item.id, actor_id=demo.organizer_id, force=False, notify=False)
    # The scheduler finalized the season back then: date the certificates accordingly.
    issued = item.ends_at + timedelta(minutes=45)
    db.session.execute(
        Certificate.__table__.update()
        .where(Certificate.episode_id == item.id, Certificate.kind == "participant",
               Certificate.issued_at >= before)
        .values(issued_at=issued)
    )
    episode.finalized_at = issued
    db.session.commit()


def _evaluation_rows(item: _Seeded, attended: list[int], rng: random.Random) -> list[dict]:
    """About a third of those who attended fill in the (optional) evaluation."""
    rows = []
    for uid in attended:
        if rng.random() >= 0.35:
            continue
        base = rng.choices((5, 4, 3, 2), (40, 45, 12, 3))[0]
        material, speaker, organization, relevance = (
            max(1, min(5, base + rng.choice((0, 0, 0, 1, -1)))) for _ in range(4))
        rows.append({
            "episode_id": item.id, "user_id": uid, "score_material": material,
            "score_speaker": speaker, "score_organization": organization,
            "score_relevance": relevance,
            "comment": rng.choice(COMMENTS) if rng.random() < 0.2 else None,
            "created_at": item.ends_at + timedelta(minutes=rng.randint(5, 2880)),
        })
    return rows


def _seed_upcoming_episode(item: _Seeded, tiers: Tiers, demo: _DemoAccounts, rng: random.Random,
                           now: datetime) -> None:
    plan = item.plan
    users = _pick(tiers, plan.fraction, rng)
    extra: list[int] = []
    if plan.capacity:
        # Fill the small room and queue a few more, however few participants there are.
        wanted = plan.capacity + LIMITED_WAITLISTED
        if len(users) < wanted:
            everyone = [uid for ids, _ in tiers for uid in ids]
            users = rng.sample(everyone, min(wanted, len(everyone)))
        users, extra = users[:plan.capacity], users[plan.capacity:wanted]
    elif plan.demo_participant:
        users.append(demo.participant_id)
    if _has_registrations(item.id):
        return
    _insert(Registration, _registration_rows(item.id, users, item.registration_opens_at,
                                             to_db(now), rng))
    if plan.capacity:
        # The room is full: these (and the demo participant) queue on the waiting list,
        # through the same service a participant's click goes through.
        for uid in [*extra, demo.participant_id]:
            register(item.id, db.session.get(User, uid))


def _delete_seed_emails(outbox_before: int) -> None:
    """Emails the seed queued (waiting-list notices) would go to made-up addresses."""
    db.session.execute(delete(OutboxEmail).where(
        OutboxEmail.id > outbox_before,
        or_(OutboxEmail.to_addr.like(DEMO_DOMAIN_LIKE),
            OutboxEmail.to_addr.in_([email for _, email, _ in DEMO_LOGINS])),
    ))
