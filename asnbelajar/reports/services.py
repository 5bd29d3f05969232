"""Reports for a year: the headline figures, the organizer dashboard and the training rate
per agency, plus the agency headcounts the rate is measured against.

Every figure is one set-based query over the year's rows (no per-row ORM loops), so the
same functions answer for 50 participants and for 200,000. The yearly sums read the
covering index ``ix_ledger_entry_year_user``.

Definitions shared by the dashboard, the annual report, the API and the home page:

* the year's *episodes* are the published episodes numbered in that year;
* *registrations* are the active (``registered``) registrations for them;
* *participants* of the year are the people with an active registration for, or a credit
  in, an episode of that year; *ASN* are those whose profile says PNS or PPPK;
* a person *reached the target* when the JP on their ledger for the year (episode credits,
  external credits and reversals: what this platform records) add up to ``JP_TARGET``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    and_,
    case,
    distinct,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Instansi, ParticipantProfile
from ..accounts.reference import name_key
from ..attendance.models import AttendanceVerdict
from ..certificates.models import Certificate
from ..episodes.models import Episode
from ..errors import ValidationError
from ..extensions import db
from ..ledger.models import LedgerEntry
from ..registrations.models import Registration
from ..speakers.models import EpisodeSpeaker, Speaker
from ..timeutil import current_year
from ..util.textfiles import TextFileError, decode_upload, sniff_delimiter
from .models import InstansiHeadcount

ASN_TYPES = ("pns", "pppk")
# (label, lowest JP, highest JP or None) of the JP distribution chart.
JP_BUCKETS = (("0", 0, 0), ("1-5", 1, 5), ("6-10", 6, 10), ("11-19", 11, 19),
              ("≥ 20", 20, None))
MIN_YEAR, MAX_YEAR = 2000, 2100
HEADCOUNT_MAX_ROWS = 5000


def jp_target() -> int:
    return int(current_app.config["JP_TARGET"])


def check_year(value: Any, *, default: int | None = None) -> int:
    """A report year from a query string or form; a clear message when it is not one."""
    if value in (None, ""):
        if default is not None:
            return default
        raise ValidationError(_l("Tahun wajib diisi."), field="year")
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValidationError(_l("Tahun harus berupa angka, misalnya 2024."),
                              field="year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_l("Tahun harus antara %(low)d dan %(high)d.",
                                 low=MIN_YEAR, high=MAX_YEAR), field="year")
    return year


def report_years() -> list[int]:
    """Years that have published episodes, newest first, with the current year."""
    years = set(db.session.scalars(
        select(Episode.year).where(Episode.status == "published").group_by(Episode.year)))
    years.add(current_year())
    return sorted(years, reverse=True)


# Building blocks ------------------------------------------------------------------------

def _episode_ids(year: int):
    return (select(Episode.id)
            .where(Episode.year == year, Episode.status == "published")
            .scalar_subquery())


@dataclass
class YearPeople:
    """What one pass over the year's people gives (see :func:`year_people`)."""

    unique_participants: int
    asn_reached_target: int
    jp_credited: int
    provinces: list[tuple[str, int]]
    jp_buckets: list[tuple[str, int]]
    asn_participants: int
    # instansi id → (ASN participants, of whom reached the target)
    by_instansi: dict[int, tuple[int, int]]


def _bucket(jp):
    return case(
        *((jp <= 0, 0) if low == 0 else
          ((jp <= high, index) if high is not None else (jp >= low, index))
          for index, (_label, low, high) in enumerate(JP_BUCKETS)),
        else_=len(JP_BUCKETS) - 1,
    )


def year_people(year: int) -> YearPeople:
    """Everything the year's reports say about people, from one pass over the year's
    active registrations and ledger entries, grouped per person and then per (agency,
    province, ASN or not, registered, participant, JP bucket, reached):

    * *participants* are those registered for, or credited in, an episode of the year
      (an external credit alone counts toward the target, not as participation);
    * *unique participants* and the province map count the registered ones;
    * the JP distribution, ASN participants and the training rate count ASN participants;
    * *reached the target*: ASN whose JP for the year (all ledger entries) ≥ the target;
    * anonymized ASN still count: an agency's history must not change when a person
      exercises the right to deletion (only their identity is gone).
    """
    flag = literal_column("1")
    none = literal_column("0")
    episode_jp = case((LedgerEntry.episode_id.is_not(None), LedgerEntry.jp), else_=0)
    rows_in = union_all(
        select(Registration.user_id.label("user_id"), flag.label("registered"),
               none.label("credited"), none.label("jp"), none.label("ejp"))
        .where(Registration.episode_id.in_(_episode_ids(year)),
               Registration.status == "registered"),
        select(LedgerEntry.user_id, none, case((LedgerEntry.episode_id.is_not(None), 1),
                                               else_=0), LedgerEntry.jp, episode_jp)
        .where(LedgerEntry.year == year),
    ).subquery("facts")
    per = (select(rows_in.c.user_id, func.max(rows_in.c.registered).label("registered"),
                  func.max(rows_in.c.credited).label("credited"),
                  func.sum(rows_in.c.jp).label("jp"), func.sum(rows_in.c.ejp).label("ejp"))
           .group_by(rows_in.c.user_id).subquery("per_person"))
    asn = case((ParticipantProfile.employee_type.in_(ASN_TYPES), 1), else_=0)
    participant = case(((per.c.registered == 1) | (per.c.credited == 1), 1), else_=0)
    reached = case((per.c.jp >= jp_target(), 1), else_=0)
    bucket = _bucket(per.c.jp)
    province = func.coalesce(ParticipantProfile.province, literal_column("''"))
    keys = (ParticipantProfile.instansi_id, province, asn, per.c.registered, participant,
            bucket, reached)
    rows = db.session.execute(
        select(*keys, func.count(), func.sum(per.c.ejp))
        .select_from(per)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == per.c.user_id)
        .group_by(*keys)
    ).all()
    unique = reached_asn = jp_credited = 0
    provinces: dict[str, int] = {}
    buckets = [0] * len(JP_BUCKETS)
    by_instansi: dict[int, list[int]] = {}
    for instansi_id, prov, is_asn, registered, is_participant, b, hit, n, ejp in rows:
        jp_credited += int(ejp or 0)
        if registered:
            unique += n
            provinces[prov] = provinces.get(prov, 0) + n
        if is_asn and hit:
            reached_asn += n
        if is_asn and is_participant:
            buckets[b] += n
            if instansi_id is not None:
                counts = by_instansi.setdefault(instansi_id, [0, 0])
                counts[0] += n
                counts[1] += n if hit else 0
    return YearPeople(
        unique_participants=unique, asn_reached_target=reached_asn, jp_credited=jp_credited,
        provinces=sorted(provinces.items(), key=lambda kv: (-kv[1], kv[0])),
        jp_buckets=[(label, buckets[i]) for i, (label, _lo, _hi) in enumerate(JP_BUCKETS)],
        asn_participants=sum(buckets),
        by_instansi={k: (v[0], v[1]) for k, v in by_instansi.items()},
    )


# Headline figures -----------------------------------------------------------------------

def year_summary(year: int, *, episodes: list[EpisodeRow] | None = None,
                 people: YearPeople | None = None) -> dict[str, int]:
    """The figures of ``GET /api/v1/reports/summary`` (DESIGN.md): ``registrations`` the
    active registrations for the year's published episodes, ``certificates`` their live
    participant certificates, ``jp_credited`` episode credits net of their reversals."""
    if episodes is None:
        episodes = episode_rows(year)
    if people is None:
        people = year_people(year)
    return {
        "year": year,
        "episodes": len(episodes),
        "registrations": sum(e.registered for e in episodes),
        "unique_participants": people.unique_participants,
        "attended": sum(e.attended for e in episodes),
        "jp_credited": people.jp_credited,
        "certificates": sum(e.certified for e in episodes),
        "asn_reached_target": people.asn_reached_target,
    }


@dataclass
class EpisodeRow:
    id: int
    number: int
    title: str
    label: str
    registered: int = 0
    waitlisted: int = 0
    attended: int = 0
    certified: int = 0
    finalized: bool = False


def episode_rows(year: int) -> list[EpisodeRow]:
    """Registered, waitlisted, attended and certified counts per published episode."""
    rows = {
        e.id: EpisodeRow(id=e.id, number=e.number, title=e.title, label=e.label,
                         finalized=e.finalized_at is not None)
        for e in db.session.scalars(
            select(Episode).where(Episode.year == year, Episode.status == "published")
            .order_by(Episode.starts_at, Episode.number))
    }
    if not rows:
        return []
    ids = list(rows)
    for episode_id, status, n in db.session.execute(
            select(Registration.episode_id, Registration.status, func.count())
            .where(Registration.episode_id.in_(ids),
                   Registration.status.in_(("registered", "waitlisted")))
            .group_by(Registration.episode_id, Registration.status)):
        setattr(rows[episode_id], status, n)
    for episode_id, n in db.session.execute(
            select(AttendanceVerdict.episode_id, func.count())
            .where(AttendanceVerdict.episode_id.in_(ids), AttendanceVerdict.attended.is_(true()))
            .group_by(AttendanceVerdict.episode_id)):
        rows[episode_id].attended = n
    for episode_id, n in db.session.execute(
            select(Certificate.episode_id, func.count())
            .where(Certificate.episode_id.in_(ids), Certificate.kind == "participant",
                   Certificate.revoked_at.is_(None))
            .group_by(Certificate.episode_id)):
        rows[episode_id].certified = n
    return list(rows.values())


# Training rate --------------------------------------------------------------------------

TRAINING_RATE_SORTS = ("instansi", "province", "participants", "reached_target", "rate",
                       "headcount", "headcount_rate")


def training_rate(year: int, province: str | None = None, *, sort: str = "instansi",
                  descending: bool = False,
                  people: YearPeople | None = None) -> list[dict[str, Any]]:
    """Per agency, as LAN counts it: its ASN who took part in the year, how many reached
    the JP target with hours recorded on this platform, the rate, and the rate against the
    agency's declared headcount for the year (the yearly figure, else the one on the
    reference list)."""
    if people is None:
        people = year_people(year)
    if not people.by_instansi:
        return []
    yearly = (select(InstansiHeadcount.instansi_id, InstansiHeadcount.headcount)
              .where(InstansiHeadcount.year == year).subquery("yearly"))
    query = (select(Instansi.id, Instansi.name, Instansi.province,
                    func.coalesce(yearly.c.headcount, Instansi.headcount))
             .outerjoin(yearly, yearly.c.instansi_id == Instansi.id)
             .where(Instansi.id.in_(list(people.by_instansi))))
    if province:
        query = query.where(Instansi.province == province)
    result = []
    for instansi_id, name, prov, headcount in db.session.execute(query):
        participants, reached = people.by_instansi[instansi_id]
        result.append({
            "instansi": name, "province": prov, "participants": participants,
            "reached_target": reached,
            "rate": round(reached / participants, 4) if participants else 0.0,
            "headcount": headcount,
            "headcount_rate": round(reached / headcount, 4) if headcount else None,
        })
    return sort_rows(result, sort, descending)


def sort_rows(rows: list[dict[str, Any]], sort: str, descending: bool) -> list[dict[str, Any]]:
    if sort not in TRAINING_RATE_SORTS:
        sort = "instansi"
    # Missing values (no headcount) go last whatever the direction; ties by agency name.
    present = [r for r in rows if r[sort] is not None]
    missing = [r for r in rows if r[sort] is None]
    present.sort(key=lambda r: r["instansi"].lower())
    present.sort(key=lambda r: r[sort].lower() if isinstance(r[sort], str) else r[sort],
                 reverse=descending)
    missing.sort(key=lambda r: r["instansi"].lower())
    return present + missing


def agency_provinces() -> list[str]:
    return [p for p in db.session.scalars(
        select(Instansi.province).where(Instansi.province.is_not(None))
        .group_by(Instansi.province).order_by(Instansi.province)) if p]


# Headcounts -----------------------------------------------------------------------------

def _instansi_by_name(name: str | None) -> Instansi:
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError(_l("Nama instansi wajib diisi."), field="instansi")
    instansi = db.session.scalar(select(Instansi).where(Instansi.name_key == name_key(text)))
    if instansi is None:
        raise ValidationError(_l("Instansi \"%(name)s\" tidak ada dalam daftar instansi.",
                                 name=text[:200]), field="instansi")
    return instansi


def _check_headcount(value: Any) -> int:
    text = str(value if value is not None else "").strip().replace(".", "").replace(" ", "")
    if not text:
        raise ValidationError(_l("Jumlah ASN wajib diisi."), field="headcount")
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(_l("Jumlah ASN harus bilangan bulat, misalnya 1250."),
                              field="headcount") from None
    if not 0 <= number <= 10_000_000:
        raise ValidationError(_l("Jumlah ASN harus antara 0 dan 10.000.000."),
                              field="headcount")
    return number


def set_headcount(instansi_name: str, year: Any, headcount: Any, *,
                  actor_id: int | None) -> InstansiHeadcount:
    """Enter (or replace) an agency's ASN headcount for a year."""
    instansi = _instansi_by_name(instansi_name)
    year = check_year(year)
    number = _check_headcount(headcount)
    return _upsert_headcount(instansi.id, year, number, actor_id)


def _upsert_headcount(instansi_id: int, year: int, number: int,
                      actor_id: int | None) -> InstansiHeadcount:
    def existing() -> InstansiHeadcount | None:
        return db.session.scalar(select(InstansiHeadcount).where(
            InstansiHeadcount.instansi_id == instansi_id, InstansiHeadcount.year == year))

    row = existing()
    if row is None:
        row = InstansiHeadcount(instansi_id=instansi_id, year=year, headcount=number,
                                updated_by=actor_id)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
            return row
        except IntegrityError:
            # Entered at the same moment by someone else: (instansi, year) is unique, so
            # theirs is the row to update.
            row = existing()
            if row is None:
                raise
    row.headcount = number
    row.updated_by = actor_id
    db.session.flush()
    return row


def delete_headcount(headcount_id: int) -> None:
    row = db.session.get(InstansiHeadcount, headcount_id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def headcounts(year: int) -> list[InstansiHeadcount]:
    return list(db.session.scalars(
        select(InstansiHeadcount).join(Instansi, Instansi.id == InstansiHeadcount.instansi_id)
        .where(InstansiHeadcount.year == year).order_by(Instansi.name)))


HEADCOUNT_COLUMNS = {
    "instansi": ("instansi", "nama instansi", "agency"),
    "year": ("tahun", "year"),
    "headcount": ("jumlah_asn", "jumlah asn", "headcount", "jumlah"),
}


@dataclass
class HeadcountImport:
    rows: int
    errors: list[str]


def import_headcounts(data: bytes, *, default_year: int | None,
                      actor_id: int | None) -> HeadcountImport:
    """All-or-nothing import of a CSV with columns ``instansi``, ``tahun`` (optional when a
    year is given) and ``jumlah_asn``. Any bad line: nothing is written and every problem
    is listed with its line number."""
    import csv

    try:
        text = decode_upload(data).text
    except TextFileError as err:
        raise ValidationError(
            _l("Berkas bukan CSV yang dapat dibaca (simpan sebagai CSV UTF-8).")
            if err.reason == "binary" else
            _l("Pengodean berkas tidak dikenali (simpan sebagai CSV UTF-8)."),
            field="file") from None
    reader = csv.reader(text.splitlines(), delimiter=sniff_delimiter(text))
    header = next(reader, None)
    if not header:
        raise ValidationError(_l("Berkas kosong."), field="file")
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    index: dict[str, int] = {}
    for key, aliases in HEADCOUNT_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                index[key] = names.index(alias)
                break
    missing = [k for k in ("instansi", "headcount") if k not in index]
    if "year" not in index and default_year is None:
        missing.append("year")
    if missing:
        raise ValidationError(
            _l("Kolom wajib tidak ada: %(cols)s. Baris pertama harus berisi judul kolom "
               "instansi, tahun, jumlah_asn.", cols=", ".join(missing)), field="file")
    errors: list[str] = []
    parsed: dict[tuple[int, int], tuple[int, int]] = {}
    count = 0
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        count += 1
        if count > HEADCOUNT_MAX_ROWS:
            errors.append(str(_l("Paling banyak %(n)d baris per berkas.",
                                 n=HEADCOUNT_MAX_ROWS)))
            break

        def cell(key: str, fields=fields) -> str:
            i = index.get(key)
            return fields[i].strip() if i is not None and i < len(fields) else ""

        try:
            instansi = _instansi_by_name(cell("instansi"))
            year = check_year(cell("year") if "year" in index else None, default=default_year)
            number = _check_headcount(cell("headcount"))
        except ValidationError as err:
            errors.append(str(_l("Baris %(line)d: %(message)s", line=line,
                                 message=err.message)))
            continue
        if (instansi.id, year) in parsed:
            errors.append(str(_l("Baris %(line)d: instansi dan tahun ini sudah ada di baris "
                                 "%(first)d.", line=line, first=parsed[(instansi.id, year)][1])))
            continue
        parsed[(instansi.id, year)] = (number, line)
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ValidationError(_l("Berkas tidak berisi baris data."), field="file")
    for (instansi_id, year), (number, _line) in parsed.items():
        _upsert_headcount(instansi_id, year, number, actor_id)
    return HeadcountImport(rows=len(parsed), errors=[])


class ImportRejected(ValidationError):
    """Some lines are wrong; ``errors`` lists each one. Nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__(_l("Impor dibatalkan: %(n)d baris bermasalah, tidak ada yang "
                            "disimpan.", n=len(errors)), field="file")
        self.errors = errors


# Annual report ---------------------------------------------------------------------------

def speakers_by_origin(year: int) -> list[dict[str, Any]]:
    """Speakers of the year's published episodes grouped by their institution."""
    # Literal SQL, not bound parameters: PostgreSQL must see the same expression in
    # SELECT and GROUP BY.
    origin = func.coalesce(func.nullif(func.trim(Speaker.institution), literal_column("''")),
                           literal_column("'—'"))
    return [
        {"origin": name, "speakers": n_people, "sessions": n_sessions}
        for name, n_people, n_sessions in db.session.execute(
            select(origin, func.count(distinct(Speaker.id)), func.count(EpisodeSpeaker.id))
            .join(EpisodeSpeaker, EpisodeSpeaker.speaker_id == Speaker.id)
            .join(Episode, and_(Episode.id == EpisodeSpeaker.episode_id, Episode.year == year,
                                Episode.status == "published"))
            .group_by(origin).order_by(func.count(distinct(Speaker.id)).desc(), origin))
    ]
