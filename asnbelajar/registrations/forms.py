"""Forms of the registrations domain: the organizer's bulk import (upload, confirm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from ..util.forms import BaseForm


class ImportUploadForm(BaseForm):
    file = FileField(
        _l("Berkas pendaftar (CSV atau XLSX)"),
        validators=[FileRequired(_l("Pilih berkas CSV atau XLSX.")),
                    FileAllowed(["csv", "xlsx", "txt"], _l("Unggah berkas CSV atau XLSX."))],
        description=_l("Baris pertama berisi judul kolom. Berkas diperiksa dulu; belum ada "
                       "yang disimpan sebelum Anda mengonfirmasi."),
        render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                             "officedocument.spreadsheetml.sheet"},
    )


class ImportConfirmForm(BaseForm):
    # A signed ticket naming the stored upload and its SHA-256 (never a client path).
    ticket = HiddenField(validators=[DataRequired(_l("Unggah ulang berkasnya."))])
