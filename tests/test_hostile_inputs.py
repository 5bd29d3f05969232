"""Hostile inputs against every route: nothing answers 500.

Every rule of ``app.url_map`` (155 when written) and each of its methods is called as an
anonymous visitor, a participant and an organizer with:

* path values: the real episode's id, ids beyond the database's integer (2**31, thirty
  nines), overlong, NUL-bearing and invalid-UTF-8 strings;
* query strings: ``page``/``year`` and every other argument the views read, as huge,
  negative and non-numeric values, overlong text, NUL bytes, invalid UTF-8;
* form posts: every field name of every form in the app, as a huge integer, as
  overlong text and with a NUL byte;
* uploads in every file field the forms have: a decompression-bomb PNG (20000 x 20000
  pixels, about 60 KB on disk), a malformed XLSX, an XLSX carrying a DTD with an entity
  bomb, an XLSX whose shared-strings part inflates to 300 MB (about 300 KB on disk), Zoom
  reports with a time offset of ``+99:99`` and with invalid UTF-8;
* bodies: broken JSON, JSON nested 100,000 deep, a JSON array, invalid UTF-8, XML, plain
  text, and, for each field of each JSON API body, every wrong type (number, text,
  boolean, null, list, object, a number beyond 64 bits, a NUL byte, 20,000 characters).

A 5xx fails the test, listing every request that produced one. The files are generated
here (small on disk: ZIP and zlib make huge inflated sizes cheap).
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm

HUGE = ["2147483648", "9" * 30]
PATH_STRINGS = ["x" * 3000, "%00", "%FF%FE", "..%2F..%2Fetc%2Fpasswd", "1%27%20OR%201%3D1"]
QUERY_NAMES = [
    "page", "year", "per_page", "program", "speaker", "ok", "episode", "id", "status", "q",
    "format", "next", "recount", "action", "speakers", "province", "nip", "note", "lang",
    "decision", "confirm", "all", "when", "walk_in", "upcoming", "tz", "type", "sort",
    "proof", "order", "object_type", "number", "new", "kind", "code",
]
WRONG_JSON = [123, "teks", True, None, [], {}, 10**30, -1, "a\x00b", "x" * 20000, 1.5]
FILE_FIELDS = ["file", "logo", "signature", "background", "photo", "evidence", "cover"]
SKIP_ENDPOINTS = {"static", "bootstrap.static"}


# Generated files -----------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A real PNG of width x height black 1-bit pixels: 50 MB of rows deflate to ~60 KB
    (decoded by Pillow as "1" it would still be 400 MB as RGBA)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def _xlsx(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
    b'/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
    b'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    b'"xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
    b'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
    b'</sheets></workbook>')
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    b'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
    b'"worksheets/sheet1.xml"/></Relationships>')
SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
    b'org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    b'email</t></is></c><c r="B1" t="inlineStr"><is><t>nama</t></is></c></row><row r="2">'
    b'<c r="A2" t="inlineStr"><is><t>ada@example.go.id</t></is></c><c r="B2" t="inlineStr">'
    b'<is><t>Ada</t></is></c></row></sheetData></worksheet>')


def _workbook(**overrides: bytes) -> bytes:
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
             "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
             "xl/worksheets/sheet1.xml": SHEET}
    parts.update(overrides)
    return _xlsx(parts)


def dtd_xlsx() -> bytes:
    """A billion-laughs entity bomb in the sheet's XML."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                       else b"&lol;") * 10)
                       for i in range(1, 10))
            + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
              b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is>'
              b'</c></row></sheetData></worksheet>')
    return _workbook(**{"xl/worksheets/sheet1.xml": bomb})


def huge_strings_xlsx(megabytes: int = 300) -> bytes:
    """A workbook whose sharedStrings.xml inflates to ``megabytes`` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
                           "xl/workbook.xml": WORKBOOK,
                           "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
                           "xl/worksheets/sheet1.xml": SHEET}.items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org'
                       b'/spreadsheetml/2006/main"><si><t>')
            block = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</t></si></sst>")
    return out.getvalue()


ZOOM_HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"


@functools.cache
def hostile_files() -> dict[str, tuple[bytes, str]]:
    return {
        "bomb.png": (bomb_png(), "bomb.png"),
        "bomb-as-jpg": (bomb_png(), "foto.jpg"),
        "malformed.xlsx": (b"PK\x03\x04" + b"\x00" * 200 + b"not a zip", "data.xlsx"),
        "truncated.xlsx": (_workbook()[:300], "data.xlsx"),
        "dtd.xlsx": (dtd_xlsx(), "data.xlsx"),
        "huge-strings.xlsx": (huge_strings_xlsx(), "data.xlsx"),
        "zoom-offset.csv": ((ZOOM_HEADER
                             + "Ada,ada@example.go.id,2024-02-22T13:00:00+99:99,"
                               "2024-02-22T15:00:00+99:99,120,No\n"
                             + "Budi,budi@example.go.id,02/22/2024 01:00:00 PM +99:99,"
                               "02/22/2024 03:00:00 PM -99:99,120,No\n").encode(),
                            "zoom.csv"),
        "zoom-bad-utf8.csv": (ZOOM_HEADER.encode() + b"\xff\xfe\xfa,\xc3\x28,\xa0\xa1,x,1,No\n",
                              "zoom.csv"),
        "zoom-huge-numbers.csv": ((ZOOM_HEADER + "Ada,ada@example.go.id,2024-02-22T13:00:00,"
                                   "2024-02-22T15:00:00," + "9" * 40 + ",No\n").encode(),
                                  "zoom.csv"),
        "nul.csv": (b"email,nama\nada@example.go.id\x00,Ada\x00\n", "data.csv"),
    }


# The app's surface ------------------------------------------------------------------------

def _form_fields() -> dict[str, str]:
    """Every field name of every form class in the app, with its WTForms type name."""
    import asnbelajar  # noqa: F401  (forms are imported by create_app)

    fields: dict[str, str] = {}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("asnbelajar"):
            continue
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is not None:
                fields[name] = field_class.__name__
    return fields


def _urls(rule, ids: dict[str, int]) -> list[str]:
    """URLs for ``rule``: real ids where there is one, then each hostile value in each
    parameter in turn."""
    from asnbelajar.util.converters import BoundedIntConverter

    base: dict[str, str] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, BoundedIntConverter):
            base[name] = str(ids.get(name, 1))
        elif type(converter).__name__ == "AnyConverter":
            base[name] = "csv"
        else:
            base[name] = "abc"

    def build(values: dict[str, str]) -> str:
        url = rule.rule
        for name, value in values.items():
            url = url.replace(f"<{_spec(rule, name)}>", value)
        return url

    urls = [build(base)]
    for name, converter in rule._converters.items():
        hostile = HUGE if isinstance(converter, BoundedIntConverter) else (
            PATH_STRINGS if type(converter).__name__ != "AnyConverter" else ["pdf"])
        urls.extend(build({**base, name: value}) for value in hostile)
    return urls


def _spec(rule, name: str) -> str:
    import re

    match = re.search(r"<([^<>]*:)?" + re.escape(name) + ">", rule.rule)
    return match.group(0)[1:-1]


QUERIES = [
    dict.fromkeys(QUERY_NAMES, "9" * 30),
    dict.fromkeys(QUERY_NAMES, "-2147483649"),
    dict.fromkeys(QUERY_NAMES, "x" * 3000),
    {"page": "abc", "year": "1e9", "per_page": "0x10", "q": "%", "sort": "__class__"},
    {"q": "a\x00b", "year": "\x00"},
]


def _query_strings() -> list[str]:
    strings = ["&".join(f"{quote(k)}={quote(v)}" for k, v in q.items()) for q in QUERIES]
    strings.append("page=%FF%FE&year=%C3%28&q=%ED%A0%80")  # invalid UTF-8
    return strings


def _forms(fields: dict[str, str]) -> list[dict[str, str]]:
    huge = dict.fromkeys(fields, "9" * 30)
    text = dict.fromkeys(fields, "x" * 20000)
    nul = dict.fromkeys(fields, "a\x00b")
    negative = {name: ("-2147483649" if kind in ("IntegerField", "DecimalField")
                       else "2024-13-45T99:99") for name, kind in fields.items()}
    return [huge, text, nul, negative]


BAD_BODIES = [
    ("application/json", b"{not json"),
    ("application/json", b"[" * 100000 + b"]" * 100000),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"just a string"'),
    ("application/json", b'{"a": "\xff\xfe"}'),
    ("application/json; charset=utf-16", b"\xff\xfe{\x00}\x00"),
    ("application/xml", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM '
                        b'"file:///etc/passwd">]><a>&x;</a>'),
    ("text/plain", b"hello"),
    ("application/x-www-form-urlencoded", b"a=%ff%fe&title=%00&number=99999999999999999"),
    ("multipart/form-data; boundary=zzz", b"--zzz\r\nbroken"),
]


# The test ---------------------------------------------------------------------------------

@pytest.fixture
def surface(app, db, organizer, make_participant, make_episode, token_for):
    from asnbelajar.accounts.models import User

    past = make_episode(starts_in=timedelta(hours=-3))
    participant = make_participant()
    api_schema = app.test_client().get("/api/v1/openapi.json").json
    return {
        "ids": {"episode_id": past.id, "user_id": participant.id},
        "users": {"participant": participant.id, "organizer": organizer.id},
        "tokens": {"participant": token_for(participant), "organizer": token_for(organizer)},
        "api": api_schema,
        "User": User,
    }


def _json_fields(api: dict, rule: str, method: str) -> list[str]:
    import re

    path = re.sub(r"<(?:[^<>:]*:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))
    path = path.replace("{episode_id}", "{id}")
    operation = api["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return []
    schema = content["schema"]
    if "$ref" in schema:
        schema = api["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))


@pytest.mark.parametrize("role", ["anonymous", "participant", "organizer"])
def test_no_hostile_input_gets_a_server_error(app, db, surface, role):
    client = app.test_client()
    fields = _form_fields()
    forms = _forms(fields)
    files = hostile_files()
    queries = _query_strings()
    failures: list[str] = []
    headers = surface["tokens"].get(role, {})

    def sign_in() -> None:
        if role == "anonymous":
            return
        user = db.session.get(surface["User"], surface["users"][role])
        if user is None:
            return
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

    def call(method: str, url: str, **kwargs) -> None:
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as err:  # an exception escaping the app is a 500 too
            failures.append(f"{method} {url[:120]}: raised {type(err).__name__}: {err}"[:300])
            db.session.rollback()
            return
        if response.status_code >= 500:
            what = kwargs.get("content_type") or ",".join(
                sorted((kwargs.get("data") or {}).keys()) if isinstance(
                    kwargs.get("data"), dict) else [])
            failures.append(f"{method} {url[:120]} [{what[:80]}] -> {response.status_code}: "
                            f"{response.get_data(as_text=True)[:200]}")
        response.close()

    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS]
    # Routes that end the session or the account go last, so the rest run signed in.
    rules.sort(key=lambda r: any(w in r.endpoint for w in ("logout", "delete_account",
                                                           "erase", "delete_me")))
    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        sign_in()
        api = rule.rule.startswith("/api/")
        auth = headers if api else {}
        for url in _urls(rule, surface["ids"]):
            for method in methods:
                call(method, url, headers=auth)
        url = _urls(rule, surface["ids"])[0]
        for method in methods:
            if method == "GET":
                for query in queries:
                    call("GET", f"{url}?{query}", headers=auth)
                continue
            for form in forms:
                call(method, url, data=form, headers=auth)
            for content_type, body in BAD_BODIES:
                call(method, url, data=body, content_type=content_type, headers=auth)
            for data, filename in files.values():
                upload = {name: (io.BytesIO(data), filename) for name in FILE_FIELDS}
                upload.update({"year": "2024", "confirm": "true", "kind": "pdf"})
                call(method, url, data=upload, content_type="multipart/form-data",
                     headers=auth)
            if api:
                for field in _json_fields(surface["api"], rule.rule, method):
                    for value in WRONG_JSON:
                        call(method, url, json={field: value}, headers=auth)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])


# The guards one by one ----------------------------------------------------------------------

def test_ids_beyond_the_database_integer_are_404_not_500(client, make_episode):
    episode = make_episode()
    assert client.get(f"/api/v1/episodes/{episode.id}").status_code == 200
    for value in ("2147483647", "2147483648", "9" * 30):
        response = client.get(f"/api/v1/episodes/{value}")
        assert response.status_code == 404, value
        assert response.json["error"]["code"] == "not_found"
    assert client.get("/episodes/99999999999").status_code == 404


def test_page_and_year_arguments_are_bounded(app):
    from asnbelajar.util.sql import MAX_PAGE, id_arg, page_arg, year_arg

    assert page_arg({"page": "9" * 30}) == 1
    assert page_arg({"page": "5000000"}) == MAX_PAGE
    assert page_arg({"page": "-3"}) == 1 and page_arg({"page": "3"}) == 3
    assert year_arg({"year": "2024"}) == 2024
    assert year_arg({"year": "99999999999"}) is None
    assert year_arg({"year": "1999"}, default=2025) == 2025
    assert id_arg({"speaker": "2147483648"}, "speaker") is None
    assert id_arg({"speaker": "7"}, "speaker") == 7


def test_wrong_json_types_are_a_field_level_422(client, organizer, token_for, make_episode):
    from asnbelajar.episodes.models import Episode

    headers = token_for(organizer)
    episode = make_episode()
    before = (episode.title, episode.summary, episode.capacity)
    for body, field in (({"summary": 123}, "summary"), ({"capacity": 2**40}, "capacity"),
                        ({"title": ["a"]}, "title"), ({"jp": True}, "jp"),
                        ({"evaluation_required": "kadang"}, "evaluation_required"),
                        ({"title": "a\x00b"}, "title")):
        response = client.patch(f"/api/v1/episodes/{episode.id}", json=body, headers=headers)
        assert response.status_code == 422, body
        error = response.json["error"]
        assert (error["code"], error["field"]) == ("validation_error", field), body
        assert field in error["message"]
    from asnbelajar.extensions import db

    db.session.expire_all()
    fresh = db.session.get(Episode, episode.id)
    assert (fresh.title, fresh.summary, fresh.capacity) == before  # nothing changed
    response = client.post("/api/v1/auth/token", json={"login": 5, "password": "x"})
    assert response.status_code == 422 and response.json["error"]["field"] == "login"
    response = client.post("/api/v1/participants", json={"email": "a@b.id"})
    assert response.status_code == 422
    assert response.json["error"]["message"].endswith("wajib diisi.")


def test_openapi_request_bodies_come_from_the_models(client):
    from asnbelajar.api import schemas

    document = client.get("/api/v1/openapi.json").json
    body = document["paths"]["/episodes"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert set(body["properties"]) == set(schemas.EpisodeCreate.model_fields)
    assert set(body["required"]) == {"number", "title", "starts_at", "ends_at"}
    signup = document["paths"]["/participants"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert set(signup["properties"]) >= {
        "email", "password", "full_name", "nip", "employee_type", "instansi", "unit_kerja",
        "jabatan", "pangkat_golongan", "province", "phone", "timezone", "consent"}


def test_method_not_allowed_names_the_allowed_methods(client):
    for url in ("/api/v1/episodes", "/episodes"):
        response = client.delete(url)
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"].split(", ")


def test_nul_bytes_and_deep_json_are_400(client):
    response = client.get("/episodes?q=a%00b")
    assert response.status_code == 400
    response = client.post("/login", data=b"[" * 100000 + b"]" * 100000,
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post("/api/v1/auth/token", data=b"[" * 100000 + b"]" * 100000,
                           content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"


def test_image_pixel_limit_is_read_from_the_header(app):
    import tracemalloc

    from asnbelajar.errors import ValidationError
    from asnbelajar.uploads import check_image_pixels, store_image

    data = bomb_png()
    assert len(data) < 200_000
    tracemalloc.start()
    with pytest.raises(ValidationError) as caught:
        check_image_pixels(data)
    with pytest.raises(ValidationError):
        store_image(io.BytesIO(data), "bom.png", folder="test", max_bytes=10**6)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert caught.value.code == "image_too_large" and caught.value.status == 422
    assert peak < 20 * 2**20, peak  # the 400 MB of pixels were never decoded
    check_image_pixels(bomb_png(100, 100))  # a small one passes


def test_xlsx_guard_refuses_dtd_bombs_and_oversized_parts(app):
    import tracemalloc

    from asnbelajar.registrations.importing import read_table
    from asnbelajar.registrations.importing.rows import ImportFileError
    from asnbelajar.util.spreadsheets import UnsafeSpreadsheet, check_xlsx

    check_xlsx(_workbook())  # a plain workbook passes
    rows, _ignored = read_table(_workbook(), "data.xlsx")
    assert len(rows) == 1
    with pytest.raises(UnsafeSpreadsheet, match="DTD"):
        check_xlsx(dtd_xlsx())
    big = huge_strings_xlsx()
    assert len(big) < 1_000_000
    tracemalloc.start()
    with pytest.raises(UnsafeSpreadsheet, match="terlalu besar"):
        check_xlsx(big)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 2**20, peak
    for data in (dtd_xlsx(), big, b"PK\x03\x04garbage", _workbook()[:300]):
        with pytest.raises(ImportFileError):
            read_table(data, "data.xlsx")


def test_headcount_import_over_the_size_limit_is_422_and_writes_nothing(app, client, login,
                                                                       organizer):
    from asnbelajar.extensions import db
    from asnbelajar.reports.models import InstansiHeadcount

    app.config["IMPORT_MAX_BYTES"] = 1000
    login(organizer)
    body = ("instansi,tahun,jumlah_asn\n"
            + "Pemerintah Provinsi Jawa Barat,2024,100\n" * 100).encode()
    response = client.post("/console/reports/headcounts/import",
                           data={"file": (io.BytesIO(body), "jumlah.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "terlalu besar" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(InstansiHeadcount)) == 0
