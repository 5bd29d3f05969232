"""OpenAPI 3.1 description of the JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


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
EPISODE_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
YEAR = {"name": "year", "in": "query", "required": False, "schema": {"type": "integer"}}
PROVINCE = {"name": "province", "in": "query", "required": False,
            "schema": {"type": "string"}, "description": "the agency's province"}
FORMAT = {"name": "format", "in": "query", "required": False,
          "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]}}
BEARER = [{"bearer": []}]


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
            "SignUp": {"type": "object", "required": ["email", "password", "full_name",
                                                      "instansi", "consent"],
                       "properties": {k: {"type": "string"} for k in (
                           "email", "password", "full_name", "nip", "employee_type",
                           "instansi", "unit_kerja", "jabatan", "pangkat_golongan",
                           "province", "phone")} | {"consent": {"type": "boolean"}}},
            "EpisodeInput": {"type": "object", "required": ["year", "number", "title",
                                                            "starts_at", "ends_at"],
                             "properties": {
                                 "year": {"type": "integer"}, "number": {"type": "integer"},
                                 "title": {"type": "string"}, "summary": {"type": "string"},
                                 "competency_type": {"enum": ["manajerial", "sosial_kultural",
                                                              "teknis"]},
                                 "starts_at": {"type": "string", "format": "date-time"},
                                 "ends_at": {"type": "string", "format": "date-time"},
                                 "jp": {"type": "integer"}, "capacity": {"type": "integer"},
                                 "zoom_url": {"type": "string"},
                                 "youtube_url": {"type": "string"},
                                 "registration_opens_at": {"type": "string",
                                                           "format": "date-time"},
                                 "registration_closes_at": {"type": "string",
                                                            "format": "date-time"},
                                 "attendance_rule": {"enum": ["checkpoints", "minutes",
                                                              "percent", "either"]},
                                 "min_minutes": {"type": "integer"},
                                 "min_percent": {"type": "integer"},
                                 "evaluation_required": {"type": "boolean"}}},
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
                body=_body({"type": "object", "required": ["account_id", "client_id"],
                            "properties": {"account_id": {"type": "string"},
                                           "client_id": {"type": "string"},
                                           "client_secret": {"type": "string",
                                                             "writeOnly": True}}})),
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
            body=_body({"type": "object", "required": ["kind"], "properties": {
                "kind": {"enum": ["meeting", "webinar"]},
                "registration_required": {"type": "boolean", "default": True},
                "auto_recording": {"enum": ["none", "local", "cloud"], "default": "none"}}}))},
        "/episodes/{id}/zoom/pull-report": {"post": _op(
            "Pull Zoom's participant report now and import it like an upload (organizer); "
            "allowed any time; confirm=true to replace a finalized episode's evidence or to "
            "import a report without connections",
            {"200": _ok("Import summary", _ref("ImportSummary"))}, params=[EPISODE_ID],
            body={"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"confirm": {"type": "boolean"}}}}}})},
        "/auth/token": {"post": _op("Exchange email/NIP and password for a token",
                                    {"200": _ok("Token")}, secure=False,
                                    body=_body({"type": "object",
                                                "required": ["login", "password"],
                                                "properties": {"login": {"type": "string"},
                                                               "password": {"type": "string"}}}))},
        "/participants": {"post": _op("Participant sign-up", {"201": _ok("Created")},
                                      secure=False, body=_body(_ref("SignUp")))},
        "/episodes": {
            "get": _op("Published episodes", {"200": _ok("List", {
                "type": "array", "items": _ref("Episode")})}, secure=False, params=[YEAR]),
            "post": _op("Create an episode (organizer)", {"201": _ok("Created",
                                                                     _ref("Episode"))},
                        body=_body(_ref("EpisodeInput"))),
        },
        "/episodes/{id}": {
            "get": _op("One published episode", {"200": _ok("Episode", _ref("Episode"))},
                       secure=False, params=[EPISODE_ID]),
            "patch": _op("Change an episode (organizer)", {"200": _ok("Episode")},
                         body=_body(_ref("EpisodeInput")), params=[EPISODE_ID]),
        },
        "/episodes/{id}/publish": {"post": _op("Publish (organizer)", {"200": _ok("Episode")},
                                               params=[EPISODE_ID])},
        "/episodes/{id}/speakers": {"post": _op(
            "Attach a speaker (organizer)", {"201": _ok("Attached")}, params=[EPISODE_ID],
            body=_body({"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "institution": {"type": "string"},
                "role": {"enum": ["narasumber", "moderator", "keynote"]},
                "email": {"type": "string"}}}))},
        "/episodes/{id}/checkpoints": {"post": _op(
            "Add a checkpoint (organizer)", {"201": _ok("Created")}, params=[EPISODE_ID],
            body=_body({"type": "object", "required": ["label", "opens_at", "closes_at"],
                        "properties": {"label": {"type": "string"},
                                       "opens_at": {"type": "string", "format": "date-time"},
                                       "closes_at": {"type": "string", "format": "date-time"},
                                       "code": {"type": "string"}}}))},
        "/episodes/{id}/registrations": {"post": _op(
            "Register (participant)", {"201": _ok("Registered or waitlisted"),
                                       "200": _ok("Already registered")}, params=[EPISODE_ID])},
        "/episodes/{id}/registrations/me": {"delete": _op(
            "Cancel my registration", {"200": _ok("Cancelled")}, params=[EPISODE_ID])},
        "/episodes/{id}/checkins": {"post": _op(
            "Check in with a code", {"201": _ok("Recorded"), "200": _ok("Already recorded")},
            params=[EPISODE_ID], body=_body({"type": "object", "required": ["code"],
                                             "properties": {"code": {"type": "string"}}}))},
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
            {"200": _ok("Counts of this run")}, params=[EPISODE_ID],
            body={"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"force": {"type": "boolean"}}}}}})},
        "/episodes/{id}/evaluations": {"post": _op(
            "Submit the evaluation (participant)", {"201": _ok("Saved")}, params=[EPISODE_ID],
            body=_body({"type": "object", "required": ["scores"], "properties": {
                "scores": {"type": "object", "properties": {
                    k: {"type": "integer", "minimum": 1, "maximum": 5}
                    for k in ("material", "speaker", "organization", "relevance")}},
                "comment": {"type": "string"}}}))},
        "/me/ledger": {"get": _op("My JP ledger", {"200": _ok("Ledger", _ref("Ledger"))},
                                  params=[YEAR])},
        "/participants/{nip}/ledger": {"get": _op(
            "A participant's ledger (organizer)", {"200": _ok("Ledger", _ref("Ledger"))},
            params=[{"name": "nip", "in": "path", "required": True,
                     "schema": {"type": "string"}}, YEAR])},
        "/me/certificates": {"get": _op("My certificates", {"200": _ok("List")})},
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
            body=_body({"type": "object", "required": ["reason"],
                        "properties": {"reason": {"type": "string"}}}))},
        "/certificates/{code}/reissue": {"post": _op(
            "Reissue: the old one is revoked, a new number and code are issued from the "
            "current profile, the JP credit moves and the participant is emailed (organizer)",
            {"200": _ok("The new certificate", _ref("Certificate"))},
            params=[{"name": "code", "in": "path", "required": True,
                     "schema": {"type": "string"}}],
            body=_body({"type": "object", "properties": {"reason": {"type": "string"}}}))},
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
