"""OpenAPI 3.1 description of the JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from . import schemas
from .schemas import body_schema

# Nested request models (e.g. an evaluation's scores) land here, then in components.
_NESTED: dict[str, Any] = {}


def _model(model: type[schemas.Body], *, required: bool = True) -> dict[str, Any]:
    """A JSON request body described by the pydantic model the route checks it with."""
    return {"required": required,
            "content": {"application/json": {"schema": body_schema(model, _NESTED)}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if schema:
        response["content"] = {"application/json": {"schema": schema}}
    return response


ERRORS = {
    "400": _ok("Bad request", _ref("Error")),
    "401": _ok("Missing or invalid token", _ref("Error")),
    "403": _ok("Role not allowed", _ref("Error")),
    "404": _ok("Not found", _ref("Error")),
    "409": _ok("Conflict with the current state", _ref("Error")),
    "422": _ok("Invalid input", _ref("Error")),
    "429": _ok("Rate limited", _ref("Error")),
}
# Ids beyond the database's integer match no route (404), like unknown ids.
EPISODE_ID = {"name": "id", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}
YEAR = {"name": "year", "in": "query", "required": False,
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}}
TOKEN_ID = {"name": "token_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}
PROVINCE = {"name": "province", "in": "query", "required": False,
            "schema": {"type": "string"}, "description": "the agency's province"}
FORMAT = {"name": "format", "in": "query", "required": False,
          "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]}}
BEARER = [{"bearer": []}]
_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_TIME = {"type": "string", "format": "date-time"}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


_REGISTRATION = _obj({"id": _INT, "status": {"enum": ["registered", "waitlisted"]},
                      "waitlist_position": {"type": ["integer", "null"]}}, ["id", "status"])
_CHECKIN = _obj({"id": _INT, "checkpoint": _STR, "checked_in_at": _TIME, "created": _BOOL,
                 "walk_in": _BOOL}, ["id", "checkpoint", "created"])


def _op(summary: str, responses: dict[str, Any], *, secure: bool = True,
        body: dict[str, Any] | None = None, params: list | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {**responses, **ERRORS}}
    if secure:
        op["security"] = BEARER
    if body:
        op["requestBody"] = body
    if params:
        op["parameters"] = params
    return op


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "ASN Belajar API", "version": "1.0.0",
             "description": "Episodes, registrations, attendance, JP ledger and certificates."},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "ZoomMeeting": {"type": "object", "properties": {
                "zoom_id": {"type": "string"}, "join_url": {"type": "string"},
                "kind": {"enum": ["meeting", "webinar"]}}},
            "ImportSummary": {"type": "object", "required": ["rows", "matched", "unmatched"],
                              "properties": {
                "rows": {"type": "integer"}, "matched": {"type": "integer"},
                "participants": {"type": "integer"},
                "unmatched": {"type": "array", "items": {"type": "object", "properties": {
                    "line": {"type": "integer"}, "name": {"type": "string"},
                    "email": {"type": ["string", "null"]}, "reason": {"type": "string"}}}},
                "sections": {"type": "array", "items": {"type": "object", "properties": {
                    "section": {"type": "string"}, "line": {"type": "integer"},
                    "rows": {"type": "integer"}, "skipped": {"type": "integer"}}}}}},
            "TrainingRateRow": {"type": "object", "properties": {
                "instansi": {"type": "string"}, "province": {"type": ["string", "null"]},
                "participants": {"type": "integer"}, "reached_target": {"type": "integer"},
                "rate": {"type": "number", "minimum": 0, "maximum": 1},
                "headcount": {"type": ["integer", "null"]},
                "headcount_rate": {"type": ["number", "null"]}}},
            "YearSummary": {"type": "object", "properties": {
                k: {"type": "integer"} for k in (
                    "year", "episodes", "registrations", "unique_participants", "attended",
                    "jp_credited", "certificates", "asn_reached_target")}},
            "EpisodeReport": {"type": "object", "properties": {
                "registered": {"type": "integer"}, "waitlisted": {"type": "integer"},
                "attended": {"type": "integer"}, "certified": {"type": "integer"},
                "by_province": {"type": "array", "items": {"type": "object"}},
                "by_instansi": {"type": "array", "items": {"type": "object"}},
                "evaluation": {"type": "object"}}},
            "SiasnRecord": {"type": "object", "properties": {
                "nip": {"type": "string"}, "nama": {"type": "string"},
                "namaKursus": {"type": "string"}, "institusiPenyelenggara": {"type": "string"},
                "jumlahJam": {"type": "integer"},
                "tanggalKursus": {"type": "string", "description": "dd-mm-yyyy"},
                "tanggalSelesaiKursus": {"type": "string", "description": "dd-mm-yyyy"},
                "tahunKursus": {"type": "integer"}, "nomorSertipikat": {"type": "string"},
                "nip_confirmed": {"type": "boolean"}}},
            "Error": {"type": "object", "required": ["error"], "properties": {
                "error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "field": {"type": "string"}}}}},
            "Episode": {"type": "object", "properties": {
                "id": {"type": "integer"}, "year": {"type": "integer"},
                "number": {"type": "integer"}, "title": {"type": "string"},
                "status": {"type": "string"},
                "starts_at": {"type": "string", "format": "date-time"},
                "ends_at": {"type": "string", "format": "date-time"},
                "jp": {"type": "integer"},
                "join_url": {"type": ["string", "null"],
                             "description": "with a participant's token: their own Zoom "
                                            "link (personal when registered with Zoom), "
                                            "null unless registered"}}},
            "Ledger": {"type": "object", "properties": {
                "year": {"type": "integer"}, "total_jp": {"type": "integer"},
                "target_jp": {"type": "integer"},
                "entries": {"type": "array", "items": {"type": "object"}}}},
            "Verification": {"type": "object", "properties": {
                "valid": {"type": "boolean"}, "revoked": {"type": "boolean"},
                "number": {"type": "string"}, "name": {"type": "string"},
                "nip_masked": {"type": "string"}, "episode": {"type": "string"},
                "jp": {"type": ["integer", "null"]},
                "issued_at": {"type": "string", "format": "date-time"},
                "kind": {"type": "string", "enum": ["participant", "speaker"]},
                "revoked_reason": {"type": ["string", "null"]},
                "signed": {"type": "boolean",
                           "description": "the stored copy carries a BSrE e-signature"},
                "signed_at": {"type": ["string", "null"], "format": "date-time"},
                "nip_confirmed": {"type": ["boolean", "null"],
                                  "description": "null: no NIP or not tracked"},
                "replaced_by": {"type": ["string", "null"],
                                "description": "verification URL of the replacement"}}},
            "Certificate": {"type": "object", "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string"},
                "number": {"type": "string"}, "verification_code": {"type": "string"},
                "episode_id": {"type": "integer"}, "name": {"type": "string"},
                "jp": {"type": ["integer", "null"]}, "valid": {"type": "boolean"},
                "issued_at": {"type": "string", "format": "date-time"},
                "revoked_at": {"type": ["string", "null"], "format": "date-time"},
                "revoked_reason": {"type": ["string", "null"]},
                "reissue_of": {"type": ["string", "null"]},
                "replaced_by": {"type": ["string", "null"]},
                "pdf_url": {"type": "string"}, "verify_url": {"type": "string"}}},
        },
    },
    "paths": {
        "/integrations/zoom": {
            "put": _op(
                "Set the Zoom Server-to-Server OAuth app (organizer); the secret is stored "
                "encrypted and never returned; an empty secret keeps the stored one",
                {"204": _ok("Saved")},
                body=_model(schemas.ZoomConnectionPut)),
            "get": _op("The Zoom connection without its secret (organizer)", {"200": _ok(
                "Connection", {"type": "object", "properties": {
                    "account_id": {"type": ["string", "null"]},
                    "client_id": {"type": ["string", "null"]},
                    "configured": {"type": "boolean"},
                    "tested_at": {"type": ["string", "null"]},
                    "test_ok": {"type": ["boolean", "null"]}}})}),
        },
        "/integrations/zoom/test": {"post": _op(
            "Test the Zoom connection (organizer)", {"200": _ok("Outcome", {
                "type": "object", "properties": {"ok": {"type": "boolean"},
                                                 "message": {"type": "string"}}})})},
        "/episodes/{id}/zoom": {"post": _op(
            "Create the episode's Zoom meeting or webinar (organizer); a repeat returns it",
            {"201": _ok("Created", _ref("ZoomMeeting")),
             "200": _ok("Already created", _ref("ZoomMeeting"))}, params=[EPISODE_ID],
            body=_model(schemas.ZoomCreate))},
        "/episodes/{id}/zoom/pull-report": {"post": _op(
            "Pull Zoom's participant report now and import it like an upload (organizer); "
            "allowed any time; confirm=true to replace a finalized episode's evidence or to "
            "import a report without connections",
            {"200": _ok("Import summary", _ref("ImportSummary"))}, params=[EPISODE_ID],
            body=_model(schemas.ZoomPull, required=False))},
        "/auth/token": {"post": _op("Exchange email/NIP and password for a token",
                                    {"200": _ok("Token", _obj(
                                        {"token": _STR, "user": _obj(
                                            {"id": _INT, "role": _STR}, ["id", "role"])},
                                        ["token", "user"]))}, secure=False,
                                    body=_model(schemas.TokenRequest))},
        "/participants": {"post": _op("Participant sign-up", {"201": _ok("Created", _obj(
            {"id": _INT, "email": _STR, "full_name": _STR, "employee_type": _NSTR,
             "nip": _NSTR, "instansi": _NSTR, "instansi_in_reference": _BOOL}, ["id"]))},
                                      secure=False, body=_model(schemas.SignUp))},
        "/episodes": {
            "get": _op("Published episodes", {"200": _ok("List", {
                "type": "array", "items": _ref("Episode")})}, secure=False, params=[YEAR]),
            "post": _op("Create an episode (organizer)", {"201": _ok("Created",
                                                                     _ref("Episode"))},
                        body=_model(schemas.EpisodeCreate)),
        },
        "/episodes/{id}": {
            "get": _op("One published episode", {"200": _ok("Episode", _ref("Episode"))},
                       secure=False, params=[EPISODE_ID]),
            "patch": _op("Change an episode (organizer)",
                         {"200": _ok("Episode", _ref("Episode"))},
                         body=_model(schemas.EpisodeFields), params=[EPISODE_ID]),
        },
        "/episodes/{id}/publish": {"post": _op("Publish (organizer)",
                                               {"200": _ok("Episode", _ref("Episode"))},
                                               params=[EPISODE_ID])},
        "/episodes/{id}/speakers": {"post": _op(
            "Attach a speaker (organizer)", {"201": _ok("Attached", _obj(
                {"id": _INT, "speaker_id": _INT, "name": _STR, "institution": _NSTR,
                 "role": _STR, "order": _INT, "position": _NSTR},
                ["id", "speaker_id", "name", "role"]))}, params=[EPISODE_ID],
            body=_model(schemas.SpeakerAttach))},
        "/episodes/{id}/checkpoints": {"post": _op(
            "Add a checkpoint (organizer)", {"201": _ok("Created", _obj(
                {"id": _INT, "label": _STR, "code": _STR, "opens_at": _TIME,
                 "closes_at": _TIME, "required": _BOOL}, ["id", "code"]))},
            params=[EPISODE_ID],
            body=_model(schemas.CheckpointCreate))},
        "/episodes/{id}/registrations": {"post": _op(
            "Register (participant)", {"201": _ok("Registered or waitlisted", _REGISTRATION),
                                       "200": _ok("Already registered", _REGISTRATION)},
            params=[EPISODE_ID])},
        "/episodes/{id}/registrations/me": {"delete": _op(
            "Cancel my registration", {"200": _ok("Cancelled", _obj(
                {"id": _INT, "status": _STR}, ["id", "status"]))}, params=[EPISODE_ID])},
        "/episodes/{id}/checkins": {"post": _op(
            "Check in with a code", {"201": _ok("Recorded", _CHECKIN),
                                     "200": _ok("Already recorded", _CHECKIN)},
            params=[EPISODE_ID], body=_model(schemas.CheckIn))},
        "/episodes/{id}/attendance-report": {"post": _op(
            "Upload a Zoom report (organizer); confirm=true to replace a finalized "
            "episode's evidence or to import a report without connections",
            {"200": _ok("Import summary", _ref("ImportSummary")),
             "413": _ok("Report larger than REPORT_MAX_BYTES", _ref("Error"))},
            params=[EPISODE_ID],
            body={"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "confirm": {"type": "string", "enum": ["true", "false"]}}}}}})},
        "/episodes/{id}/finalize": {"post": _op(
            "Finalize: verdicts, credits, certificates (organizer)",
            {"200": _ok("Counts of this run", _obj(
                {"attended": _INT, "credited": _INT, "certificates_issued": _INT},
                ["attended", "credited", "certificates_issued"]))}, params=[EPISODE_ID],
            body=_model(schemas.Finalize, required=False))},
        "/episodes/{id}/evaluations": {"post": _op(
            "Submit the evaluation (participant)",
            {"201": _ok("Saved", _obj({"id": _INT}, ["id"]))}, params=[EPISODE_ID],
            body=_model(schemas.EvaluationSubmit))},
        "/me/ledger": {"get": _op("My JP ledger", {"200": _ok("Ledger", _ref("Ledger"))},
                                  params=[YEAR])},
        "/participants/{nip}/ledger": {"get": _op(
            "A participant's ledger (organizer)", {"200": _ok("Ledger", _ref("Ledger"))},
            params=[{"name": "nip", "in": "path", "required": True,
                     "schema": {"type": "string"}}, YEAR])},
        "/me/certificates": {"get": _op("My certificates", {"200": _ok("List", {
            "type": "array", "items": _obj(
                {"number": _STR, "verification_code": _STR, "episode_id": _INT,
                 "jp": {"type": ["integer", "null"]}, "valid": _BOOL, "issued_at": _TIME,
                 "pdf_url": _STR, "verify_url": _STR},
                ["number", "verification_code", "episode_id", "pdf_url"])})})},
        "/auth/logout": {"post": _op(
            "Revoke the presenting token (then 401 like any dead token)",
            {"204": {"description": "Revoked"}})},
        "/auth/tokens": {"get": _op(
            "The holder's own live tokens (never a secret)", {"200": _ok("Tokens", {
                "type": "array", "items": _obj(
                    {"id": _INT, "name": _NSTR, "created_at": _TIME,
                     "last_used_at": {"type": ["string", "null"], "format": "date-time"},
                     "expires_at": {"type": ["string", "null"], "format": "date-time"}},
                    ["id", "created_at"])})})},
        "/auth/tokens/{token_id}": {"delete": _op(
            "Revoke one of the holder's tokens; another person's or an unknown one is 404",
            {"204": {"description": "Revoked"}}, params=[TOKEN_ID])},
        "/episodes/{id}/certificates.zip": {"get": _op(
            "Every live participant certificate PDF of the episode in a streamed ZIP, file "
            "names by certificate number (organizer)",
            {"200": {"description": "ZIP", "content": {"application/zip": {}}}},
            params=[EPISODE_ID])},
        "/certificates/{code}/revoke": {"post": _op(
            "Revoke a certificate; its JP credit is reversed (organizer)",
            {"200": _ok("The revoked certificate", _ref("Certificate"))},
            params=[{"name": "code", "in": "path", "required": True,
                     "schema": {"type": "string"}}],
            body=_model(schemas.Revoke))},
        "/certificates/{code}/reissue": {"post": _op(
            "Reissue: the old one is revoked, a new number and code are issued from the "
            "current profile, the JP credit moves and the participant is emailed (organizer)",
            {"200": _ok("The new certificate", _ref("Certificate"))},
            params=[{"name": "code", "in": "path", "required": True,
                     "schema": {"type": "string"}}],
            body=_model(schemas.Reissue))},
        "/verify/{code}": {"get": _op(
            "Verify a certificate", {"200": _ok("Verification", _ref("Verification"))},
            secure=False, params=[{"name": "code", "in": "path", "required": True,
                                   "schema": {"type": "string"}}])},
        "/reports/training-rate": {"get": _op(
            "Training rate per agency and year, JP earned on this platform (organizer); "
            "format=csv|xlsx returns the same table as a file",
            {"200": _ok("Rows", {"type": "array", "items": _ref("TrainingRateRow")})},
            params=[YEAR, PROVINCE, FORMAT])},
        "/reports/summary": {"get": _op(
            "Headline figures of a year (organizer)",
            {"200": _ok("Summary", _ref("YearSummary"))}, params=[YEAR])},
        "/episodes/{id}/report": {"get": _op(
            "Episode report: funnel, by province and agency, evaluation (organizer)",
            {"200": _ok("Report", _ref("EpisodeReport"))}, params=[EPISODE_ID])},
        "/episodes/{id}/siasn": {"get": _op(
            "SIASN course-history records of the episode's live ASN certificates "
            "(organizer); format=csv for a file",
            {"200": _ok("Records", {"type": "array", "items": _ref("SiasnRecord")})},
            params=[EPISODE_ID, FORMAT])},
        "/participants/{nip}/siasn": {"get": _op(
            "SIASN course-history records of one ASN for a year (organizer)",
            {"200": _ok("Records", {"type": "array", "items": _ref("SiasnRecord")})},
            params=[{"name": "nip", "in": "path", "required": True,
                     "schema": {"type": "string"}}, YEAR, FORMAT])},
    },
}
OPENAPI["components"]["schemas"].update(_NESTED)
