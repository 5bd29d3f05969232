"""Web pages of the ledger domain: the participant's dashboard and JP transcript."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..certificates.models import Certificate
from ..certificates.services import certificates_of
from ..episodes.models import Episode
from ..extensions import db
from ..registrations.models import Registration
from ..timeutil import now_utc, to_db, to_local
from ..web import viewer_timezone
from .models import LedgerEntry
from .services import ledger_for, years_with_entries

bp = Blueprint("ledger", __name__)


def _this_year() -> int:
    return to_local(now_utc(), viewer_timezone()).year


def _episodes_by_id(ids) -> dict[int, Episode]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {ep.id: ep for ep in db.session.scalars(select(Episode).where(Episode.id.in_(ids)))}


def _certificates_by_id(ids) -> dict[int, Certificate]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(ids)))}


def _activity_date(entry: LedgerEntry, episodes: dict[int, Episode]) -> date:
    """When the learning happened: the episode's local date, the external training's
    date, or (for a reversal) when it was recorded."""
    episode = episodes.get(entry.episode_id) if entry.episode_id else None
    if entry.kind == "episode_credit" and episode is not None:
        return to_local(episode.starts_at, episode.timezone).date()
    if entry.kind == "external_credit" and entry.occurred_on is not None:
        return entry.occurred_on
    return to_local(entry.created_at).date()


def _monthly(entries: list[LedgerEntry], episodes: dict[int, Episode]) -> list[int]:
    """JP per calendar month (1-12) of the year, by when the learning happened."""
    months = [0] * 12
    for entry in entries:
        # A reversal takes back the hours of the month it corrects.
        source = entry.reverses if entry.kind == "reversal" and entry.reverses else entry
        months[_activity_date(source, episodes).month - 1] += entry.jp
    return [max(jp, 0) for jp in months]


@bp.route("/me")
@login_required
def dashboard():
    """Organizers go to their console and speakers to the home page; this is a
    participant's page."""
    if current_user.role == "organizer":
        return redirect(url_for("episodes.console"))
    if current_user.role != "participant":
        return redirect(url_for("episodes.home"))
    year = _this_year()
    ledger = ledger_for(current_user.id, year)
    episodes = _episodes_by_id(e.episode_id for e in ledger.entries)
    now = to_db(now_utc())
    upcoming = db.session.execute(
        select(Registration, Episode)
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.user_id == current_user.id,
               Registration.status.in_(("registered", "waitlisted")),
               Episode.status == "published", Episode.ends_at > now)
        .order_by(Episode.starts_at)
        .limit(4)
    ).all()
    certificates = certificates_of(current_user.id)
    reversed_ids = {e.reverses_id for e in ledger.entries if e.kind == "reversal"}
    credited_episodes = sum(1 for e in ledger.entries
                            if e.kind == "episode_credit" and e.id not in reversed_ids)
    return render_template(
        "ledger/dashboard.html", ledger=ledger, year=year, upcoming=upcoming,
        next_up=upcoming[0] if upcoming else None, certificates=certificates[:3],
        certificate_count=len(certificates), credited_episodes=credited_episodes,
        monthly=_monthly(ledger.entries, episodes), profile=current_user.profile,
        now=now_utc(),
    )


@bp.route("/me/ledger")
@login_required
def my_ledger():
    """The signed-in user's own entries only; 404 for a nonsensical year."""
    this_year = _this_year()
    year = request.args.get("year", this_year, type=int)
    if not 2000 <= year <= this_year + 1:
        abort(404)
    ledger = ledger_for(current_user.id, year)
    years = sorted(set(years_with_entries(current_user.id)) | {this_year, year}, reverse=True)
    episodes = _episodes_by_id(e.episode_id for e in ledger.entries)
    certificates = _certificates_by_id(e.certificate_id for e in ledger.entries)
    rows = sorted(((_activity_date(e, episodes), e) for e in ledger.entries),
                  key=lambda row: (row[0], row[1].id))
    return render_template(
        "ledger/ledger.html", ledger=ledger, rows=rows, year=year, years=years,
        episodes=episodes, certificates=certificates, this_year=this_year,
    )
