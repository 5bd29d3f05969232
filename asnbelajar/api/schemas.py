"""Request bodies of the JSON API: one pydantic model per body, used twice.

* :func:`parse` checks a request's JSON against its model before any service runs: a
  wrong type, a missing required field, a value out of range or a string with a NUL
  byte is a 422 ``{"error": {"code": "validation_error", "message", "field"}}`` with an
  Indonesian (or the user's English) message naming the field, and nothing is changed.
* ``api/openapi.py`` builds the request-body schemas of ``/api/v1/openapi.json`` from the
  same models (:func:`body_schema`), so the document cannot drift from what the code
  accepts.

The models check *types and bounds*; the domain rules (a title not blank, a window inside
the episode, a free series number) stay in the services, which receive the same dict as
before (``model_dump(exclude_unset=True)``: a key sent as ``null`` is still "sent").
Unknown keys are ignored, as they always were. The accepted fields are DESIGN.md's, plus
the optional ones the services already took (e.g. ``summary``, ``walk_in_allowed``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticError

from ..errors import ValidationError

DB_INT_MAX = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("nul")
    return value


def _no_bool(value: Any) -> Any:
    # pydantic's lax int takes true/false as 1/0; a count or a year never is a boolean.
    if isinstance(value, bool):
        raise ValueError("bool")
    return value


def _digits_as_text(value: Any) -> Any:
    # A NIP or a phone number sent as a JSON number is kept as the digits it spells.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return value


def Text(max_length: int = 200, **schema: Any) -> Any:  # noqa: N802  a type factory
    """A string of at most ``max_length`` characters without NUL bytes (PostgreSQL
    cannot store them)."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_nul),
                     Field(json_schema_extra=schema or None)]


def Int(low: int = 0, high: int = DB_INT_MAX) -> Any:  # noqa: N802  a type factory
    """A whole number within ``low..high`` (never beyond the database's integer)."""
    return Annotated[int, BeforeValidator(_no_bool), Field(ge=low, le=high)]


DateTime = Annotated[str, StringConstraints(max_length=64), AfterValidator(_no_nul),
                     WithJsonSchema({"type": "string", "format": "date-time"})]
Digits = Annotated[str, BeforeValidator(_digits_as_text), StringConstraints(max_length=40),
                   AfterValidator(_no_nul)]
Flag = Annotated[bool, Field()]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False,
                              hide_input_in_errors=True)


# Accounts -------------------------------------------------------------------------------

class TokenRequest(Body):
    login: Text(320)
    password: Text(1024, writeOnly=True)


class SignUp(Body):
    email: Text(320)
    password: Text(1024, writeOnly=True)
    full_name: Text(200)
    nip: Digits | None = None
    employee_type: Text(20) | None = None
    instansi: Text(300)
    unit_kerja: Text(300) | None = None
    jabatan: Text(300) | None = None
    pangkat_golongan: Text(100) | None = None
    province: Text(100) | None = None
    phone: Digits | None = None
    timezone: Text(64) | None = None
    locale: Literal["id", "en"] | None = None
    consent: bool


# Episodes -------------------------------------------------------------------------------

class EpisodeFields(Body):
    """Every field an organizer may set; all optional (PATCH)."""

    year: Int(2000, 2100) | None = None
    number: Int(1, 999) | None = None
    title: Text(300) | None = None
    summary: Text(10000) | None = None
    competency_type: Literal["manajerial", "sosial_kultural", "teknis"] | None = None
    starts_at: DateTime | None = None
    ends_at: DateTime | None = None
    timezone: Text(64) | None = None
    jp: Int(0, 100) | None = None
    capacity: Int(1, 1_000_000) | None = None
    zoom_url: Text(500) | None = None
    youtube_url: Text(500) | None = None
    recording_url: Text(500) | None = None
    registration_opens_at: DateTime | None = None
    registration_closes_at: DateTime | None = None
    attendance_rule: Literal["checkpoints", "minutes", "percent", "either"] | None = None
    min_minutes: Int(0, 24 * 60) | None = None
    min_percent: Int(0, 100) | None = None
    evaluation_required: bool | None = None
    walk_in_allowed: bool | None = None


class EpisodeCreate(EpisodeFields):
    number: Int(1, 999)
    title: Text(300)
    starts_at: DateTime
    ends_at: DateTime


class SpeakerAttach(Body):
    name: Text(200)
    institution: Text(300) | None = None
    role: Literal["narasumber", "moderator", "keynote"] | None = None
    email: Text(320) | None = None
    position: Text(300) | None = None
    bio: Text(5000) | None = None
    order: Int(0, 1000) | None = None


class CheckpointCreate(Body):
    label: Text(100)
    opens_at: DateTime
    closes_at: DateTime
    code: Text(32) | None = None
    required: bool | None = None


class CheckIn(Body):
    code: Text(64)


class Finalize(Body):
    force: bool = False


class Scores(Body):
    model_config = ConfigDict(extra="allow")

    material: Int(1, 5)
    speaker: Int(1, 5)
    organization: Int(1, 5)
    relevance: Int(1, 5)
    speakers: dict[Annotated[str, StringConstraints(pattern=r"^\d{1,10}$")],
                   Int(1, 5)] | None = Field(
        None, description="optional per-speaker scores {speaker_id: 1-5}")


class EvaluationSubmit(Body):
    scores: Scores
    comment: Text(4000) | None = None


# Certificates ---------------------------------------------------------------------------

class Revoke(Body):
    reason: Text(400)


class Reissue(Body):
    reason: Text(400) | None = None


# Zoom -----------------------------------------------------------------------------------

class ZoomConnectionPut(Body):
    account_id: Text(200) | None = None
    client_id: Text(200) | None = None
    client_secret: Text(500, writeOnly=True) | None = None


class ZoomCreate(Body):
    kind: Literal["meeting", "webinar"]
    registration_required: bool = True
    auto_recording: Literal["none", "local", "cloud"] = "none"


class ZoomPull(Body):
    confirm: bool = False


# Checking a request ---------------------------------------------------------------------

_MESSAGES = {
    "missing": _l("%(field)s wajib diisi."),
    "string_type": _l("%(field)s harus berupa teks."),
    "string_too_long": _l("%(field)s terlalu panjang (maksimal %(limit)s karakter)."),
    "string_pattern_mismatch": _l("%(field)s tidak valid."),
    "int_type": _l("%(field)s harus berupa bilangan bulat."),
    "int_parsing": _l("%(field)s harus berupa bilangan bulat."),
    "int_from_float": _l("%(field)s harus berupa bilangan bulat."),
    "int_parsing_size": _l("%(field)s terlalu besar."),
    "greater_than_equal": _l("%(field)s minimal %(limit)s."),
    "less_than_equal": _l("%(field)s maksimal %(limit)s."),
    "bool_type": _l("%(field)s harus true atau false."),
    "bool_parsing": _l("%(field)s harus true atau false."),
    "literal_error": _l("%(field)s harus salah satu dari: %(limit)s."),
    "dict_type": _l("%(field)s harus berupa objek JSON."),
    "model_type": _l("%(field)s harus berupa objek JSON."),
    "model_attributes_type": _l("%(field)s harus berupa objek JSON."),
    "value_error": _l("%(field)s tidak boleh berisi karakter NUL."),
}


def _message(error: dict[str, Any], field: str) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "bool" in str(ctx.get("error", "")):
        kind = "int_type"
    limit = ctx.get("max_length") or ctx.get("ge") or ctx.get("le") or ctx.get("expected")
    if kind == "greater_than_equal":
        limit = ctx.get("ge")
    elif kind == "less_than_equal":
        limit = ctx.get("le")
    if kind == "literal_error":
        limit = str(limit).replace(" or ", ", ")
    template = _MESSAGES.get(kind, _l("%(field)s tidak valid."))
    return str(template) % {"field": field, "limit": limit}


def to_validation_error(err: PydanticError) -> ValidationError:
    """The first problem as the API's 422 with the field's dotted path."""
    first = err.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "body"
    return ValidationError(_message(first, field), code="validation_error", field=field)


def parse(model: type[Body], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked against ``model``: the fields that were sent, typed."""
    try:
        checked = model.model_validate(data)
    except PydanticError as err:
        raise to_validation_error(err) from None
    return checked.model_dump(exclude_unset=True)


def body_schema(model: type[Body], components: dict[str, Any]) -> dict[str, Any]:
    """``model``'s JSON schema for the OpenAPI document; nested models go to
    ``components`` and are referenced from there."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, nested in schema.pop("$defs", {}).items():
        components.setdefault(name, nested)
    return schema
