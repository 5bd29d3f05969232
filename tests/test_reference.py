"""The shipped reference list of agencies (instansi): its content, loading and search."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from asnbelajar.accounts.models import Instansi
from asnbelajar.accounts.reference import (
    default_path,
    load_instansi,
    read_instansi_csv,
    search_instansi,
)
from asnbelajar.extensions import db

# Autonomous kabupaten and kota per province (Kepmendagri No. 300.2.2-2138 Tahun 2025).
# DKI Jakarta has none: its one kabupaten and five kota are administrative and are
# counted separately below.
EXPECTED = {
    "Aceh": (18, 5), "Sumatera Utara": (25, 8), "Sumatera Barat": (12, 7), "Riau": (10, 2),
    "Kepulauan Riau": (5, 2), "Jambi": (9, 2), "Sumatera Selatan": (13, 4),
    "Kepulauan Bangka Belitung": (6, 1), "Bengkulu": (9, 1), "Lampung": (13, 2),
    "DKI Jakarta": (0, 0), "Jawa Barat": (18, 9), "Banten": (4, 4), "Jawa Tengah": (29, 6),
    "DI Yogyakarta": (4, 1), "Jawa Timur": (29, 9), "Bali": (8, 1),
    "Nusa Tenggara Barat": (8, 2), "Nusa Tenggara Timur": (21, 1),
    "Kalimantan Barat": (12, 2), "Kalimantan Tengah": (13, 1), "Kalimantan Selatan": (11, 2),
    "Kalimantan Timur": (7, 3), "Kalimantan Utara": (4, 1), "Sulawesi Utara": (11, 4),
    "Gorontalo": (5, 1), "Sulawesi Tengah": (12, 1), "Sulawesi Barat": (6, 0),
    "Sulawesi Selatan": (21, 3), "Sulawesi Tenggara": (15, 2), "Maluku": (9, 2),
    "Maluku Utara": (8, 2), "Papua": (8, 1), "Papua Barat": (7, 0),
    "Papua Barat Daya": (5, 1), "Papua Selatan": (4, 0), "Papua Tengah": (8, 0),
    "Papua Pegunungan": (8, 0),
}
PROVINCE_CODES = {
    "Aceh": "11", "Sumatera Utara": "12", "Sumatera Barat": "13", "Riau": "14",
    "Jambi": "15", "Sumatera Selatan": "16", "Bengkulu": "17", "Lampung": "18",
    "Kepulauan Bangka Belitung": "19", "Kepulauan Riau": "21", "DKI Jakarta": "31",
    "Jawa Barat": "32", "Jawa Tengah": "33", "DI Yogyakarta": "34", "Jawa Timur": "35",
    "Banten": "36", "Bali": "51", "Nusa Tenggara Barat": "52", "Nusa Tenggara Timur": "53",
    "Kalimantan Barat": "61", "Kalimantan Tengah": "62", "Kalimantan Selatan": "63",
    "Kalimantan Timur": "64", "Kalimantan Utara": "65", "Sulawesi Utara": "71",
    "Sulawesi Tengah": "72", "Sulawesi Selatan": "73", "Sulawesi Tenggara": "74",
    "Gorontalo": "75", "Sulawesi Barat": "76", "Maluku": "81", "Maluku Utara": "82",
    "Papua": "91", "Papua Barat": "92", "Papua Selatan": "93", "Papua Tengah": "94",
    "Papua Pegunungan": "95", "Papua Barat Daya": "96",
}


@pytest.fixture(scope="module")
def shipped() -> list[dict]:
    return read_instansi_csv(default_path())


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Instansi).where(*where))


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped file ------------------------------------------------------------------

def test_shipped_file_is_in_the_package() -> None:
    path = default_path()
    assert path.is_file()
    assert path.name == "instansi.csv"
    assert path.parent.name == "data"


def test_shipped_provinces(shipped) -> None:
    provinces = {r["province"]: r for r in shipped if r["kind"] == "provinsi"}
    assert set(provinces) == set(EXPECTED)
    assert len([r for r in shipped if r["kind"] == "provinsi"]) == 38
    for province, row in provinces.items():
        assert row["name"] == f"Pemerintah Provinsi {province}"
        assert row["code"] == PROVINCE_CODES[province]


def test_shipped_kabupaten_kota_per_province(shipped) -> None:
    regional = [r for r in shipped if r["kind"] in ("kabupaten", "kota")]
    administrative = [r for r in regional if " Administrasi " in r["name"]]
    autonomous = [r for r in regional if r not in administrative]
    counts = Counter((r["province"], r["kind"]) for r in autonomous)
    got = {p: (counts[(p, "kabupaten")], counts[(p, "kota")]) for p in EXPECTED}
    assert got == EXPECTED
    assert {r["province"] for r in regional} <= set(EXPECTED)
    # 415 + 93 autonomous, plus Kepulauan Seribu and the five Jakarta kota administrasi:
    # the official totals of 416 kabupaten and 98 kota.
    assert (len(autonomous), len(administrative), len(regional)) == (508, 6, 514)
    assert Counter(r["kind"] for r in regional) == {"kabupaten": 416, "kota": 98}
    assert {r["province"] for r in administrative} == {"DKI Jakarta"}


def test_shipped_codes_and_names(shipped) -> None:
    codes = Counter()
    for row in shipped:
        if row["kind"] in ("kementerian", "lembaga"):
            assert row["code"] is None and row["province"] is None, row
            continue
        if row["kind"] in ("kabupaten", "kota"):
            code = row["code"]
            assert re.fullmatch(r"\d{2}\.\d{2}", code), row
            assert code[:2] == PROVINCE_CODES[row["province"]], row
            # Kemendagri numbers kabupaten 01-69 and kota 71-99.
            assert (int(code[3:]) >= 71) == (row["kind"] == "kota"), row
            prefix = "Pemerintah Kota " if row["kind"] == "kota" else "Pemerintah Kabupaten "
            assert row["name"].startswith(prefix), row
            codes[code] += 1
    assert all(n == 1 for n in codes.values())
    by_name = {r["name"]: r for r in shipped}
    assert by_name["Pemerintah Kabupaten Bandung"]["code"] == "32.04"
    assert by_name["Pemerintah Kota Bandung"]["code"] == "32.73"
    assert by_name["Pemerintah Kota Sorong"]["province"] == "Papua Barat Daya"
    assert by_name["Pemerintah Kota Sorong"]["code"] == "96.71"
    assert by_name["Pemerintah Kabupaten Merauke"]["code"] == "93.01"
    assert by_name["Pemerintah Kabupaten Mimika"]["province"] == "Papua Tengah"
    assert by_name["Pemerintah Kabupaten Jayawijaya"]["province"] == "Papua Pegunungan"
    assert by_name["Pemerintah Kota Administrasi Jakarta Pusat"]["code"] == "31.71"
    assert by_name["Pemerintah Kabupaten Administrasi Kepulauan Seribu"]["code"] == "31.01"


def test_shipped_names_are_unique_and_clean(shipped) -> None:
    keys = Counter(r["name_key"] for r in shipped)
    assert [k for k, n in keys.items() if n > 1] == []
    for row in shipped:
        assert row["name"] == " ".join(row["name"].split())
        assert len(row["name"]) <= 200


def test_shipped_ministries_and_agencies(shipped) -> None:
    kinds = {r["name"]: r["kind"] for r in shipped}
    for name in (
        "Kementerian Dalam Negeri",
        "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
        "Kementerian Keuangan",
        "Kementerian Koordinator Bidang Perekonomian",
        "Kementerian Pendidikan Dasar dan Menengah",
        # names from before the October 2024 reorganization are kept too
        "Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi",
        "Kementerian Hukum dan Hak Asasi Manusia",
        "Kementerian Pekerjaan Umum dan Perumahan Rakyat",
    ):
        assert kinds.get(name) == "kementerian", name
    for name in (
        "Lembaga Administrasi Negara", "Badan Kepegawaian Negara", "Badan Pusat Statistik",
        "Badan Pengawasan Keuangan dan Pembangunan", "Badan Riset dan Inovasi Nasional",
        "Badan Nasional Penanggulangan Bencana", "Arsip Nasional Republik Indonesia",
        "Badan Meteorologi, Klimatologi, dan Geofisika", "Badan Siber dan Sandi Negara",
        "Komisi Pemberantasan Korupsi", "Ombudsman Republik Indonesia",
        "Kejaksaan Agung Republik Indonesia", "Mahkamah Agung Republik Indonesia",
        "Sekretariat Kabinet Republik Indonesia",
    ):
        assert kinds.get(name) == "lembaga", name
    assert sum(1 for k in kinds.values() if k == "kementerian") >= 48


# --- loading ---------------------------------------------------------------------------

def test_load_shipped_file(app, shipped) -> None:
    inserted, updated = load_instansi()
    db.session.commit()
    assert (inserted, updated) == (len(shipped), 0)
    assert _count() == len(shipped)
    assert _count(Instansi.is_reference.is_(False)) == 0
    assert _count(Instansi.kind == "provinsi") == 38
    assert _count(Instansi.kind.in_(("kabupaten", "kota"))) == 514
    row = db.session.scalar(select(Instansi).where(Instansi.name == "Pemerintah Kota Bandung"))
    assert (row.name_key, row.kind, row.code, row.province) == (
        "pemerintah kota bandung", "kota", "32.73", "Jawa Barat")
    assert row.created_at is not None


def test_second_load_changes_nothing(app) -> None:
    load_instansi()
    db.session.commit()
    assert load_instansi() == (0, 0)
    assert load_instansi(default_path()) == (0, 0)


def test_load_does_not_commit(app) -> None:
    inserted, _ = load_instansi()
    assert inserted > 0
    db.session.rollback()
    assert _count() == 0


def test_load_adopts_names_typed_by_participants(app, tmp_path) -> None:
    db.session.add_all([
        Instansi(name="KEMENTERIAN  keuangan", name_key="kementerian keuangan",
                 kind="lainnya", is_reference=False),
        Instansi(name="Dinas Pendidikan Kota Antah", name_key="dinas pendidikan kota antah",
                 kind="lainnya", is_reference=False),
    ])
    db.session.commit()
    path = _write(tmp_path / "small.csv", (
        "name,kind,code,province\n"
        "Kementerian Keuangan,kementerian,,\n"
        "Pemerintah Provinsi Bali,provinsi,51,Bali\n"
    ))
    assert load_instansi(path) == (1, 1)
    db.session.commit()
    kemenkeu = db.session.scalar(
        select(Instansi).where(Instansi.name_key == "kementerian keuangan"))
    assert (kemenkeu.name, kemenkeu.kind, kemenkeu.is_reference) == (
        "Kementerian Keuangan", "kementerian", True)
    # names that are not in the file stay as they were
    other = db.session.scalar(
        select(Instansi).where(Instansi.name_key == "dinas pendidikan kota antah"))
    assert other.is_reference is False
    assert load_instansi(path) == (0, 0)


def test_load_updates_changed_rows(app, tmp_path) -> None:
    first = _write(tmp_path / "a.csv", (
        "name,kind,code,province\n"
        "Pemerintah Kabupaten Contoh,kabupaten,,Jawa Barat\n"
        "Badan Contoh,lembaga,,\n"
    ))
    assert load_instansi(first) == (2, 0)
    second = _write(tmp_path / "b.csv", (
        "name,kind,code,province\n"
        "Pemerintah Kabupaten Contoh,kabupaten,32.99,Jawa Barat\n"
        "badan   contoh,lembaga,,\n"
        "Badan Lain,lembaga,,\n"
    ))
    assert load_instansi(second) == (1, 2)
    db.session.commit()
    rows = {r.name_key: r for r in db.session.scalars(select(Instansi))}
    assert rows["pemerintah kabupaten contoh"].code == "32.99"
    assert rows["badan contoh"].name == "badan contoh"
    assert load_instansi(second) == (0, 0)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("nama,jenis,kode,provinsi\n", 1, "header"),
        ("name,kind,code\nX,lembaga,\n", 1, "header"),
        ("name,kind,code,province\nBadan A,lembaga,,\nBadan B,lembaga,,,\n", 3, "fields"),
        ("name,kind,code,province\nBadan A,lembaga,,\nBadan B,dinas,,\n", 3, "kind"),
        ("name,kind,code,province\nBadan A,lembaga,,\n,lembaga,,\n", 3, "empty name"),
        ("name,kind,code,province\nBadan A,lembaga,,\nBADAN  a,lembaga,,\n", 3, "duplicate"),
        ("name,kind,code,province\nPemerintah Kota X,kota,,\n", 2, "province"),
        ("name,kind,code,province\n\nPemerintah Kota X,kota,3271,Jawa Barat\n", 3, "NN.NN"),
        ("name,kind,code,province\nPemerintah Provinsi X,provinsi,3,X\n", 2, "two digits"),
        ("name,kind,code,province\n" + "A" * 201 + ",lembaga,,\n", 2, "longer"),
    ],
)
def test_malformed_csv_names_the_line_and_changes_nothing(app, tmp_path, text, line,
                                                          message) -> None:
    load_instansi()
    db.session.commit()
    before = _count()
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=rf"line {line}\b.*{message}"):
        read_instansi_csv(path)
    with pytest.raises(ValueError, match=rf"line {line}\b"):
        load_instansi(path)
    db.session.rollback()
    assert _count() == before


def test_malformed_row_after_good_rows_inserts_nothing(app, tmp_path) -> None:
    path = _write(tmp_path / "bad.csv", (
        "name,kind,code,province\n"
        "Badan Satu,lembaga,,\n"
        "Badan Dua,lembaga,,\n"
        "Badan Tiga,bukan,,\n"
    ))
    with pytest.raises(ValueError, match="line 4"):
        load_instansi(path)
    assert _count() == 0


def test_empty_and_non_utf8_files(tmp_path) -> None:
    with pytest.raises(ValueError, match="empty"):
        read_instansi_csv(_write(tmp_path / "empty.csv", ""))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,kind,code,province\nBadan Caf\u00e9,lembaga,,\n".encode("latin-1"))
    with pytest.raises(ValueError, match="UTF-8"):
        read_instansi_csv(latin)


def test_utf8_bom_and_quoted_names(tmp_path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text(
        '\ufeffname,kind,code,province\n"Badan Meteorologi, Klimatologi, dan Geofisika",'
        "lembaga,,\n",
        encoding="utf-8",
    )
    rows = read_instansi_csv(path)
    assert rows == [{
        "name": "Badan Meteorologi, Klimatologi, dan Geofisika",
        "name_key": "badan meteorologi, klimatologi, dan geofisika",
        "kind": "lembaga", "code": None, "province": None,
    }]


# --- search ----------------------------------------------------------------------------

def test_search_province_first(app) -> None:
    load_instansi()
    db.session.commit()
    results = search_instansi("jawa barat")
    assert results[0] == "Pemerintah Provinsi Jawa Barat"
    assert all("jawa barat" in r.lower() for r in results)
    assert search_instansi("JAWA   barat")[0] == "Pemerintah Provinsi Jawa Barat"


def test_search_finds_kabupaten_and_kota(app) -> None:
    load_instansi()
    db.session.commit()
    results = search_instansi("bandung")
    assert "Pemerintah Kabupaten Bandung" in results
    assert "Pemerintah Kota Bandung" in results
    assert "Pemerintah Kabupaten Bandung Barat" in results
    assert results == sorted(results, key=str.lower)
    assert search_instansi("kota bandung") == ["Pemerintah Kota Bandung"]
    assert search_instansi("sorong") == [
        "Pemerintah Kabupaten Sorong", "Pemerintah Kabupaten Sorong Selatan",
        "Pemerintah Kota Sorong",
    ]


def test_search_ministries_first_and_all_words(app) -> None:
    load_instansi()
    db.session.commit()
    results = search_instansi("keuangan", limit=50)
    assert results[0] == "Kementerian Keuangan"
    assert "Badan Pengawasan Keuangan dan Pembangunan" in results
    assert "Badan Pemeriksa Keuangan Republik Indonesia" in results
    assert search_instansi("negara kepegawaian") == ["Badan Kepegawaian Negara"]
    kementerian = search_instansi("kementerian", limit=200)
    assert kementerian == sorted(kementerian, key=str.lower)


def test_search_limit_and_edge_cases(app) -> None:
    load_instansi()
    db.session.commit()
    assert len(search_instansi("pemerintah kabupaten", limit=5)) == 5
    assert len(search_instansi("pemerintah")) == 20
    assert search_instansi("") == []
    assert search_instansi("   ") == []
    assert search_instansi("bandung", limit=0) == []
    assert search_instansi("%") == []
    assert search_instansi("_") == []
    assert search_instansi("barang/jasa") == [
        "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah"]
    assert search_instansi("ruang/badan") == [
        "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional"]
    assert search_instansi("tidak ada instansi seperti ini") == []


def test_search_ignores_names_typed_by_participants(app) -> None:
    load_instansi()
    db.session.add(Instansi(name="Dinas Bandung Raya", name_key="dinas bandung raya",
                            kind="lainnya", is_reference=False))
    db.session.commit()
    assert "Dinas Bandung Raya" not in search_instansi("bandung", limit=100)


# --- command line ----------------------------------------------------------------------

def test_cli_load_instansi(app, tmp_path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load-instansi"])
    assert result.exit_code == 0, result.output
    total = len(read_instansi_csv(default_path()))
    assert f"{total} added, 0 updated" in result.output
    result = runner.invoke(args=["load-instansi"])
    assert "0 added, 0 updated" in result.output
    path = _write(tmp_path / "extra.csv", "name,kind,code,province\nBadan Baru,lembaga,,\n")
    result = runner.invoke(args=["load-instansi", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated" in result.output
