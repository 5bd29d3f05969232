"""Forms of the Zoom integration: the connection, and the Zoom panel of an episode."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..util.forms import BaseForm


class ZoomConnectionForm(BaseForm):
    account_id = StringField(_l("Account ID"), validators=[DataRequired(), Length(max=100)],
                             render_kw={"autocomplete": "off", "spellcheck": "false"})
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=100)],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    # Never rendered with a value: the stored secret does not leave the server.
    client_secret = PasswordField(
        _l("Client secret"), validators=[Optional(), Length(max=100)],
        description=_l("Tidak pernah ditampilkan lagi. Kosongkan untuk mempertahankan secret "
                       "yang tersimpan."),
        render_kw={"autocomplete": "new-password", "spellcheck": "false"})


class ZoomTestForm(BaseForm):
    pass


class EpisodeZoomForm(BaseForm):
    kind = RadioField(_l("Jenis"), choices=[SelectChoice("webinar", _l("Webinar")),
                                            SelectChoice("meeting", _l("Meeting"))],
                      default="webinar", validators=[DataRequired()])
    registration_required = BooleanField(
        _l("Wajib registrasi di Zoom (tautan pribadi untuk setiap pendaftar)"), default=True)
    auto_recording = SelectField(_l("Rekam otomatis"),
                                 choices=[SelectChoice("none", _l("Tidak")),
                                          SelectChoice("cloud", _l("Ke cloud Zoom")),
                                          SelectChoice("local", _l("Ke komputer host"))],
                                 default="none")


class PullReportForm(BaseForm):
    confirm = BooleanField(_l("Ya, ganti bukti kehadiran walaupun episode sudah "
                              "difinalisasi atau laporan tanpa koneksi peserta"))
