"""Forms of the ledger domain: an organizer's external credit and entry reversal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from ..timeutil import now_utc, to_local
from ..util.forms import BaseForm

EVIDENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
MAX_EXTERNAL_JP = 200  # the service refuses more, too


def _stop_if_unparsed(form, field) -> None:
    """The field already says "Harus berupa bilangan bulat."; don't add a range message."""
    if field.data is None:
        raise StopValidation()


class ExternalCreditForm(BaseForm):
    """Training done elsewhere. The date and JP are checked again by the service (the
    rule lives there); these validators only give the message next to the field."""

    title = StringField(_l("Nama pelatihan"),
                        validators=[DataRequired(_l("Nama pelatihan wajib diisi.")),
                                    Length(max=250)],
                        render_kw={"placeholder": _l("mis. Pelatihan Kepemimpinan Pengawas")})
    provider = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)],
                           render_kw={"placeholder": _l("mis. LAN RI, BPSDM Provinsi")})
    occurred_on = DateField(_l("Tanggal pelatihan"),
                            validators=[InputRequired(_l("Isi tanggal pelatihan."))],
                            description=_l("Tanggal selesai; menentukan tahun JP dihitung."))
    jp = IntegerField(
        _l("Jumlah JP"),
        validators=[InputRequired(_l("Isi jumlah JP.")), _stop_if_unparsed,
                    NumberRange(min=1, max=MAX_EXTERNAL_JP,
                                message=_l("JP harus bilangan bulat 1-200."))],
        render_kw={"min": 1, "max": MAX_EXTERNAL_JP, "inputmode": "numeric"},
    )
    evidence = FileField(
        _l("Bukti (sertifikat / surat keterangan)"),
        validators=[FileRequired(_l("Unggah berkas bukti pelatihan.")),
                    FileAllowed(list(EVIDENCE_EXTENSIONS),
                                _l("Bukti harus berupa PDF, JPG, atau PNG."))],
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    note = TextAreaField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 2})

    def validate_occurred_on(self, field) -> None:
        if field.data and field.data > to_local(now_utc()).date():
            raise StopValidation(_l("Tanggal pelatihan tidak boleh di masa depan."))


class ReverseForm(BaseForm):
    reason = TextAreaField(
        _l("Alasan pembatalan"),
        validators=[DataRequired(_l("Alasan pembatalan wajib diisi.")), Length(max=500)],
        render_kw={"rows": 3, "placeholder": _l("mis. kredit ganda, bukti tidak sah, "
                                                 "peserta tidak memenuhi syarat")},
    )
