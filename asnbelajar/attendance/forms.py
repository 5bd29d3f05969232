"""Forms of the attendance domain: check-in code, report upload, manual mark, finalize."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..util.forms import BaseForm


class CheckInForm(BaseForm):
    code = StringField(
        _l("Kode presensi"), validators=[DataRequired(_l("Masukkan kode presensi.")),
                                         Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "autocorrect": "off",
                   "spellcheck": "false", "inputmode": "text", "enterkeyhint": "send",
                   "data-uppercase": "1", "maxlength": 40},
    )


class ReportUploadForm(BaseForm):
    file = FileField(
        _l("Laporan peserta Zoom (CSV)"),
        validators=[FileRequired(_l("Pilih berkas laporan Zoom.")),
                    FileAllowed(["csv", "txt"], _l("Unggah berkas CSV dari Zoom."))],
        description=_l("Meeting: Reports → Usage → Participants. Webinar: Attendee Report. "
                       "Unggahan baru menggantikan unggahan sebelumnya."),
        render_kw={"accept": ".csv,text/csv"},
    )
    confirm = BooleanField(
        _l("Ya, ganti bukti kehadiran walaupun episode sudah difinalisasi atau laporan ini "
           "tanpa koneksi peserta"))


class MarkForm(BaseForm):
    participant = StringField(_l("Email atau NIP peserta"),
                              validators=[DataRequired(), Length(max=254)],
                              render_kw={"autocomplete": "off"})
    attended = RadioField(_l("Keputusan"), choices=[SelectChoice("yes", _l("Hadir")),
                                                    SelectChoice("no", _l("Tidak hadir"))],
                          default="yes", validators=[DataRequired()])
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 2,
                                      "placeholder": _l("mis. hadir via ruang bersama, "
                                                        "terkendala jaringan")})


class FinalizeForm(BaseForm):
    force = BooleanField(_l("Paksa finalisasi walaupun episode belum berakhir"))
