"""Web pages of the episodes domain: the public catalog and the organizer's console.

Public pages show published (and cancelled) episodes; a draft is a 404 for everyone but
organizers. Console pages are organizer-only (anonymous: login redirect, other roles: 403).
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..attendance.models import CheckIn
from ..attendance.services import checkins_of, verdict_of
from ..evaluations.services import has_evaluated
from ..extensions import db
from ..registrations.models import Registration
from ..registrations.services import get_registration, registered_count, waitlist_position
from ..reports.snapshots import impact_summary
from ..speakers.services import (
    add_speaker,
    can_download_material,
    is_episode_speaker,
    materials_for_episode,
)
from ..timeutil import (
    ZONES,
    current_year,
    day_names,
    format_datetime_id,
    now_utc,
    to_db,
    to_local,
)
from ..uploads import delete_stored, path_of
from ..util.sql import page_arg, paginate, year_arg
from ..web import organizer_required, service_call, viewer_timezone
from .calendar import episode_ics
from .cockpit import render_manage
from .forms import (
    COMPETENCY_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    ActionForm,
    CancelEpisodeForm,
    CheckpointForm,
    EpisodeForm,
    SeriesForm,
    SpeakerForm,
)
from .models import COMPETENCY_TYPES, EPISODE_STATUSES, Episode
from .services import (
    DEFAULT_PROGRAM_SLUG,
    ProgramTotals,
    add_checkpoint,
    cancel_episode,
    create_episode,
    create_series,
    default_jp,
    delete_checkpoint,
    duplicate_episode,
    get_checkpoint,
    get_episode,
    get_program,
    next_free_number,
    plan_series,
    program_totals,
    program_year_episodes,
    program_years,
    publish_episode,
    remove_cover_image,
    series_signature,
    set_cover_image,
    update_checkpoint,
    update_episode,
)
from .services.cockpit import checkin_count, console_stats

bp = Blueprint("episodes", __name__)

CATALOG_PER_PAGE = 12
CONSOLE_PER_PAGE = 25
VISIBLE_STATUSES = ("published", "cancelled")
WHEN_LABELS = {"upcoming": _l("Akan datang"), "past": _l("Sudah selesai")}


def _is_organizer() -> bool:
    return bool(current_user.is_authenticated and current_user.role == "organizer")


def _is_participant() -> bool:
    return bool(current_user.is_authenticated and current_user.role == "participant")


def _display_tz() -> str:
    """``?tz=Asia/Makassar`` overrides the viewer's zone for this page."""
    tz = request.args.get("tz")
    return tz if tz in ZONES else viewer_timezone()


def _registered_counts(episode_ids: list[int]) -> dict[int, int]:
    if not episode_ids:
        return {}
    rows = db.session.execute(
        select(Registration.episode_id, func.count())
        .where(Registration.episode_id.in_(episode_ids), Registration.status == "registered")
        .group_by(Registration.episode_id)
    ).all()
    return dict(rows)


def _my_registrations(episode_ids: list[int]) -> dict[int, Registration]:
    if not episode_ids or not _is_participant():
        return {}
    rows = db.session.scalars(
        select(Registration).where(Registration.episode_id.in_(episode_ids),
                                   Registration.user_id == current_user.id)
    )
    return {r.episode_id: r for r in rows}


def _year_choices(statuses: tuple[str, ...]) -> list[int]:
    return list(db.session.scalars(
        select(Episode.year).where(Episode.status.in_(statuses))
        .group_by(Episode.year).order_by(Episode.year.desc())
    ))


# Public pages ---------------------------------------------------------------------------

@bp.get("/")
def home():
    now = to_db(now_utc())
    upcoming = list(db.session.scalars(
        select(Episode).options(selectinload(Episode.speakers))
        .where(Episode.status == "published", Episode.ends_at > now)
        .order_by(Episode.starts_at).limit(7)
    ))
    past = list(db.session.scalars(
        select(Episode).where(Episode.status == "published", Episode.ends_at <= now)
        .order_by(Episode.starts_at.desc()).limit(6)
    ))
    hero = upcoming[0] if upcoming else None
    ids = [e.id for e in upcoming]
    # The same figures as the program page, so the two never disagree.
    totals = program_totals()
    registrations = _my_registrations(ids)
    hero_registration = registrations.get(hero.id) if hero else None
    return render_template(
        "episodes/home.html", hero=hero, upcoming=upcoming[1:], past=past, totals=totals,
        impact=impact_summary(),
        counts=_registered_counts(ids), registrations=registrations,
        program_slug=DEFAULT_PROGRAM_SLUG,
        hero_position=waitlist_position(hero_registration) if hero_registration else None,
        hero_checkpoint=next((c for c in hero.checkpoints if c.is_open()), None) if hero else None,
    )


@bp.get("/episodes")
def catalog():
    year = year_arg(request.args)
    kind = request.args.get("type")
    if kind not in COMPETENCY_TYPES:
        kind = None
    when = request.args.get("when")
    if when not in WHEN_LABELS:
        when = None
    # Coming episodes first (soonest on top), then past ones (latest on top).
    now = to_db(now_utc())
    upcoming = Episode.ends_at > now
    query = (select(Episode).options(selectinload(Episode.speakers))
             .where(Episode.status.in_(VISIBLE_STATUSES))
             .order_by(case((upcoming, 0), else_=1),
                       case((upcoming, Episode.starts_at), else_=None),
                       Episode.starts_at.desc()))
    if year:
        query = query.where(Episode.year == year)
    if kind:
        query = query.where(Episode.competency_type == kind)
    if when == "upcoming":
        query = query.where(upcoming)
    elif when == "past":
        query = query.where(Episode.ends_at <= now)
    page = paginate(query, page=page_arg(request.args), per_page=CATALOG_PER_PAGE)
    ids = [e.id for e in page.items]
    return render_template(
        "episodes/catalog.html", page=page, year=year, kind=kind, when=when,
        whens=WHEN_LABELS, years=_year_choices(VISIBLE_STATUSES), kinds=COMPETENCY_LABELS,
        counts=_registered_counts(ids), registrations=_my_registrations(ids),
    )


@bp.get("/episodes/<int:episode_id>")
def detail(episode_id: int):
    """404: unknown episode, or a draft for anyone but an organizer."""
    episode = get_episode(episode_id, published_only=not _is_organizer())
    now = now_utc()
    registration = position = None
    my_checkins: list[CheckIn] = []
    if _is_participant():
        registration = get_registration(episode.id, current_user.id)
        if registration is not None:
            position = waitlist_position(registration)
            my_checkins = checkins_of(episode.id, current_user.id)
    minutes_before = int(current_app.config.get("JOIN_LINK_MINUTES_BEFORE", 30))
    join_from = episode.starts_at_utc - timedelta(minutes=minutes_before)
    is_registered = registration is not None and registration.status == "registered"
    show_zoom = bool(episode.zoom_url and is_registered and episode.status == "published"
                     and join_from <= now < episode.ends_at_utc)
    open_checkpoint = next((c for c in episode.checkpoints if c.is_open(now)), None)
    evaluated = verdict = None
    if is_registered and episode.has_ended(now):
        evaluated = has_evaluated(episode.id, current_user.id)
        if episode.finalized_at:
            verdict = verdict_of(episode.id, current_user.id)

    materials = materials_for_episode(episode.id)
    # A speaker of this episode presents the codes; the page offers them no check-in.
    speaking_here = current_user.is_authenticated and (
        current_user.role == "speaker" or is_episode_speaker(episode.id, current_user.id))
    return render_template(
        "episodes/detail.html", episode=episode, tz=_display_tz(), now=now,
        speaking_here=speaking_here,
        registration=registration, position=position, registered=registered_count(episode.id),
        show_zoom=show_zoom, join_from=join_from, is_registered=is_registered,
        minutes_before=minutes_before, open_checkpoint=open_checkpoint,
        my_checkins={c.checkpoint_id: c for c in my_checkins}, evaluated=evaluated,
        verdict=verdict, materials=materials,
        can_get_materials=bool(materials) and can_download_material(episode, current_user, now),
    )


@bp.get("/episodes/<int:episode_id>.ics")
def ics(episode_id: int):
    """404 like the detail page."""
    episode = get_episode(episode_id, published_only=not _is_organizer())
    filename = f"asnbelajar-seri-{episode.number}-{episode.year}.ics"
    return Response(episode_ics(episode), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# Organizer console ----------------------------------------------------------------------

@bp.get("/console/episodes")
@organizer_required
def console():
    year = year_arg(request.args)
    status = request.args.get("status")
    if status not in EPISODE_STATUSES:
        status = None
    query = select(Episode).order_by(Episode.starts_at.desc())
    if year:
        query = query.where(Episode.year == year)
    if status:
        query = query.where(Episode.status == status)
    page = paginate(query, page=page_arg(request.args), per_page=CONSOLE_PER_PAGE)
    return render_template(
        "episodes/console.html", page=page, year=year, status=status,
        years=_year_choices(EPISODE_STATUSES), statuses=STATUS_LABELS,
        stats=console_stats([e.id for e in page.items]),
    )


@bp.route("/console/episodes/new", methods=["GET", "POST"])
@organizer_required
def new():
    form = EpisodeForm()
    if request.method == "GET":
        year = current_year()
        form.year.data = year
        form.number.data = next_free_number(get_program(DEFAULT_PROGRAM_SLUG).id, year)
        form.walk_in_allowed.data = True
    if form.validate_on_submit():
        with service_call(form) as done:
            episode = create_episode(form.service_data(), current_user.id)
            _apply_cover(form, episode)
        if done.ok:
            flash(_("Episode %(label)s tersimpan sebagai draf. Tambahkan narasumber dan "
                    "checkpoint, lalu terbitkan.", label=episode.label), "success")
            return redirect(url_for("episodes.manage", episode_id=episode.id))
    return render_template("episodes/form.html", form=form, episode=None)


def _apply_cover(form: EpisodeForm, episode: Episode) -> str | None:
    """Store an uploaded cover (or drop the current one); returns the replaced file."""
    upload = form.cover.data
    if upload and getattr(upload, "filename", ""):
        return set_cover_image(episode, upload.stream, upload.filename, current_user.id)
    if form.remove_cover.data:
        return remove_cover_image(episode, current_user.id)
    return None


def _fill_form(form: EpisodeForm, episode: Episode) -> None:
    tz = episode.timezone
    starts, ends = to_local(episode.starts_at, tz), to_local(episode.ends_at, tz)
    form.process(obj=episode)
    form.timezone.data = tz
    form.day.data = starts.date()
    form.start_time.data = starts.time()
    form.end_time.data = ends.time()
    for field, value in (("registration_opens", episode.registration_opens_at),
                         ("registration_closes", episode.registration_closes_at)):
        getattr(form, field).data = to_local(value, tz).replace(tzinfo=None) if value else None


@bp.route("/console/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit(episode_id: int):
    episode = get_episode(episode_id)
    form = EpisodeForm()
    if request.method == "GET":
        _fill_form(form, episode)
    if form.validate_on_submit():
        data = form.service_data()
        if data["jp"] is None and data["starts_at"] and data["ends_at"]:
            data["jp"] = default_jp(data["starts_at"], data["ends_at"])
        with service_call(form) as done:
            changes = update_episode(episode, data, current_user.id)
            # Last: a refused picture rolls the whole edit back, so nothing half-changes.
            replaced = _apply_cover(form, episode)
        if done.ok:
            delete_stored(replaced)
            if changes.time_moved and episode.status == "published":
                flash(_("Perubahan tersimpan. Pendaftar menerima email jadwal baru."), "success")
            else:
                flash(_("Perubahan tersimpan."), "success")
            return redirect(url_for("episodes.manage", episode_id=episode.id))
    return render_template("episodes/form.html", form=form, episode=episode)


@bp.get("/console/episodes/<int:episode_id>")
@organizer_required
def manage(episode_id: int):
    return render_manage(get_episode(episode_id))


@bp.post("/console/episodes/<int:episode_id>/publish")
@organizer_required
def publish(episode_id: int):
    episode = get_episode(episode_id)
    form = ActionForm()
    if form.validate_on_submit():
        with service_call() as done:
            publish_episode(episode, current_user.id)
        if done.ok:
            flash(_("Episode %(label)s diterbitkan dan tampil di katalog.",
                    label=episode.label), "success")
    return redirect(url_for("episodes.manage", episode_id=episode.id))


@bp.post("/console/episodes/<int:episode_id>/cancel")
@organizer_required
def cancel(episode_id: int):
    episode = get_episode(episode_id)
    form = CancelEpisodeForm(prefix="cancel")
    if not form.validate_on_submit():
        return render_manage(episode, 422, cancel_form=form)
    with service_call() as done:
        cancel_episode(episode, current_user.id, form.reason.data)
    if done.ok:
        flash(_("Episode %(label)s dibatalkan. Pendaftar diberi tahu lewat email.",
                label=episode.label), "warning")
    return redirect(url_for("episodes.manage", episode_id=episode.id))


@bp.post("/console/episodes/<int:episode_id>/speakers", endpoint="add_speaker")
@organizer_required
def add_speaker_view(episode_id: int):
    episode = get_episode(episode_id)
    form = SpeakerForm()
    if form.validate_on_submit():
        with service_call(form) as done:
            link = add_speaker(episode, {"name": form.name.data,
                                         "institution": form.institution.data,
                                         "role": form.role.data, "email": form.email.data},
                               current_user.id)
        if done.ok:
            flash(_("%(name)s ditambahkan sebagai %(role)s.", name=link.speaker.name,
                    role=str(ROLE_LABELS.get(link.role, link.role)).lower()), "success")
            return redirect(url_for("episodes.manage", episode_id=episode.id,
                                    _anchor="narasumber"))
    return render_manage(episode, 422, speaker_form=form)


@bp.post("/console/episodes/<int:episode_id>/checkpoints", endpoint="add_checkpoint")
@organizer_required
def add_checkpoint_view(episode_id: int):
    episode = get_episode(episode_id)
    form = CheckpointForm()
    if form.validate_on_submit():
        day = to_local(episode.starts_at, episode.timezone).date()
        with service_call(form) as done:
            checkpoint = add_checkpoint(episode, form.service_data(day, episode.timezone),
                                        current_user.id)
        if done.ok:
            flash(_("Checkpoint \"%(label)s\" dibuat dengan kode %(code)s.",
                    label=checkpoint.label, code=checkpoint.code), "success")
            return redirect(url_for("episodes.manage", episode_id=episode.id,
                                    _anchor="checkpoint"))
    return render_manage(episode, 422, checkpoint_form=form)


@bp.route("/console/episodes/<int:episode_id>/checkpoints/<int:checkpoint_id>/edit",
          methods=["GET", "POST"])
@organizer_required
def edit_checkpoint(episode_id: int, checkpoint_id: int):
    """404: unknown episode, or a checkpoint of another episode."""
    episode = get_episode(episode_id)
    checkpoint = get_checkpoint(episode, checkpoint_id)
    form = CheckpointForm()
    if request.method == "GET":
        form.label.data = checkpoint.label
        form.code.data = checkpoint.code
        form.opens_time.data = to_local(checkpoint.opens_at, episode.timezone).time()
        form.closes_time.data = to_local(checkpoint.closes_at, episode.timezone).time()
        form.required.data = checkpoint.required
    status = 200
    if form.validate_on_submit():
        day = to_local(episode.starts_at, episode.timezone).date()
        with service_call(form) as done:
            update_checkpoint(checkpoint, form.service_data(day, episode.timezone),
                              current_user.id)
        if not done.ok:
            status = 422
        else:
            flash(_("Checkpoint \"%(label)s\" diperbarui (kode %(code)s).",
                    label=checkpoint.label, code=checkpoint.code), "success")
            return redirect(url_for("episodes.manage", episode_id=episode.id,
                                    _anchor="checkpoint"))
    elif request.method == "POST":
        status = 422
    checkins = checkin_count(checkpoint.id)
    return render_template("episodes/checkpoint_form.html", episode=episode,
                           checkpoint=checkpoint, form=form, checkins=checkins,
                           action_form=ActionForm(formdata=None)), status


@bp.post("/console/episodes/<int:episode_id>/checkpoints/<int:checkpoint_id>/delete",
         endpoint="delete_checkpoint")
@organizer_required
def delete_checkpoint_view(episode_id: int, checkpoint_id: int):
    """404 like edit_checkpoint; a checkpoint with check-ins is refused with a message."""
    episode = get_episode(episode_id)
    checkpoint = get_checkpoint(episode, checkpoint_id)
    label = checkpoint.label
    if ActionForm().validate_on_submit():
        with service_call() as done:
            delete_checkpoint(checkpoint, current_user.id)
        if done.ok:
            flash(_("Checkpoint \"%(label)s\" dihapus.", label=label), "success")
    return redirect(url_for("episodes.manage", episode_id=episode.id, _anchor="checkpoint"))


@bp.post("/console/episodes/<int:episode_id>/duplicate")
@organizer_required
def duplicate(episode_id: int):
    """404: unknown episode. The copy is a draft one week later (see duplicate_episode)."""
    episode = get_episode(episode_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("episodes.manage", episode_id=episode.id))
    with service_call() as done:
        copy = duplicate_episode(episode, current_user.id)
    if not done.ok:
        return redirect(url_for("episodes.manage", episode_id=episode.id))
    flash(_("Salinan tersimpan sebagai draf %(label)s, %(when)s. Periksa judul, narasumber "
            "dan kode presensi baru, lalu terbitkan.", label=copy.label,
            when=format_datetime_id(copy.starts_at, copy.timezone)), "success")
    return redirect(url_for("episodes.manage", episode_id=copy.id))


def _series_defaults(form: SeriesForm) -> None:
    """Continue after the last scheduled episode: one week later, same time and length."""
    last = db.session.scalar(select(Episode).where(Episode.status != "cancelled")
                             .order_by(Episode.starts_at.desc()).limit(1))
    now = now_utc()
    if last is not None and last.starts_at_utc > now:
        starts = to_local(last.starts_at, last.timezone) + timedelta(days=7)
        form.first_day.data = starts.date()
        form.start_time.data = starts.time()
        form.duration_minutes.data = last.duration_minutes
        form.timezone.data = last.timezone
    else:
        form.first_day.data = to_local(now).date() + timedelta(days=7)


@bp.route("/console/episodes/series", methods=["GET", "POST"])
@organizer_required
def series():
    """Preview (writes nothing), then confirm the same plan to create the drafts; a plan
    that changed since the preview is shown again instead of being created."""
    form = SeriesForm()
    if request.method == "GET":
        _series_defaults(form)
    plan = None
    status = 200
    if form.validate_on_submit():
        result = None
        with service_call(form) as done:
            plan = plan_series(**form.plan_args())
            signature = series_signature(plan)
            if request.form.get("action") == "confirm" and form.plan.data == signature:
                result = create_series(plan, timezone=form.timezone.data,
                                       actor_id=current_user.id)
        if done.ok and result is not None:
            return _series_done(result)
        if done.ok:
            if request.form.get("action") == "confirm":
                flash(_("Rencana berubah sejak pratinjau (isian atau nomor yang terpakai). "
                        "Periksa pratinjau di bawah, lalu konfirmasi lagi."), "warning")
            form.plan.data = signature
        else:
            plan = None
            status = 422
    elif request.method == "POST":
        status = 422
    new_items = [item for item in plan or [] if item.existing is None]
    days = day_names(str(get_locale()))
    return render_template(
        "episodes/series.html", form=form, plan=plan, new_items=new_items, days=days,
        weekday=days[form.first_day.data.weekday()] if form.first_day.data else None,
    ), status


def _series_done(result):
    if result.created:
        first, last = result.created[0], result.created[-1]
        flash(_("%(n)s draf dibuat: %(first)s sampai %(last)s.", n=len(result.created),
                first=first.label, last=last.label), "success")
        if result.skipped:
            flash(_("%(n)s tanggal dilewati karena episodenya sudah ada.",
                    n=len(result.skipped)), "info")
        return redirect(url_for("episodes.console", year=first.year, status="draft"))
    flash(_("Semua episode dalam rencana ini sudah ada; tidak ada draf baru yang dibuat."),
          "info")
    return redirect(url_for("episodes.console"))


# Public: cover pictures and the program page ---------------------------------------------

@bp.get("/episodes/<int:episode_id>/cover")
def cover(episode_id: int):
    """404: no cover, or the episode is not visible (drafts: organizers only)."""
    episode = get_episode(episode_id, published_only=not _is_organizer())
    if not episode.cover_image:
        abort(404)
    path = path_of(episode.cover_image)
    if not path.is_file():
        abort(404)
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    # The stored name changes with every upload (and is in the URL), so caching is safe.
    return send_file(path, mimetype=mimetype, max_age=7 * 24 * 3600, conditional=True)


@bp.get("/program/<slug>")
def program(slug: str):
    """404: unknown program (the default program always answers, even when empty)."""
    prog = get_program(slug)
    # A program not saved yet (no episode so far) has nothing to count.
    years = program_years(prog.id) if prog.id else []
    year = year_arg(request.args)
    if year is None and years:
        # This year when it has episodes, else the newest year on record.
        this_year = current_year()
        year = this_year if any(y.year == this_year for y in years) else years[0].year
    episodes = program_year_episodes(prog.id, year) if year else []
    return render_template(
        "episodes/program.html", program=prog, years=years,
        totals=program_totals(prog.id) if prog.id else ProgramTotals(),
        year=year, episodes=episodes, counts=_registered_counts([e.id for e in episodes]),
        now=now_utc(), max_participants=max((y.participants for y in years), default=0),
    )
