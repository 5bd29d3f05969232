"""Forms of the reports domain: agency headcounts and SIASN credentials."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..util.forms import BaseForm

_REQUIRED = _l("Wajib diisi.")


class HeadcountForm(BaseForm):
    instansi = StringField(_l("Instansi"), validators=[DataRequired(_REQUIRED), Length(max=200)],
                           render_kw={"list": "instansi-list", "autocomplete": "off"})
    year = IntegerField(_l("Tahun"), validators=[
        InputRequired(_REQUIRED), NumberRange(2000, 2100, _l("Tahun harus 2000-2100."))])
    headcount = IntegerField(_l("Jumlah ASN"), validators=[
        InputRequired(_REQUIRED), NumberRange(0, 10_000_000, _l("Jumlah ASN tidak wajar."))],
        description=_l("PNS dan PPPK instansi pada tahun itu, sesuai data kepegawaian."))


class HeadcountImportForm(BaseForm):
    year = IntegerField(_l("Tahun (bila berkas tidak punya kolom tahun)"), validators=[
        Optional(), NumberRange(2000, 2100, _l("Tahun harus 2000-2100."))])
    file = FileField(_l("Berkas CSV"), validators=[FileRequired(_l("Pilih berkas CSV."))],
                     description=_l("Kolom: instansi, tahun, jumlah_asn. Pemisah koma atau "
                                    "titik koma. Semua baris harus benar; bila ada yang salah "
                                    "tidak ada yang disimpan."))


class SiasnCredentialForm(BaseForm):
    instansi = StringField(_l("Instansi"), validators=[DataRequired(_REQUIRED), Length(max=200)],
                           render_kw={"list": "instansi-list", "autocomplete": "off"})
    siasn_instansi_id = StringField(_l("ID instansi di SIASN (instansiId)"),
                                    validators=[DataRequired(_REQUIRED), Length(max=64)])
    consumer_key = StringField(_l("Consumer key (WSO)"),
                               validators=[DataRequired(_REQUIRED), Length(max=200)])
    consumer_secret = PasswordField(
        _l("Consumer secret (WSO)"), validators=[Optional(), Length(max=500)],
        description=_l("Kosongkan untuk tetap memakai rahasia yang tersimpan."))
    client_id = StringField(_l("Client ID (SSO)"),
                            validators=[DataRequired(_REQUIRED), Length(max=200)])
    username = StringField(_l("Nama pengguna SSO"),
                           validators=[DataRequired(_REQUIRED), Length(max=200)])
    password = PasswordField(
        _l("Kata sandi SSO"), validators=[Optional(), Length(max=500)],
        description=_l("Kosongkan untuk tetap memakai kata sandi yang tersimpan."))
    jenis_diklat_id = StringField(_l("ID jenis diklat (jenisDiklatId)"),
                                  validators=[Optional(), Length(max=20)])
    enabled = BooleanField(_l("Kirim otomatis ke SIASN"), default=True)
