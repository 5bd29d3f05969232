"""Web pages of the registrations domain: register, cancel, and "my registrations"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..accounts.views import safe_next
from ..certificates.models import Certificate
from ..episodes.models import Episode
from ..errors import DomainError
from ..evaluations.models import Evaluation
from ..extensions import db
from ..timeutil import now_utc, to_db
from ..web import role_required
from .models import Registration
from .services import cancel_registration, register, waitlist_position

bp = Blueprint("registrations", __name__)

PER_PAGE = 20


def _back(episode_id: int) -> str:
    return safe_next(request.form.get("next")) or url_for("episodes.detail",
                                                         episode_id=episode_id)


# The view is named register_view so it does not shadow the service it calls.
@bp.route("/episodes/<int:episode_id>/register", methods=["POST"], endpoint="register")
@role_required("participant")
def register_view(episode_id: int):
    """404 for an unknown episode (from the service); organizers get the service's refusal."""
    profile = current_user.profile
    if current_user.role == "participant" and (profile is None or not profile.is_complete):
        flash(_("Lengkapi profil Anda (instansi, provinsi, dan persetujuan data) sebelum "
                "mendaftar episode."), "warning")
        return redirect(url_for("accounts.profile",
                                next=url_for("episodes.detail", episode_id=episode_id)))
    try:
        result = register(episode_id, current_user, source="web")
        position = waitlist_position(result.registration)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        if err.status == 404:
            raise
        flash(str(err.message), "danger")
        return redirect(_back(episode_id))
    if result.status == "waitlisted":
        flash(_("Kuota penuh. Anda masuk daftar tunggu, posisi %(n)d. Kami akan mengirim "
                "email bila ada tempat.", n=position), "warning")
    elif result.created:
        flash(_("Anda terdaftar. Konfirmasi dan undangan kalender dikirim ke email Anda."),
              "success")
    else:
        flash(_("Anda sudah terdaftar di episode ini."), "info")
    return redirect(_back(episode_id))


@bp.route("/episodes/<int:episode_id>/cancel", methods=["POST"])
@role_required("participant")
def cancel(episode_id: int):
    try:
        cancel_registration(episode_id, current_user)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        flash(_("Pendaftaran Anda dibatalkan."), "info")
    return redirect(_back(episode_id))


@bp.route("/me/registrations")
@role_required("participant")
def mine():
    """Upcoming registrations in full, past ones paginated (the user's own only)."""
    now = to_db(now_utc())
    base = (
        select(Registration, Episode)
        .join(Episode, Episode.id == Registration.episode_id)
        .where(Registration.user_id == current_user.id)
    )
    upcoming = db.session.execute(
        base.where(Episode.ends_at > now, Registration.status != "cancelled",
                   Episode.status != "draft")
        .order_by(Episode.starts_at)
    ).all()
    past_page = db.paginate(
        select(Registration)
        .join(Episode, Episode.id == Registration.episode_id)
        .options(contains_eager(Registration.episode))
        .where(Registration.user_id == current_user.id,
               (Episode.ends_at <= now) | (Registration.status == "cancelled")
               | (Episode.status == "draft"))
        .order_by(Episode.starts_at.desc()),
        page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False,
    )
    past = [(reg, reg.episode) for reg in past_page.items]
    episode_ids = [ep.id for _reg, ep in upcoming] + [ep.id for _reg, ep in past]
    certificates = _certificates_by_episode(current_user.id, episode_ids)
    evaluated = _evaluated_episodes(current_user.id, episode_ids)
    positions = {reg.id: waitlist_position(reg) for reg, _ep in upcoming
                 if reg.status == "waitlisted"}
    return render_template(
        "registrations/mine.html", upcoming=upcoming, past=past, past_page=past_page,
        certificates=certificates, evaluated=evaluated, positions=positions, now=now_utc(),
    )


def _certificates_by_episode(user_id: int, episode_ids: list[int]) -> dict[int, Certificate]:
    if not episode_ids:
        return {}
    rows = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id,
                                  Certificate.kind == "participant",
                                  Certificate.episode_id.in_(episode_ids),
                                  Certificate.revoked_at.is_(None))
    )
    return {cert.episode_id: cert for cert in rows}


def _evaluated_episodes(user_id: int, episode_ids: list[int]) -> set[int]:
    if not episode_ids:
        return set()
    return set(db.session.scalars(
        select(Evaluation.episode_id).where(Evaluation.user_id == user_id,
                                            Evaluation.episode_id.in_(episode_ids))
    ))
