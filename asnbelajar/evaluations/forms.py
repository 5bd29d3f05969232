"""WTForms of the evaluations domain: the post-episode survey."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..util.forms import BaseForm

LIKERT_CHOICES = [
    SelectChoice(1, _l("Sangat kurang")),
    SelectChoice(2, _l("Kurang")),
    SelectChoice(3, _l("Cukup")),
    SelectChoice(4, _l("Baik")),
    SelectChoice(5, _l("Sangat baik")),
]

# (form field, label, prompt) in the order the survey asks them; names match SCORE_FIELDS.
QUESTIONS = (
    ("material", _l("Materi"), _l("Isi materi jelas, runtut, dan bermanfaat.")),
    ("speaker", _l("Narasumber"), _l("Narasumber menguasai materi dan menyampaikannya "
                                      "dengan baik.")),
    ("organization", _l("Penyelenggaraan"), _l("Acara tepat waktu, lancar, dan informasinya "
                                                "jelas.")),
    ("relevance", _l("Relevansi dengan pekerjaan"), _l("Materi dapat saya terapkan dalam "
                                                         "tugas sehari-hari.")),
)

_REQUIRED = _l("Pilih salah satu nilai 1-5.")


def _likert(label):
    return RadioField(label, choices=LIKERT_CHOICES, coerce=int,
                      validators=[InputRequired(message=_REQUIRED)])


class EvaluationForm(BaseForm):
    material = _likert(_l("Materi"))
    speaker = _likert(_l("Narasumber"))
    organization = _likert(_l("Penyelenggaraan"))
    relevance = _likert(_l("Relevansi dengan pekerjaan"))
    comment = TextAreaField(
        _l("Kritik dan saran"), validators=[Optional(), Length(max=4000)],
        description=_l("Opsional. Komentar dibaca penyelenggara dan narasumber tanpa "
                       "menampilkan nama Anda."),
        render_kw={"rows": 4},
    )

    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name).data for name, _label, _prompt in QUESTIONS}
