"""Forms of the speakers domain: the organizer's speaker editor and the portal's materials.

File inputs only check that a file came; what it really is (an image, a PDF) is decided by
the services from its bytes, never from its name.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..episodes.forms import ServiceErrors
from ..util.forms import BaseForm


def _megabytes(size: int) -> str:
    mb = int(size) / 1024 / 1024
    return f"{mb:.0f}" if mb >= 1 else f"{mb:.1f}".replace(".", ",")


class SpeakerProfileForm(ServiceErrors, BaseForm):
    SERVICE_FIELDS = {"file": "photo"}

    name = StringField(_l("Nama lengkap dan gelar"),
                       validators=[DataRequired(), Length(max=200)],
                       description=_l("Tulis seperti pada sertifikat, mis. "
                                      "Prof. Dr. Eko Prasojo, Mag.rer.publ."),
                       render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)],
                       description=_l("Opsional. Diperlukan untuk mengundang narasumber ke "
                                      "portal narasumber."),
                       render_kw={"autocomplete": "off"})
    institution = StringField(_l("Instansi"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Profil singkat"), validators=[Optional(), Length(max=5000)],
                        render_kw={"rows": 6},
                        description=_l("Tampil di halaman episode."))
    photo = FileField(_l("Foto"), render_kw={"accept": "image/jpeg,image/png"})
    remove_photo = BooleanField(_l("Hapus foto"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.photo.description = _l(
            "JPG atau PNG, maksimal %(mb)s MB; diperkecil otomatis ke 600×600 piksel.",
            mb=_megabytes(current_app.config["IMAGE_MAX_BYTES"]))

    def service_data(self) -> dict:
        return {"name": self.name.data, "email": self.email.data,
                "institution": self.institution.data, "position": self.position.data,
                "bio": self.bio.data}


class MaterialForm(ServiceErrors, BaseForm):
    title = StringField(_l("Judul materi"), validators=[Optional(), Length(max=200)],
                        description=_l("Kosongkan untuk memakai nama berkas."))
    file = FileField(_l("Berkas"),
                     validators=[FileRequired(_l("Pilih berkas materi (PDF atau PPTX)."))],
                     render_kw={"accept": ".pdf,.pptx,application/pdf,application/"
                                "vnd.openxmlformats-officedocument.presentationml."
                                "presentation"})


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = _l(
            "PDF atau PPTX, maksimal %(mb)s MB.",
            mb=_megabytes(current_app.config["MATERIAL_MAX_BYTES"]))


class ConfirmForm(BaseForm):
    """A POST with nothing but the CSRF token (invite, delete)."""
