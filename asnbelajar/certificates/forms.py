"""Forms of the certificates domain: revoke, reissue, design, electronic signing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..util.forms import BaseForm
from .pdf import PLACEHOLDERS, wording_errors


class RevokeForm(BaseForm):
    reason = TextAreaField(
        _l("Alasan pencabutan"),
        validators=[DataRequired(_l("Alasan pencabutan wajib diisi.")), Length(max=400)],
        description=_l("Tampil di halaman verifikasi publik sertifikat ini."),
        render_kw={"rows": 3, "placeholder": _l("mis. peserta terbukti tidak hadir")},
    )


class ReissueForm(BaseForm):
    reason = TextAreaField(
        _l("Alasan penerbitan ulang"), validators=[Optional(), Length(max=400)],
        description=_l("Menjadi alasan pencabutan sertifikat lama. Kosongkan untuk "
                       "\u201cDiterbitkan ulang\u201d."),
        render_kw={"rows": 2, "placeholder": _l("mis. perbaikan penulisan nama")},
    )


def _wording(form, field) -> None:
    bad = wording_errors(field.data or "")
    if bad:
        raise ValidationError(_l(
            "Penanda tidak dikenal: %(bad)s. Yang boleh dipakai: %(ok)s.",
            bad=", ".join(bad), ok=", ".join("$" + name for name in PLACEHOLDERS)))


IMAGE_HINT = _l("JPG atau PNG, maksimal 5 MB.")


class DesignForm(BaseForm):
    """Every field may stay empty: it then falls back to the program's design (for an
    episode) or to the configured default."""

    issuer_lines = TextAreaField(
        _l("Baris penerbit"), validators=[Optional(), Length(max=400)],
        description=_l("Satu baris per baris cetak (maks. 3), mis. nama pemerintah daerah "
                       "lalu nama badan."), render_kw={"rows": 3})
    title = StringField(_l("Judul"), validators=[Optional(), Length(max=60)],
                        render_kw={"placeholder": "SERTIFIKAT"})
    intro = StringField(_l("Kalimat pembuka"), validators=[Optional(), Length(max=200)],
                        render_kw={"placeholder": "diberikan kepada"})
    participant_wording = TextAreaField(
        _l("Isi sertifikat peserta"), validators=[Optional(), Length(max=1000), _wording],
        render_kw={"rows": 4})
    speaker_wording = TextAreaField(
        _l("Isi sertifikat narasumber"), validators=[Optional(), Length(max=1000), _wording],
        render_kw={"rows": 3})
    signer_name = StringField(_l("Nama penanda tangan"), validators=[Optional(), Length(max=200)])
    signer_title = StringField(_l("Jabatan penanda tangan"),
                               validators=[Optional(), Length(max=200)])
    signer_nip = StringField(_l("NIP penanda tangan"), validators=[Optional(), Length(max=30)])
    logo = FileField(_l("Logo"), description=IMAGE_HINT)
    signature = FileField(_l("Gambar tanda tangan"),
                          description=_l("PNG berlatar transparan paling rapi. Hanya tercetak "
                                         "di atas nama penanda tangan di atas."))
    background = FileField(_l("Latar halaman"),
                           description=_l("Gambar A4 mendatar; menggantikan bingkai bawaan."))
    remove_logo = BooleanField(_l("Hapus logo"))
    remove_signature = BooleanField(_l("Hapus gambar tanda tangan"))
    remove_background = BooleanField(_l("Hapus latar"))
    speakers_page = SelectField(
        _l("Halaman kedua: narasumber dan materi"),
        choices=[SelectChoice("", _l("Ikuti desain program")), SelectChoice("1", _l("Ya")),
                 SelectChoice("0", _l("Tidak"))],
        validators=[Optional()])


class SignForm(BaseForm):
    """A personal BSrE signature: the passphrase is used for this request only."""

    nik = StringField(_l("NIK penanda tangan"), validators=[
        DataRequired(_l("NIK wajib diisi.")),
        Regexp(r"^\s*\d{16}\s*$", message=_l("NIK terdiri dari 16 digit angka."))])
    passphrase = PasswordField(_l("Passphrase TTE"), validators=[
        DataRequired(_l("Passphrase wajib diisi.")), Length(max=200)],
        render_kw={"autocomplete": "off"})
