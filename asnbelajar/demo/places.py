"""Provinces, regencies and agencies: where demo participants live and work."""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from ..accounts.models import Instansi
from ..accounts.services import PROVINCES
from ..extensions import db
from ..timeutil import now_utc, to_db
from .common import Stopwatch, insert_rows

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


# Agencies -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Employer:
    id: int
    name: str
    kind: str
    province: str | None
    place: str  # the town in school and hospital names
    units: tuple[str, ...]
    vertical: str | None = None  # national agencies: office name in a province
    weight: int = 1


@dataclass
class Employers:
    regional: dict[str, list[Employer]]  # province -> provinsi, kabupaten, kota
    national: list[Employer]
    by_name: dict[str, Employer]

    def places(self, province: str) -> list[str]:
        return [e.place for e in self.regional.get(province, ()) if e.kind != "provinsi"]


def reference_loader() -> Callable[[], tuple[int, int]] | None:
    """``accounts.reference.load_instansi`` when that module exists in this version."""
    name = f"{__package__.rpartition('.')[0]}.accounts.reference"
    if importlib.util.find_spec(name) is None:
        return None
    return getattr(importlib.import_module(name), "load_instansi", None)


def province_government(province: str) -> str:
    return f"Pemerintah Provinsi {province}"


def ensure_instansi(clock: Stopwatch) -> Employers:
    """Load the reference list when the code base ships one; otherwise add the agencies the
    demo needs as reference rows. Either way, employers are picked from the table."""
    load = reference_loader()
    if load is not None:
        inserted, updated = load()
        clock.lap(f"reference instansi loaded ({inserted} added, {updated} updated)")
    else:
        wanted = [(n, k, None) for n, k, *_ in NATIONAL]
        for province in PROVINCES:
            wanted.append((province_government(province), "provinsi", province))
            for regency in REGENCIES.get(province, ()):
                kind = "kota" if regency.startswith("Kota ") else "kabupaten"
                wanted.append((f"Pemerintah {regency}", kind, province))
        have = set(db.session.scalars(select(Instansi.name_key)))
        stamp = to_db(now_utc())
        rows = [{"name": n, "name_key": n.lower(), "kind": k, "code": None, "province": p,
                 "is_reference": True, "headcount": None, "created_at": stamp}
                for n, k, p in wanted if n.lower() not in have]
        insert_rows(Instansi, rows)
        clock.lap(f"{len(rows)} instansi added")
    return read_employers()


def read_employers() -> Employers:
    canonical = {p.lower(): p for p in PROVINCES}
    national_meta = {name.lower(): (weight, units, vertical)
                     for name, _k, weight, units, vertical in NATIONAL}
    regional: dict[str, list[Employer]] = {p: [] for p in PROVINCES}
    national: list[Employer] = []
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
                Employer(row.id, row.name, row.kind, province, place, units))
        elif row.name_key in national_meta:
            weight, units, vertical = national_meta[row.name_key]
            national.append(Employer(row.id, row.name, row.kind, None, "Jakarta", units,
                                      vertical, weight))
    if not national:  # a reference list without any of the agencies above
        national = [Employer(r.id, r.name, r.kind, None, "Jakarta", NATIONAL_GENERIC_UNITS)
                    for r in rows if r.kind in ("kementerian", "lembaga")][:20]
    by_name = {e.name: e for group in (*regional.values(), national) for e in group}
    return Employers(regional=regional, national=national, by_name=by_name)
