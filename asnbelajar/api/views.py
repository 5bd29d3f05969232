"""JSON API v1 (the public contract in DESIGN.md).

Authentication is a Bearer token only; session cookies are ignored here, which is why the
blueprint is exempt from CSRF. Errors are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import ParticipantProfile, User
from ..accounts.nip import NIPError, parse_nip
from ..accounts.services import ProfileData, authenticate, send_verification_email, sign_up
from ..accounts.sessions import (
    API_USER_KEY,
    TokenHolder,
    bearer_token,
    issue_api_token,
    user_for_token,
)
from ..attendance.services import (
    check_in,
    finalize_episode,
    import_report,
    normalize_code,
    read_token_and_checkpoint,
)
from ..certificates.services import certificates_of, verify
from ..database import commit_keeping_loaded
from ..episodes.models import Episode
from ..episodes.services import (
    add_checkpoint,
    create_episode,
    get_episode,
    publish_episode,
    published_episodes,
    update_episode,
)
from ..errors import DomainError, NotFound, ValidationError
from ..evaluations.services import submit_evaluation
from ..extensions import db, limiter
from ..hotpath import (
    HOLDER_KEY,
    FailureLimit,
    failure_limits,
    hot,
    hot_json,
    limits_apply,
    plain_json_post,
    within_limits,
)
from ..integrations.registrants import participant_join_url
from ..ledger.services import ledger_for
from ..operations import assign_request_id
from ..registrations.hot import (
    commits_in_its_statement,
    read_token_and_episode,
    register_in_its_statement,
)
from ..registrations.services import (
    cancel_registration,
    place_in_line,
    register,
)
from ..speakers.services import add_speaker
from ..timeutil import current_year, iso
from ..util.sql import year_arg
from ..web import json_error
from . import schemas
from .openapi import OPENAPI
from .schemas import parse

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    db.session.rollback()
    body: dict[str, Any] = {"code": err.code, "message": str(err.message)}
    if err.field:
        body["field"] = err.field
    response = jsonify({"error": body})
    response.status_code = err.status
    return response


def _api_user() -> User | None:
    # Cached per request (not on g, which outlives a request when an app context is shared).
    key = API_USER_KEY
    if key not in request.environ:
        token = bearer_token(request.headers.get("Authorization"))
        request.environ[key] = user_for_token(token) if token else None
    return request.environ[key]


def _rate_key() -> str:
    user = request.environ.get(HOLDER_KEY) or _api_user()  # a hot view's, or the user
    return f"user:{user.id}" if user else f"ip:{request.remote_addr}"


def require(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = _api_user()
            if user is None:
                return json_error(401, "unauthorized", _l("Token API tidak ada atau tidak sah."))
            if roles and user.role not in roles:
                return json_error(403, "forbidden", _l("Peran Anda tidak berhak atas aksi ini."))
            return view(user, *args, **kwargs)

        return wrapped

    return decorator


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        if request.content_length in (None, 0) and not request.data:
            return {}
        raise ValidationError(_l("Badan permintaan harus JSON yang sah."), code="invalid_json")
    if not isinstance(data, dict):
        raise ValidationError(_l("Badan permintaan harus objek JSON."), code="invalid_json")
    return data


def episode_json(episode: Episode, *, full: bool = False) -> dict[str, Any]:
    data = {
        "id": episode.id, "year": episode.year, "number": episode.number,
        "label": episode.label, "title": episode.title, "summary": episode.summary,
        "competency_type": episode.competency_type, "status": episode.status,
        "starts_at": iso(episode.starts_at), "ends_at": iso(episode.ends_at),
        "timezone": episode.timezone, "jp": episode.jp, "capacity": episode.capacity,
        "registration_opens_at": iso(episode.registration_opens()),
        "registration_closes_at": iso(episode.registration_closes()),
        "registration_open": episode.registration_open(),
        "youtube_url": episode.youtube_url,
        "attendance_rule": episode.attendance_rule, "min_minutes": episode.min_minutes,
        "min_percent": episode.min_percent, "evaluation_required": episode.evaluation_required,
        "walk_in_allowed": episode.walk_in_allowed,
        "finalized_at": iso(episode.finalized_at),
        "url": url_for("episodes.detail", episode_id=episode.id, _external=False),
        "speakers": [
            {"name": link.speaker.name, "institution": link.speaker.institution,
             "role": link.role, "order": link.position,
             "position": link.speaker.position}
            for link in episode.speakers
        ],
    }
    if full:
        data["zoom_url"] = episode.zoom_url
        data["checkpoints"] = [
            {"id": c.id, "label": c.label, "code": c.code, "opens_at": iso(c.opens_at),
             "closes_at": iso(c.closes_at), "required": c.required}
            for c in episode.checkpoints
        ]
    return data


# Accounts -------------------------------------------------------------------------------

@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"],
               deduct_when=lambda response: response.status_code != 200)
def auth_token():
    data = parse(schemas.TokenRequest, _json_body())
    # Throttled per account too (TooManyAttempts: 429, as for a missing account).
    user = authenticate(str(data.get("login") or ""), str(data.get("password") or ""))
    if user is None:
        db.session.commit()  # the failure count
        return json_error(401, "invalid_credentials", _l("Email/NIP atau kata sandi salah."))
    token = issue_api_token(user, name="api-login")
    db.session.commit()
    return jsonify({"token": token, "user": {"id": user.id, "role": user.role}})


@bp.post("/participants")
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGNUP"])
def participants_create():
    data = parse(schemas.SignUp, _json_body())
    strings = {k: (str(v) if v is not None and not isinstance(v, bool) else v)
               for k, v in data.items()}
    user = sign_up(
        email=strings.get("email") or "", password=strings.get("password") or "",
        full_name=strings.get("full_name") or "", consent=data.get("consent") is True
        or str(data.get("consent")).lower() in ("true", "1", "yes"),
        profile=ProfileData(
            nip=strings.get("nip"), employee_type=strings.get("employee_type"),
            instansi=strings.get("instansi"), unit_kerja=strings.get("unit_kerja"),
            jabatan=strings.get("jabatan"), pangkat_golongan=strings.get("pangkat_golongan"),
            province=strings.get("province"), phone=strings.get("phone"),
        ),
        locale=data.get("locale") if data.get("locale") in ("id", "en") else "id",
        timezone=strings.get("timezone"),
    )
    send_verification_email(user)
    db.session.commit()
    profile = user.profile
    return jsonify({
        "id": user.id, "email": user.email, "full_name": user.full_name,
        "employee_type": profile.employee_type if profile else None,
        "nip": profile.nip if profile else None,
        "instansi": profile.instansi_name if profile else None,
        "instansi_in_reference": bool(profile and profile.instansi
                                      and profile.instansi.is_reference),
    }), 201


# Episodes -------------------------------------------------------------------------------

@bp.get("/episodes")
def episodes_list():
    year = year_arg(request.args)
    upcoming = request.args.get("upcoming")
    flag = None if upcoming is None else upcoming.lower() in ("1", "true", "yes")
    episodes = published_episodes(year=year, upcoming=flag)
    return jsonify([episode_json(e) for e in episodes if e.status == "published"])


@bp.get("/episodes/<int:episode_id>")
def episodes_get(episode_id: int):
    user = _api_user()
    episode = get_episode(episode_id, published_only=not (user and user.is_organizer))
    data = episode_json(episode, full=bool(user and user.is_organizer))
    if user is not None and user.role == "participant":
        # Their own Zoom link (personal, so the report names them), only when registered.
        data["join_url"] = participant_join_url(episode, user.id)
    return jsonify(data)


@bp.post("/episodes")
@require("organizer")
def episodes_create(user: User):
    episode = create_episode(parse(schemas.EpisodeCreate, _json_body()), user.id)
    db.session.commit()
    return jsonify(episode_json(episode, full=True)), 201


@bp.patch("/episodes/<int:episode_id>")
@require("organizer")
def episodes_update(user: User, episode_id: int):
    episode = get_episode(episode_id)
    update_episode(episode, parse(schemas.EpisodeFields, _json_body()), user.id)
    db.session.commit()
    return jsonify(episode_json(episode, full=True))


@bp.post("/episodes/<int:episode_id>/publish")
@require("organizer")
def episodes_publish(user: User, episode_id: int):
    episode = publish_episode(get_episode(episode_id), user.id)
    db.session.commit()
    return jsonify(episode_json(episode, full=True))


@bp.post("/episodes/<int:episode_id>/speakers")
@require("organizer")
def episodes_add_speaker(user: User, episode_id: int):
    link = add_speaker(get_episode(episode_id), parse(schemas.SpeakerAttach, _json_body()),
                       user.id)
    db.session.commit()
    speaker = link.speaker
    return jsonify({"id": link.id, "speaker_id": speaker.id, "name": speaker.name,
                    "institution": speaker.institution, "role": link.role,
                    "order": link.position, "position": speaker.position}), 201


@bp.post("/episodes/<int:episode_id>/checkpoints")
@require("organizer")
def episodes_add_checkpoint(user: User, episode_id: int):
    checkpoint = add_checkpoint(get_episode(episode_id),
                                parse(schemas.CheckpointCreate, _json_body()), user.id)
    db.session.commit()
    return jsonify({"id": checkpoint.id, "label": checkpoint.label, "code": checkpoint.code,
                    "opens_at": iso(checkpoint.opens_at), "closes_at": iso(checkpoint.closes_at),
                    "required": checkpoint.required}), 201


# Registrations and attendance -----------------------------------------------------------

def _checkin_limit() -> str:
    return current_app.config["RATELIMIT_CHECKIN"]


# Counted on failures only: a success writes nothing to the limiter's storage, and a hot
# view (hotpath.py) only reads them.
REGISTRATION_LIMITS = (
    FailureLimit(lambda: "30 per minute", _rate_key, lambda status: status >= 400),
)
CHECKIN_LIMITS = (
    # Per person: wrong codes, closed windows, refusals.
    FailureLimit(_checkin_limit, _rate_key, lambda status: status >= 400),
    # Per address: guessing codes or episodes across many accounts.
    FailureLimit(lambda: "300 per minute", lambda: f"ip:{request.remote_addr}",
                 lambda status: status in (404, 422)),
)


@bp.post("/episodes/<int:episode_id>/registrations")
@require("participant")
@failure_limits(*REGISTRATION_LIMITS)
def registrations_create(user: User, episode_id: int):
    return _registration_answer(register(episode_id, user, source="api"))


def _registration_answer(result):
    # 404 for a draft, as everywhere (register raises it). Read before the commit expires
    # the row (no reload); answered only once committed.
    body = {"id": result.id, "status": result.status,
            "waitlist_position": place_in_line(result)}
    commit_keeping_loaded()
    return body, 201 if result.created else 200


@hot("api.registrations_create")
def registrations_create_hot(episode_id: int):
    """``registrations_create`` for a plain success (hotpath.py): the same service and
    answer, without the per-request machinery."""
    if plain_json_post() is None:
        return None
    assign_request_id()
    token = bearer_token(request.headers.get("Authorization"))
    if not token:
        return None
    if commits_in_its_statement():  # PostgreSQL: the episode's lock held in the server only
        result = register_in_its_statement(
            token, episode_id, source="api", allowed=lambda holder: _hot_holder_allowed(
                holder, "api.registrations_create", REGISTRATION_LIMITS),
            limits_apply=limits_apply())
        return hot_json(*_registration_answer(result)) if result is not None else None
    # Inside a transaction already in progress, or on SQLite: the token and the episode in
    # one statement (on PostgreSQL with the early write), register decides, the commit
    # follows.
    holder, found = read_token_and_episode(token, episode_id, source="api")
    if not _hot_holder_allowed(holder, "api.registrations_create", REGISTRATION_LIMITS):
        return None
    return hot_json(*_registration_answer(
        register(episode_id, holder, source="api", prefetched=found)))


def _hot_holder_allowed(holder: TokenHolder | None, endpoint: str, limits) -> bool:
    """Whether a hot view may answer for ``holder``: a participant's live token, no limit
    reached (the limits' key reads the holder)."""
    if holder is None or holder.role != "participant":
        return False
    request.environ[HOLDER_KEY] = holder
    return within_limits(endpoint, limits)


@bp.delete("/episodes/<int:episode_id>/registrations/me")
@require("participant")
def registrations_cancel(user: User, episode_id: int):
    get_episode(episode_id, published_only=True)
    registration = cancel_registration(episode_id, user)
    db.session.commit()
    return jsonify({"id": registration.id, "status": registration.status})


@bp.post("/episodes/<int:episode_id>/checkins")
@require("participant")
@failure_limits(*CHECKIN_LIMITS)
def checkins_create(user: User, episode_id: int):
    data = parse(schemas.CheckIn, _json_body())
    return _checkin_answer(episode_id, user, data)


def _checkin_answer(episode_id: int, user: User | TokenHolder, data: dict[str, Any],
                    **read: Any):
    result = check_in(episode_id, user, str(data.get("code") or ""), ip=request.remote_addr,
                      **read)
    # Read before the commit expires the objects (no reload); answered only once committed.
    body = {"id": result.check_in.id, "checkpoint": result.checkpoint.label,
            "checked_in_at": iso(result.check_in.created_at), "created": result.created,
            "walk_in": result.walk_in}
    commit_keeping_loaded()
    return body, 201 if result.created else 200


@hot("api.checkins_create")
def checkins_create_hot(episode_id: int):
    """``checkins_create`` for a plain success (hotpath.py): the same validation, service
    and answer, without the per-request machinery."""
    body = plain_json_post()
    if body is None:
        return None
    data = parse(schemas.CheckIn, body)  # a refusal: the ordinary view answers
    assign_request_id()
    token = bearer_token(request.headers.get("Authorization"))
    code = str(data.get("code") or "")
    if not token or not normalize_code(code):
        return None
    # The token and the checkpoint (on PostgreSQL and a qualifying check-in) in one
    # statement.
    holder, found = read_token_and_checkpoint(token, episode_id, code, request.remote_addr)
    if not _hot_holder_allowed(holder, "api.checkins_create", CHECKIN_LIMITS):
        return None
    return hot_json(*_checkin_answer(episode_id, holder, data, prefetched=found))


@bp.post("/episodes/<int:episode_id>/attendance-report")
@require("organizer")
def attendance_report(user: User, episode_id: int):
    episode = get_episode(episode_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(_l("Unggah berkas laporan Zoom (CSV) pada kolom \"file\"."),
                              field="file")
    confirm = str(request.form.get("confirm") or request.args.get("confirm") or "").lower()
    summary = import_report(episode, upload.read(current_app.config["REPORT_MAX_BYTES"] + 1),
                            upload.filename, user.id, confirm=confirm in ("true", "1", "yes"))
    db.session.commit()
    return jsonify(summary.as_json())


@bp.post("/episodes/<int:episode_id>/finalize")
@require("organizer")
def episodes_finalize(user: User, episode_id: int):
    get_episode(episode_id)
    data = parse(schemas.Finalize, _json_body())
    force = data.get("force") is True
    summary = finalize_episode(episode_id, actor_id=user.id, force=force)
    db.session.commit()
    return jsonify(summary.as_json())


@bp.post("/episodes/<int:episode_id>/evaluations")
@require("participant")
def evaluations_create(user: User, episode_id: int):
    data = parse(schemas.EvaluationSubmit, _json_body())
    episode = get_episode(episode_id, published_only=True)
    evaluation = submit_evaluation(episode, user, data.get("scores") or {}, data.get("comment"))
    db.session.commit()
    return jsonify({"id": evaluation.id}), 201


# Ledger, certificates, verification, reports --------------------------------------------

def _year_arg() -> int:
    year = request.args.get("year")
    if year in (None, ""):
        return current_year()
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        raise ValidationError(_l("Parameter year tidak valid."), field="year")
    return int(year)


def _ledger_json(user_id: int, year: int) -> dict[str, Any]:
    ledger = ledger_for(user_id, year)
    return {
        "year": ledger.year, "total_jp": ledger.total_jp, "target_jp": ledger.target_jp,
        "reached_target": ledger.total_jp >= ledger.target_jp,
        "entries": [
            {"id": e.id, "kind": e.kind, "jp": e.jp, "year": e.year,
             "episode_id": e.episode_id, "certificate_id": e.certificate_id,
             "reverses_id": e.reverses_id, "title": e.title, "provider": e.provider,
             "occurred_on": e.occurred_on.isoformat() if e.occurred_on else None,
             "reason": e.reason, "created_at": iso(e.created_at)}
            for e in ledger.entries
        ],
    }


@bp.get("/me/ledger")
@require()
def my_ledger(user: User):
    return jsonify(_ledger_json(user.id, _year_arg()))


@bp.get("/participants/<nip>/ledger")
@require("organizer")
def participant_ledger(user: User, nip: str):
    try:
        normalized = parse_nip(nip).nip
    except NIPError as err:
        raise ValidationError(err.message, code="invalid_nip") from None
    owner = db.session.scalar(
        select(ParticipantProfile.user_id).where(ParticipantProfile.nip == normalized))
    if owner is None:
        raise NotFound(_l("Tidak ada peserta dengan NIP ini."))
    return jsonify(_ledger_json(owner, _year_arg()))


@bp.get("/me/certificates")
@require()
def my_certificates(user: User):
    return jsonify([
        {"number": c.number, "verification_code": c.verification_code,
         "episode_id": c.episode_id, "jp": c.jp, "valid": c.revoked_at is None,
         "issued_at": iso(c.issued_at),
         "pdf_url": url_for("certificates.download", code=c.verification_code,
                            _external=True),
         "verify_url": url_for("certificates.verify_page", code=c.verification_code,
                               _external=True)}
        for c in certificates_of(user.id)
    ])


@bp.get("/verify/<code>")
@limiter.limit("120 per minute")
def verify_code(code: str):
    return jsonify(verify(code).as_json())


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


from . import auth as _auth  # noqa: E402,F401  registers routes
from . import certificates as _certificates  # noqa: E402,F401  registers routes
from . import reports as _reports  # noqa: E402,F401  registers routes
from . import zoom as _zoom  # noqa: E402,F401  registers routes
