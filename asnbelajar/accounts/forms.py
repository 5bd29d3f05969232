"""WTForms of the accounts domain. Rules (NIP structure, phone, province) live in the
services; the forms only check presence and shape so the page can answer quickly."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import PasswordInput

from ..timeutil import ZONES
from ..util.forms import BaseForm
from .services import MIN_PASSWORD_LENGTH, PROVINCES

EMPLOYEE_TYPE_CHOICES = [
    SelectChoice("pns", "PNS"),
    SelectChoice("pppk", "PPPK"),
    SelectChoice("non_asn", _l("Non-ASN (umum)")),
]

# Golongan ruang PNS with their pangkat (PP 99/2000), then the PPPK golongan I-XVII
# (Perpres 98/2020). The stored value is the short code; the pangkat is only a label.
PNS_GOLONGAN = (
    ("I/a", "Juru Muda"), ("I/b", "Juru Muda Tingkat I"), ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"), ("II/b", "Pengatur Muda Tingkat I"), ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"), ("III/b", "Penata Muda Tingkat I"), ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"), ("IV/b", "Pembina Tingkat I"), ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"), ("IV/e", "Pembina Utama"),
)
PPPK_GOLONGAN = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
    "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)


def golongan_choices(current: str | None = None) -> list[SelectChoice]:
    """Choices grouped in PNS and PPPK optgroups; an old free-text value is kept so editing
    a profile does not lose it."""
    choices = [SelectChoice("", _l("— Pilih —"))]
    known = {code for code, _pangkat in PNS_GOLONGAN} | {f"PPPK {g}" for g in PPPK_GOLONGAN}
    if current and current not in known:
        choices.append(SelectChoice(current))
    choices += [SelectChoice(code, f"{code} · {pangkat}", optgroup="PNS")
                for code, pangkat in PNS_GOLONGAN]
    choices += [SelectChoice(f"PPPK {g}", optgroup="PPPK") for g in PPPK_GOLONGAN]
    return choices


def province_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("— Pilih provinsi —"))] + [SelectChoice(p) for p in PROVINCES]


ZONE_CHOICES = [
    SelectChoice(name, f"{abbr} ({name.split('/')[1]})") for name, abbr in ZONES.items()
]


class LoginForm(BaseForm):
    login = StringField(_l("Email atau NIP"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Ingat saya di perangkat ini"))
    next = HiddenField()


class _ProfileFields(BaseForm):
    employee_type = SelectField(_l("Jenis pegawai"), choices=EMPLOYEE_TYPE_CHOICES,
                                default="pns", validators=[DataRequired()])
    nip = StringField(
        _l("NIP / NI PPPK"), validators=[Optional(), Length(max=30)],
        description=_l("18 digit, boleh dengan spasi atau titik. Tanggal lahir dan jenis "
                       "kelamin dibaca dari NIP."),
        render_kw={"inputmode": "numeric", "autocomplete": "off",
                   "data-required-when-shown": "1"},
    )
    instansi = StringField(
        _l("Instansi"), validators=[DataRequired(), Length(max=200)],
        description=_l("Ketik nama instansi lalu pilih dari daftar; bila tidak ada, tulis "
                       "lengkap."),
        render_kw={"list": "instansi-options", "autocomplete": "off"},
    )
    unit_kerja = StringField(_l("Unit kerja"), validators=[Optional(), Length(max=200)])
    jabatan = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    pangkat_golongan = SelectField(_l("Pangkat/golongan"), validators=[Optional()],
                                   validate_choice=False)
    province = SelectField(_l("Provinsi tempat bertugas"), validators=[DataRequired()],
                           validate_choice=False)
    phone = TelField(_l("Nomor WhatsApp"), validators=[Optional(), Length(max=25)],
                     description=_l("Contoh: 0812 3456 7890. Hanya untuk informasi acara."),
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = province_choices()
        self.pangkat_golongan.choices = golongan_choices(self.pangkat_golongan.data)


class SignupForm(_ProfileFields):
    full_name = StringField(
        _l("Nama lengkap"), validators=[DataRequired(), Length(max=200)],
        description=_l("Dengan gelar, persis seperti yang ingin tercetak di sertifikat."),
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    # Typed passwords are rendered back after an error (hide_value=False): a sign-up with
    # a bad NIP must not make the person type both passwords again.
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("Minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"}, widget=PasswordInput(hide_value=False),
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"}, widget=PasswordInput(hide_value=False),
    )
    timezone = SelectField(
        _l("Zona waktu"),
        choices=[SelectChoice("", _l("Sesuai provinsi")), *ZONE_CHOICES],
        validators=[Optional()], default="",
        description=_l("Jadwal, email, undangan kalender dan sertifikat memakai zona ini."),
        render_kw={"data-zone-from-province": "1"},
    )
    consent = BooleanField(_l("Persetujuan data pribadi"), validators=[DataRequired(
        message=_l("Persetujuan pemrosesan data pribadi diperlukan untuk mendaftar."))])

    # The error summary lists fields in the order the page shows them.
    error_order = ("full_name", "email", "password", "confirm", "employee_type", "nip",
                   "instansi", "unit_kerja", "jabatan", "pangkat_golongan", "province",
                   "phone", "timezone", "consent")


class ProfileForm(_ProfileFields):
    full_name = StringField(
        _l("Nama lengkap"), validators=[DataRequired(), Length(max=200)],
        description=_l("Dengan gelar, persis seperti yang ingin tercetak di sertifikat."),
        render_kw={"autocomplete": "name"},
    )
    timezone = SelectField(_l("Zona waktu tampilan"), choices=ZONE_CHOICES,
                           validators=[DataRequired()])
    reminders_enabled = BooleanField(
        _l("Kirimi saya pengingat episode (sehari dan satu jam sebelum mulai)"))
    # Shown only while organizers have WhatsApp switched on.
    whatsapp_opt_in = BooleanField(
        _l("Kirim juga lewat WhatsApp"),
        description=_l("Pengingat episode dan kabar sertifikat siap juga dikirim ke Nomor "
                       "WhatsApp di atas (nomor ponsel Indonesia)."))
    consent = BooleanField()  # required by the view only while no consent is on record


class AccountForm(BaseForm):
    """Profile form for organizers and speakers (no participant profile)."""

    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "name"})
    timezone = SelectField(_l("Zona waktu tampilan"), choices=ZONE_CHOICES,
                           validators=[DataRequired()])


class ForgotPasswordForm(BaseForm):
    login = StringField(_l("Email atau NIP"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "autofocus": True})


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("Kata sandi baru"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("Minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password", "autofocus": True},
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    confirmation = StringField(
        _l("Ketik HAPUS untuk mengonfirmasi"), validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters",
                   "spellcheck": "false"},
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password", "autofocus": True},
    )
    password = PasswordField(
        _l("Kata sandi baru"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("Minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("password", message=_l("Kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class NipDisputeForm(BaseForm):
    full_name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    nip = StringField(_l("NIP"), validators=[DataRequired(), Length(max=40)],
                      render_kw={"inputmode": "numeric"})
    statement = TextAreaField(
        _l("Penjelasan"), validators=[DataRequired(), Length(min=10, max=2000)],
        description=_l("Jelaskan mengapa NIP ini milik Anda (instansi, unit kerja, cara "
                       "menghubungi Anda). Panitia akan memeriksa dan memutuskan."),
    )
