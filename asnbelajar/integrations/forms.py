"""Forms of the integrations: the Zoom connection and an episode's Zoom panel; the
WhatsApp Business connection and its test message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from ..errors import DomainError
from ..util.forms import BaseForm
from ..util.phone import require_whatsapp_number
from . import whatsapp_settings as wa


def service_rule(check):
    """A WTForms validator that runs the service's own rule for the field, so the form
    reports every field's error at once in the service's words."""
    def validator(form, field) -> None:
        try:
            check(field.data)
        except DomainError as err:
            raise FieldError(str(err.message)) from None
    return validator


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


class WhatsAppConnectionForm(BaseForm):
    enabled = BooleanField(_l("Aktifkan notifikasi WhatsApp"),
                           description=_l("Peserta yang memilih WhatsApp di profilnya menerima "
                                          "pengingat dan kabar sertifikat siap lewat nomor ini."))
    phone_number_id = StringField(
        _l("Phone number ID"),
        validators=[DataRequired(), Length(max=40), service_rule(wa.clean_phone_number_id)],
        description=_l("Dari WhatsApp Manager → API Setup (angka, bukan nomor teleponnya)."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"})
    # Never rendered with a value: the stored token does not leave the server.
    access_token = PasswordField(
        _l("Token akses (permanen)"),
        validators=[Optional(), Length(max=2000), service_rule(wa.clean_access_token)],
        description=_l("Token pengguna sistem Meta Business. Tidak pernah ditampilkan lagi; "
                       "kosongkan untuk mempertahankan token yang tersimpan."),
        render_kw={"autocomplete": "new-password", "spellcheck": "false"})
    reminder_template = StringField(
        _l("Templat pengingat"),
        validators=[Optional(), Length(max=512), service_rule(wa.clean_template)],
        description=_l("Nama templat yang disetujui Meta. Kosongkan bila pengingat tidak "
                       "dikirim lewat WhatsApp."),
        render_kw={"autocomplete": "off", "spellcheck": "false",
                   "placeholder": "pengingat_episode"})
    certificate_template = StringField(
        _l("Templat sertifikat siap"),
        validators=[Optional(), Length(max=512), service_rule(
            lambda value: wa.clean_template(value, "certificate_template"))],
        render_kw={"autocomplete": "off", "spellcheck": "false",
                   "placeholder": "sertifikat_siap"})
    language_code = StringField(
        _l("Kode bahasa templat"),
        validators=[Optional(), Length(max=15), service_rule(wa.clean_language)], default="id",
        description=_l("Bahasa templat di WhatsApp Manager: id untuk Bahasa Indonesia."),
        render_kw={"autocomplete": "off", "spellcheck": "false"})


class WhatsAppTestForm(BaseForm):
    phone = TelField(_l("Nomor tujuan uji"),
                     validators=[DataRequired(), Length(max=25),
                                 service_rule(require_whatsapp_number)],
                     render_kw={"autocomplete": "off", "inputmode": "tel",
                                "placeholder": "0812 3456 7890"})
    kind = SelectField(_l("Templat"), choices=[
        SelectChoice("reminder", _l("Pengingat")),
        SelectChoice("certificate", _l("Sertifikat siap"))], default="reminder")
