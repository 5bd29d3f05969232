"""Bulk import of registrants from CSV or XLSX: read, validate, preview, apply.

The same :func:`plan_import` serves the preview and the confirmation: it reads the file
(:mod:`.parsing`), checks every row with the account rules (``parse_nip``,
``check_email``, ``apply_profile`` for province, WhatsApp number and employee type; no rule
is written twice), looks up the existing accounts and registrations in one query each and
says, per row, what would happen (:mod:`.preview`). :func:`apply_import` re-plans under the
episode's lock and applies everything in the caller's transaction, or nothing when any row
has an error (:mod:`.apply`). Re-importing a file changes nothing: registrants already
registered or waitlisted are reported as unchanged. Places follow the one capacity policy
of :func:`~asnbelajar.registrations.services.places_for_newcomers`.

Between the preview and the confirmation the file is kept as described in :mod:`.stash`.
"""

from .apply import apply_import
from .parsing import read_table
from .preview import check_importable, plan_import
from .rows import (
    COLUMN_ALIASES,
    FIELD_LABELS,
    FIELDS,
    MAX_ROWS,
    NEW,
    REGISTER,
    UNCHANGED,
    ImportFileError,
    ImportPlan,
    ImportRejected,
    ImportResult,
    ImportRow,
)
from .stash import discard_upload, load_upload, stash_upload

__all__ = [
    "COLUMN_ALIASES",
    "FIELDS",
    "FIELD_LABELS",
    "MAX_ROWS",
    "NEW",
    "REGISTER",
    "UNCHANGED",
    "ImportFileError",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "ImportRow",
    "apply_import",
    "check_importable",
    "discard_upload",
    "load_upload",
    "plan_import",
    "read_table",
    "stash_upload",
]
