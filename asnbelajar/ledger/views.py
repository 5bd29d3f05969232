"""Web pages of the ledger domain: the participant's dashboard, JP history and transcript,
and the organizers' view of any participant's ledger with its adjustments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..accounts.nip import format_nip
from ..certificates.services import certificates_of
from ..extensions import db
from ..registrations.services import upcoming_registrations
from ..timeutil import (
    current_year,
    format_date_id,
    format_datetime_id,
    now_utc,
    to_local,
)
from ..uploads import DOCUMENT_KINDS, delete_stored, path_of, store_document
from ..util.sql import int_arg, page_arg
from ..util.urls import external_url
from ..web import organizer_required, service_call, viewer_timezone
from .forms import EVIDENCE_EXTENSIONS, ExternalCreditForm, ReverseForm
from .models import LedgerEntry
from .services import (
    Statement,
    add_external_credit,
    entry_of,
    ledger_for,
    monthly_jp,
    reversal_of,
    reverse_entry,
    search_participants,
    statement_for,
    years_with_entries,
)
from .transcript import (
    TranscriptDocument,
    TranscriptRow,
    filename_for,
    render_transcript_csv,
    render_transcript_pdf,
)

bp = Blueprint("ledger", __name__)


@bp.route("/me")
@login_required
def dashboard():
    """Organizers go to their console and speakers to the home page; this is a
    participant's page."""
    if current_user.role == "organizer":
        return redirect(url_for("reports.dashboard"))
    if current_user.role != "participant":
        return redirect(url_for("episodes.home"))
    year = current_year()
    ledger = ledger_for(current_user.id, year)
    upcoming = upcoming_registrations(current_user.id, limit=4)
    certificates = certificates_of(current_user.id)
    reversed_ids = {e.reverses_id for e in ledger.entries if e.kind == "reversal"}
    credited_episodes = sum(1 for e in ledger.entries
                            if e.kind == "episode_credit" and e.id not in reversed_ids)
    return render_template(
        "ledger/dashboard.html", ledger=ledger, year=year, upcoming=upcoming,
        next_up=upcoming[0] if upcoming else None, certificates=certificates[:3],
        certificate_count=len(certificates), credited_episodes=credited_episodes,
        monthly=monthly_jp(ledger.entries), profile=current_user.profile,
        now=now_utc(),
    )


def _checked_year(year: int) -> int:
    """404 for a nonsensical year (before the platform, or beyond next year)."""
    if not 2000 <= year <= current_year() + 1:
        abort(404)
    return year


def _year_choices(user_id: int, year: int) -> list[int]:
    return sorted(set(years_with_entries(user_id)) | {current_year(), year}, reverse=True)


@bp.route("/me/ledger")
@login_required
def my_ledger():
    """The signed-in user's own entries only; 404 for a nonsensical year."""
    year = _checked_year(int_arg(request.args, "year", current_year(), high=9999))
    statement = statement_for(current_user.id, year)
    return render_template(
        "ledger/ledger.html", statement=statement, ledger=statement.ledger, year=year,
        years=_year_choices(current_user.id, year), this_year=current_year(),
    )


# Transcript -------------------------------------------------------------------------------

def _transcript_document(user: User, statement: Statement) -> TranscriptDocument:
    profile = user.profile
    cfg = current_app.config
    return TranscriptDocument(
        year=statement.year, name=user.full_name,
        nip=format_nip(profile.nip) if profile and profile.nip else None,
        instansi=profile.instansi_name if profile else None,
        unit_kerja=profile.unit_kerja if profile else None,
        jabatan=profile.jabatan if profile else None,
        pangkat_golongan=profile.pangkat_golongan if profile else None,
        email=user.email, total_jp=statement.ledger.total_jp,
        target_jp=statement.ledger.target_jp,
        generated_at=format_datetime_id(now_utc(), viewer_timezone()),
        issuer=cfg["CERTIFICATE_ISSUER"], verify_url=external_url("certificates.verify_form"),
        rows=[TranscriptRow(on=line.on, activity=line.activity, source=line.source,
                            jp=line.jp,
                            certificate_number=line.certificate.number
                            if line.certificate else None,
                            note=_transcript_note(line))
              for line in statement.lines],
    )


def _transcript_note(line) -> str | None:
    if line.kind == "reversal":
        return line.entry.reason
    if line.reversed_by is not None:
        return "Dibatalkan pada " + format_date_id(line.reversed_by.created_at)
    return None


def _transcript_response(user: User, year: int, kind: str):
    document = _transcript_document(user, statement_for(user.id, _checked_year(year)))
    if kind == "pdf":
        body, mimetype = render_transcript_pdf(document), "application/pdf"
    else:
        body, mimetype = render_transcript_csv(document), "text/csv; charset=utf-8"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{filename_for(document, kind)}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/me/ledger/<int:year>/transcript.pdf")
@login_required
def transcript_pdf(year: int):
    """The signed-in user's own transcript only (there is no user in the URL)."""
    return _transcript_response(current_user, year, "pdf")


@bp.get("/me/ledger/<int:year>/transcript.csv")
@login_required
def transcript_csv(year: int):
    return _transcript_response(current_user, year, "csv")


# Evidence files -----------------------------------------------------------------------------

@bp.get("/ledger/entries/<int:entry_id>/evidence")
@login_required
def evidence(entry_id: int):
    """The evidence of an external credit. 404: unknown entry or no file; 403: anyone but
    the participant it belongs to and organizers."""
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        abort(404)
    if not (current_user.role == "organizer" or entry.user_id == current_user.id):
        abort(403)
    if not entry.evidence_path:
        abort(404)
    path = path_of(entry.evidence_path)
    if not path.is_file():
        abort(404)
    extension = path.suffix.lower().lstrip(".")
    mimetype = DOCUMENT_KINDS.get(extension, ("application/octet-stream",))[0]
    response = send_file(path, mimetype=mimetype, as_attachment=True, max_age=0,
                         download_name=f"bukti-jp-{entry.id}.{extension}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Organizer console: any participant's ledger ------------------------------------------------

PER_PAGE = 25


def _participant_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != "participant":
        abort(404)
    return user


def _ledger_url(user: User, year: int, anchor: str | None = None) -> str:
    return url_for("ledger.participant_ledger", user_id=user.id, year=year, _anchor=anchor)


@bp.get("/console/participants")
@organizer_required
def participant_search():
    """Search participants by name, email or NIP (separators allowed)."""
    query = request.args.get("q", "").strip()[:200]
    year = current_year()
    page = search_participants(query, year=year, page=page_arg(request.args),
                               per_page=PER_PAGE)
    return render_template("ledger/participants.html", page=page, q=query, year=year,
                           format_nip=format_nip)


def _render_participant(participant: User, year: int, *, status: int = 200,
                        credit_form: ExternalCreditForm | None = None):
    statement = statement_for(participant.id, year)
    return render_template(
        "ledger/participant.html", participant=participant, profile=participant.profile,
        statement=statement, ledger=statement.ledger, year=year,
        years=_year_choices(participant.id, year), this_year=current_year(),
        certificates=certificates_of(participant.id),
        credit_form=credit_form or ExternalCreditForm(prefix="credit"),
        format_nip=format_nip, today=to_local(now_utc()).date().isoformat(),
    ), status


@bp.get("/console/participants/<int:user_id>/ledger")
@organizer_required
def participant_ledger(user_id: int):
    """404: no such participant (organizer and speaker accounts have no ledger)."""
    participant = _participant_or_404(user_id)
    year = _checked_year(int_arg(request.args, "year", current_year(), high=9999))
    return _render_participant(participant, year)


@bp.get("/console/participants/<int:user_id>/ledger/<int:year>/transcript.pdf")
@organizer_required
def participant_transcript_pdf(user_id: int, year: int):
    return _transcript_response(_participant_or_404(user_id), year, "pdf")


@bp.get("/console/participants/<int:user_id>/ledger/<int:year>/transcript.csv")
@organizer_required
def participant_transcript_csv(user_id: int, year: int):
    return _transcript_response(_participant_or_404(user_id), year, "csv")


@bp.post("/console/participants/<int:user_id>/ledger/credits")
@organizer_required
def add_credit(user_id: int):
    """Credit training done elsewhere, with its evidence file. Nothing is kept (neither
    the entry nor the file) unless everything is valid."""
    participant = _participant_or_404(user_id)
    form = ExternalCreditForm(prefix="credit")
    if form.validate_on_submit():
        upload = form.evidence.data
        stored = None
        try:
            with service_call(category=None) as done:
                stored = store_document(
                    upload.stream, upload.filename or "", folder="evidence",
                    allowed=EVIDENCE_EXTENSIONS,
                    max_bytes=current_app.config["EVIDENCE_MAX_BYTES"])
                entry = add_external_credit(
                    user_id=participant.id, jp=form.jp.data, title=form.title.data,
                    provider=form.provider.data, occurred_on=form.occurred_on.data,
                    evidence_path=stored.stored_name, actor_id=current_user.id,
                    reason=(form.note.data or "").strip() or None)
        except Exception:
            # Not a refusal (the 500 handler rolls back): the file must not outlive it.
            if stored is not None:
                delete_stored(stored.stored_name)
            raise
        if not done.ok:
            if stored is not None:
                delete_stored(stored.stored_name)
            fields = {"title": form.title, "jp": form.jp, "occurred_on": form.occurred_on}
            field = fields.get(done.error.field or "", form.evidence)
            field.errors = [*field.errors, str(done.error.message)]
        else:
            flash(_("Kredit eksternal %(jp)d JP untuk %(name)s tersimpan.", jp=entry.jp,
                    name=participant.full_name), "success")
            return redirect(_ledger_url(participant, entry.year, f"entri-{entry.id}"))
    year = int_arg(request.args, "year", current_year(), high=9999)
    if not 2000 <= year <= current_year() + 1:
        year = current_year()
    return _render_participant(participant, year, status=422, credit_form=form)


@bp.route("/console/participants/<int:user_id>/ledger/entries/<int:entry_id>/reverse",
          methods=["GET", "POST"])
@organizer_required
def reverse(user_id: int, entry_id: int):
    """Confirm, then negate one entry with a reason. 404: unknown participant, or an entry
    of someone else."""
    participant = _participant_or_404(user_id)
    entry = entry_of(participant.id, entry_id)
    form = ReverseForm()
    if form.validate_on_submit():
        with service_call() as done:
            reversal = reverse_entry(entry.id, reason=form.reason.data, actor_id=current_user.id)
        if not done.ok:
            return redirect(_ledger_url(participant, entry.year, f"entri-{entry.id}"))
        flash(_("Entri dibatalkan: %(jp)d JP dikurangkan dari tahun %(year)d.",
                jp=-reversal.jp, year=reversal.year), "success")
        return redirect(_ledger_url(participant, entry.year, f"entri-{reversal.id}"))
    statement = statement_for(participant.id, entry.year)
    line = next((line for line in statement.lines if line.entry.id == entry.id), None)
    certificate = line.certificate if line else None
    return render_template(
        "ledger/reverse.html", participant=participant, entry=entry, line=line, form=form,
        ledger=statement.ledger, existing=reversal_of(entry.id),
        live_certificate=certificate if certificate is not None and certificate.is_valid
        and entry.kind == "episode_credit" else None,
    ), (422 if form.errors else 200)
