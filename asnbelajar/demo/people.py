"""Bulk participants: names, NIPs, jobs and agencies consistent with each other."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from ..accounts.models import ParticipantProfile, User
from ..accounts.services import CONSENT_VERSION, PROVINCES, hash_password
from ..extensions import db
from ..timeutil import now_utc, to_db
from ..util.bulk import insert_many
from .common import (
    ASN_DOMAINS,
    CHUNK,
    DEMO_DOMAIN_LIKE,
    NON_ASN_DOMAINS,
    RANDOM_SEED,
    WIB,
    Stopwatch,
    wib,
)
from .logins import DEMO_PASSWORD
from .places import PROVINCE_WEIGHT, WIT, WITA, Employer, Employers, read_employers

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


# Participants ---------------------------------------------------------------------------

def weighted_provinces() -> tuple[list[str], list[float]]:
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


def _pns_job(rank: str, employer: Employer, rng: random.Random) -> tuple[str, str | None]:
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


def _special_unit(kind: str, employer: Employer, employers: Employers,
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


class ParticipantFactory:
    """Builds the user and profile rows of bulk participants (no database access)."""

    def __init__(self, employers: Employers, taken_nips: set[str], rng: random.Random,
                 password_hash: str, today: date) -> None:
        self.employers = employers
        self.taken = taken_nips
        self.rng = rng
        self.password_hash = password_hash
        self.today = today
        self.provinces, self.weights = weighted_provinces()
        national = employers.national
        self.verticals = [e for e in national if e.vertical]
        self.national_weights = [e.weight for e in national]
        self.vertical_weights = [e.weight for e in self.verticals]
        self.regions = list(NAMES)
        self.stamp_from = wib(date(2021, 10, 1)).timestamp()
        self.stamp_to = wib(date(2021, 12, 31), 12).timestamp()

    def province(self, number: int) -> str:
        if number <= len(self.provinces):  # everyone is represented from the start
            return self.provinces[number - 1]
        return self.rng.choices(self.provinces, self.weights)[0]

    def employer(self, province: str) -> tuple[Employer, str | None]:
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


def bulk_participant_ids() -> list[int]:
    return list(db.session.scalars(
        select(User.id).where(User.role == "participant", User.email.like(DEMO_DOMAIN_LIKE))
        .order_by(User.id)
    ))


def add_participants(count: int, first_number: int, employers: Employers,
                     rng: random.Random, advance: Callable[[int], object] | None = None) -> int:
    if count <= 0:
        return 0
    taken = set(db.session.scalars(
        select(ParticipantProfile.nip).where(ParticipantProfile.nip.is_not(None))))
    factory = ParticipantFactory(employers, taken, rng, hash_password(DEMO_PASSWORD),
                                  now_utc().astimezone(WIB).date())
    before = db.session.scalar(select(func.max(User.id))) or 0
    for start in range(0, count, CHUNK):
        pairs = [factory.rows(n) for n in range(first_number + start,
                                                first_number + min(start + CHUNK, count))]
        insert_many(db.session, User.__table__, [user for user, _ in pairs])
        ids = dict(db.session.execute(
            select(User.email, User.id).where(User.id > before,
                                              User.email.in_([u["email"] for u, _ in pairs]))
        ).all())
        insert_many(db.session, ParticipantProfile.__table__,
                    [{**profile, "user_id": ids[user["email"]]} for user, profile in pairs])
        if advance is not None:
            advance(len(pairs))
    return count


def ensure_participants(wanted: int, employers: Employers, rng: random.Random,
                        clock: Stopwatch, advance: Callable[[int], object] | None = None,
                        ) -> list[int]:
    have = bulk_participant_ids()
    added = add_participants(wanted - len(have), len(have) + 1, employers, rng, advance)
    clock.lap(f"{added} participants added ({len(have) + added} in the demo)")
    return bulk_participant_ids() if added else have


def top_up_participants(wanted: int, clock: Stopwatch) -> int:
    """After a finished seed: add accounts when more are asked for (not registered)."""
    have = len(bulk_participant_ids())
    if wanted <= have:
        return 0
    rng = random.Random(RANDOM_SEED + have)
    added = add_participants(wanted - have, have + 1, read_employers(), rng)
    clock.lap(f"{added} participants added ({have + added} in the demo)")
    return added
