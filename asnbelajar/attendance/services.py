"""Attendance use cases: video-platform report import, manual marks, verdicts and
finalize (credit + certificates); check-in by code is in .checkin."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal,
    select,
    true,
)
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record_event
from ..certificates.services import issue_participant_certificates, queue_ready_emails
from ..episodes.models import Checkpoint, Episode
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..ledger.services import credit_episode, eligible_condition
from ..registrations.models import Registration
from ..registrations.services import lock_episode
from ..timeutil import now_utc, to_db

# Check-in by code lives in .checkin (the hot path); callers import it from here too.
from .checkin import (  # noqa: F401 - re-exported
    MAX_CODE_LENGTH,
    CheckInResult,
    check_in,
    checkins_of,
    normalize_code,
    read_token_and_checkpoint,
)
from .models import (
    AttendanceImport,
    AttendanceInterval,
    AttendanceMark,
    AttendanceVerdict,
    CheckIn,
)
from .zoom import (
    ReportFormatError,
    ZoomReport,
    attended_seconds,
    merge_intervals,
    parse_zoom_report,
)

# Report import --------------------------------------------------------------------------

@dataclass
class ImportSummary:
    rows: int
    matched: int
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    participants: int = 0
    sections: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "matched": self.matched, "unmatched": self.unmatched,
                "participants": self.participants, "sections": self.sections}

    def sections_text(self) -> str:
        """Rows read per participant table, for the organizer's confirmation message."""
        parts = [str(_l("baris %(line)d (%(section)s): %(rows)d dibaca, %(skipped)d dilewati",
                        line=s["line"], section=SECTION_NAMES.get(s["section"], s["section"]),
                        rows=s["rows"], skipped=s["skipped"]))
                 for s in self.sections]
        return str(_l("Tabel peserta dalam laporan: %(parts)s.", parts="; ".join(parts)))


SECTION_NAMES = {"participants": _l("peserta rapat"), "attendee": _l("peserta webinar"),
                 "panelist": _l("panelis"), "host": _l("host")}


class ReportTooLarge(ValidationError):
    status = 413
    code = "too_large"


def import_report(episode: Episode, data: bytes, filename: str, actor_id: int | None,
                  tz: str | None = None, *, confirm: bool = False) -> ImportSummary:
    """Parse an uploaded Zoom report and replace the episode's earlier import.

    A file over ``REPORT_MAX_BYTES`` or a malformed one raises (naming the line) before
    anything is written; see :func:`apply_report` for when confirmation is needed.
    """
    limit = int(current_app.config["REPORT_MAX_BYTES"])
    if len(data) > limit:
        raise ReportTooLarge(_l("Berkas laporan terlalu besar (batas %(mb)s MB). Unggah "
                                "laporan peserta satu episode saja.",
                                mb=f"{limit / 1024 / 1024:.0f}"), field="file")
    try:
        report = parse_zoom_report(data, tz=tz or episode.timezone)
    except ReportFormatError as err:
        raise ValidationError(err.message, code="malformed_report", field="file") from None
    return apply_report(episode, report, filename or "report.csv", actor_id, confirm=confirm)


def apply_report(episode: Episode, report: ZoomReport, source_name: str,
                 actor_id: int | None, *, confirm: bool = False,
                 registrant_users: dict[str, int] | None = None) -> ImportSummary:
    """Replace the episode's video-platform evidence with this report, in one transaction.

    Rows are matched to active registrations first by Zoom registrant id (reports pulled
    through the API; ``registrant_users`` maps ids to user ids), then by email; each
    person's connections are merged into non-overlapping intervals. Replacing the evidence
    of a finalized episode, or replacing it with a report without a single connection,
    needs ``confirm`` (Conflict ``confirmation_required`` otherwise): both would silently
    wipe what credits and certificates were based on.
    """
    if not confirm and episode.finalized_at is not None:
        raise Conflict(_l("Episode ini sudah difinalisasi: laporan baru akan menggantikan "
                          "bukti kehadiran yang menjadi dasar kredit JP dan sertifikat. "
                          "Centang konfirmasi (API: confirm=true) bila memang dimaksud."),
                       code="confirmation_required", field="confirm")
    if not confirm and not report.rows:
        raise Conflict(_l("Laporan ini tidak berisi satu pun koneksi peserta (%(n)d baris "
                          "dilewati); mengimpornya akan menghapus bukti kehadiran dari "
                          "Zoom. Centang konfirmasi (API: confirm=true) bila memang "
                          "dimaksud.", n=len(report.skipped)),
                       code="confirmation_required", field="confirm")
    registered = dict(db.session.execute(
        select(User.email, User.id)
        .join(Registration, and_(Registration.user_id == User.id,
                                 Registration.episode_id == episode.id))
        .where(Registration.status == "registered")
    ).all())
    active_ids = set(registered.values())
    by_registrant = {rid: uid for rid, uid in (registrant_users or {}).items()
                     if uid in active_ids}
    emails = {row.email for row in report.rows if row.email}
    all_users = {}
    if emails - registered.keys():
        all_users = dict(db.session.execute(
            select(User.email, User.id).where(User.email.in_(emails - registered.keys()))
        ).all())
    intervals: dict[int, list] = defaultdict(list)
    unmatched: list[dict[str, Any]] = []
    matched = 0
    for row in report.rows:
        if row.section in ("host", "panelist"):
            unmatched.append({"line": row.line, "name": row.name, "email": row.email,
                              "reason": str(_l("host/panelis, bukan peserta"))})
            continue
        uid = by_registrant.get(row.registrant_id) if row.registrant_id else None
        if uid is None and row.email:
            uid = registered.get(row.email)
        if uid is None:
            if not row.email:
                reason = _l("tanpa email (tamu)")
            elif row.email in all_users:
                reason = _l("akun ada tetapi tidak terdaftar di episode ini")
            else:
                reason = _l("email tidak terdaftar")
            unmatched.append({"line": row.line, "name": row.name, "email": row.email,
                              "reason": str(reason)})
            continue
        matched += 1
        intervals[uid].append((row.joined_at, row.left_at))
    for skipped in report.skipped:
        unmatched.append({"line": skipped.line, "name": skipped.name, "email": skipped.email,
                          "reason": skipped.reason})
    unmatched.sort(key=lambda item: item["line"])

    db.session.execute(delete(AttendanceImport).where(AttendanceImport.episode_id == episode.id))
    db.session.execute(
        delete(AttendanceInterval).where(AttendanceInterval.episode_id == episode.id)
    )
    record = AttendanceImport(episode_id=episode.id, filename=source_name[:255],
                              kind=report.kind, rows=len(report.rows) + len(report.skipped),
                              matched=matched, unmatched=unmatched, uploaded_by=actor_id)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        # Another import of this episode committed while this one ran (one import per
        # episode, by unique index): answer like any other conflict, never a 500.
        raise Conflict(_l("Laporan kehadiran episode ini baru saja diimpor oleh permintaan "
                          "lain. Muat ulang halaman untuk melihat hasilnya, lalu impor lagi "
                          "bila perlu."), code="import_in_progress") from None
    rows = []
    for uid, spans in intervals.items():
        for start, end in merge_intervals(spans):
            rows.append({"import_id": record.id, "episode_id": episode.id, "user_id": uid,
                         "joined_at": to_db(start), "left_at": to_db(end),
                         "seconds": attended_seconds([(start, end)])})
    if rows:
        db.session.execute(insert(AttendanceInterval), rows)
    sections = [{"section": s.section, "line": s.line, "rows": s.rows, "skipped": s.skipped}
                for s in report.sections]
    record_event(actor_id, "attendance.import", "episode", episode.id,
                 after={"filename": record.filename, "rows": record.rows, "matched": matched,
                        "unmatched": len(unmatched), "sections": sections,
                        "confirmed": bool(confirm)})
    return ImportSummary(rows=record.rows, matched=matched, unmatched=unmatched,
                         participants=len(intervals), sections=sections)


def mark_attendance(episode: Episode, user_id: int, *, attended: bool, reason: str,
                    actor_id: int | None) -> AttendanceMark:
    if not reason or not reason.strip():
        raise ValidationError(_l("Alasan penandaan manual wajib diisi."), field="reason")
    registration = db.session.scalar(select(Registration).where(
        Registration.episode_id == episode.id, Registration.user_id == user_id))
    if registration is None or registration.status != "registered":
        raise Conflict(_l("Peserta ini tidak terdaftar di episode."), code="not_registered")
    mark = db.session.scalar(select(AttendanceMark).where(
        AttendanceMark.episode_id == episode.id, AttendanceMark.user_id == user_id))
    before = {"attended": mark.attended, "reason": mark.reason} if mark else None
    if mark is None:
        mark = AttendanceMark(episode_id=episode.id, user_id=user_id)
        db.session.add(mark)
    mark.attended = attended
    mark.reason = reason.strip()[:500]
    mark.marked_by = actor_id
    mark.created_at = to_db(now_utc())
    db.session.flush()
    record_event(actor_id, "attendance.mark", "episode", episode.id, before=before,
                 after={"user_id": user_id, "attended": attended, "reason": mark.reason})
    return mark


# Verdicts -------------------------------------------------------------------------------

def _verdict_select(episode: Episode):
    """One SELECT computing every registrant's verdict from the evidence.

    The evidence per registrant is read with correlated subqueries, each an index probe
    on (episode_id, user_id); this keeps the plan linear in the number of registrants on
    both engines, even right after a bulk load when PostgreSQL has no statistics yet.
    """
    required = db.session.scalar(
        select(func.count()).select_from(Checkpoint).where(
            Checkpoint.episode_id == episode.id, Checkpoint.required.is_(true()))
    ) or 0
    reg = Registration
    passed_q = (
        select(func.count(distinct(CheckIn.checkpoint_id)))
        .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
        .where(CheckIn.episode_id == episode.id, CheckIn.user_id == reg.user_id,
               Checkpoint.required.is_(true()))
        .scalar_subquery()
    )
    seconds_q = (
        select(func.coalesce(func.sum(AttendanceInterval.seconds), 0))
        .where(AttendanceInterval.episode_id == episode.id,
               AttendanceInterval.user_id == reg.user_id)
        .scalar_subquery()
    )
    mark_q = (
        select(AttendanceMark.attended)
        .where(AttendanceMark.episode_id == episode.id, AttendanceMark.user_id == reg.user_id)
        .scalar_subquery()
    )
    evidence = (
        select(reg.user_id.label("user_id"), passed_q.label("passed"),
               cast(seconds_q / 60, Integer).label("minutes"), mark_q.label("mark"))
        .where(reg.episode_id == episode.id, reg.status == "registered")
        # OFFSET 0 keeps PostgreSQL from pulling the subqueries up into every CASE below.
        .offset(0)
        .subquery()
    )
    passed, minutes, mark = evidence.c.passed, evidence.c.minutes, evidence.c.mark
    threshold = threshold_minutes(episode)
    cp_ok = (passed >= required) if required > 0 else literal(False)
    min_ok = (minutes >= threshold) if threshold is not None else literal(False)
    rule = episode.attendance_rule
    nothing = and_(passed == 0, minutes == 0)
    if rule == "checkpoints":
        rule_ok = cp_ok
        fail_reason = case((nothing, "no_evidence"), else_="missed_checkpoint")
    elif rule in ("minutes", "percent"):
        rule_ok = min_ok
        fail_reason = case((nothing, "no_evidence"), else_="too_few_minutes")
    else:
        rule_ok = cp_ok | min_ok
        fail_reason = case((nothing, "no_evidence"), (passed > 0, "missed_checkpoint"),
                           else_="too_few_minutes")
    attended = case((mark.is_not(None), mark), (rule_ok, True), else_=False)
    reason = case(
        (mark.is_(true()), "manual_attended"),
        (mark.is_not(None), "manual_absent"),
        (rule_ok, "attended"),
        else_=fail_reason,
    )
    return select(evidence.c.user_id, attended.label("attended"), reason.label("reason"),
                  passed.label("passed"), minutes.label("minutes"))


def threshold_minutes(episode: Episode) -> int | None:
    if episode.attendance_rule == "checkpoints":
        return None
    if episode.min_minutes:
        return episode.min_minutes
    if episode.min_percent is not None:
        return -(-episode.duration_minutes * episode.min_percent // 100)
    return None


def verdict_preview(episode: Episode) -> dict[str, int]:
    """Counts per reason, computed the same way finalize will, without writing."""
    sub = _verdict_select(episode).subquery()
    counts = dict(db.session.execute(
        select(sub.c.reason, func.count()).group_by(sub.c.reason)
    ).all())
    summary = {reason: int(counts.get(reason, 0)) for reason in (
        "attended", "manual_attended", "manual_absent", "missed_checkpoint",
        "too_few_minutes", "no_evidence")}
    summary["total"] = sum(summary.values())
    summary["eligible"] = summary["attended"] + summary["manual_attended"]
    return summary


def _write_verdicts(episode: Episode) -> int:
    db.session.execute(delete(AttendanceVerdict).where(AttendanceVerdict.episode_id == episode.id))
    sub = _verdict_select(episode).subquery()
    stamp = to_db(now_utc())
    db.session.execute(
        insert(AttendanceVerdict).from_select(
            ["episode_id", "user_id", "attended", "reason", "checkpoints_passed", "minutes",
             "computed_at"],
            select(literal(episode.id), sub.c.user_id, sub.c.attended, sub.c.reason,
                   sub.c.passed, sub.c.minutes, literal(stamp)),
        )
    )
    return db.session.scalar(select(func.count()).select_from(AttendanceVerdict).where(
        AttendanceVerdict.episode_id == episode.id, AttendanceVerdict.attended.is_(true()))) or 0


@dataclass
class FinalizeSummary:
    attended: int
    credited: int
    certificates_issued: int

    def as_json(self) -> dict[str, int]:
        return {"attended": self.attended, "credited": self.credited,
                "certificates_issued": self.certificates_issued}


def finalize_episode(episode_id: int, *, actor_id: int | None, force: bool = False,
                     notify: bool = True) -> FinalizeSummary:
    """Compute verdicts, issue certificates and credit JP for everyone eligible.

    Set-based throughout; idempotent (a rerun issues and credits nothing new); concurrent
    runs are serialized on the episode row and the database's unique indexes make any
    leftover race a no-op.
    """

    episode = lock_episode(episode_id)
    if episode.status != "published":
        raise Conflict(_l("Hanya episode yang terbit yang dapat difinalisasi."),
                       code="not_published")
    if not episode.has_ended() and not force:
        raise Conflict(_l("Episode belum berakhir. Finalisasi dapat dilakukan setelah "
                          "episode selesai."), code="not_ended")
    started = to_db(now_utc())
    attended = _write_verdicts(episode)
    eligible = eligible_condition(episode)
    issued = issue_participant_certificates(episode, eligible)
    credited = credit_episode(episode)
    if issued and notify:
        queue_ready_emails(episode, started)
    first = episode.finalized_at is None
    episode.finalized_at = episode.finalized_at or started
    if actor_id is not None or first:
        record_event(actor_id, "episode.finalize", "episode", episode.id,
                     after={"attended": attended, "credited": credited,
                            "certificates_issued": issued, "force": force})
    return FinalizeSummary(attended=attended, credited=credited, certificates_issued=issued)


def complete_eligibility(episode: Episode, user_id: int) -> bool:
    """After a late evaluation: issue and credit this one participant if now eligible."""

    if episode.finalized_at is None:
        return False
    episode = lock_episode(episode.id)
    started = to_db(now_utc())
    issued = issue_participant_certificates(episode, eligible_condition(episode), user_id)
    credited = credit_episode(episode, user_id)
    if issued:
        queue_ready_emails(episode, started)
    return bool(credited)


def verdict_of(episode_id: int, user_id: int) -> AttendanceVerdict | None:
    return db.session.scalar(select(AttendanceVerdict).where(
        AttendanceVerdict.episode_id == episode_id, AttendanceVerdict.user_id == user_id))
