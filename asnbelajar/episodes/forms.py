"""Forms of the episodes domain: the organizer's episode editor and the cockpit forms.

Times are typed as local wall-clock time in the zone the organizer picks (WIB, WITA, WIT);
:func:`local_datetime` turns them into aware datetimes for the services.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ..speakers.models import SPEAKER_ROLES
from ..timeutil import ZONES, zone
from ..util.forms import BaseForm
from .models import ATTENDANCE_RULES, COMPETENCY_TYPES

COMPETENCY_LABELS = {
    "manajerial": _l("Manajerial"),
    "sosial_kultural": _l("Sosial kultural"),
    "teknis": _l("Teknis"),
}
RULE_LABELS = {
    "checkpoints": _l("Semua checkpoint wajib (kode presensi)"),
    "minutes": _l("Durasi minimal dari laporan Zoom (menit)"),
    "percent": _l("Persentase durasi dari laporan Zoom"),
    "either": _l("Checkpoint ATAU durasi minimal"),
}
ROLE_LABELS = {
    "narasumber": _l("Narasumber"),
    "moderator": _l("Moderator"),
    "keynote": _l("Keynote speaker"),
}
STATUS_LABELS = {
    "draft": _l("Draf"),
    "published": _l("Terbit"),
    "cancelled": _l("Dibatalkan"),
}
ZONE_CHOICES = [SelectChoice(name, abbr) for name, abbr in ZONES.items()]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def local_datetime(day: date | None, at: time | None, tz: str) -> datetime | None:
    """Wall-clock date + time in ``tz`` → aware datetime (None if either part is missing)."""
    if day is None or at is None:
        return None
    return datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=zone(tz))


def attach_zone(value: datetime | None, tz: str) -> datetime | None:
    """A naive ``datetime-local`` value read in ``tz``."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(zone(tz).key))


class ServiceErrors:
    """Show a service ValidationError/Conflict under the input its ``field`` names."""

    SERVICE_FIELDS: dict[str, str] = {}

    def show_service_error(self, field: str | None, message) -> bool:
        """Attach the message to the matching input; False if no input matches."""
        name = self.SERVICE_FIELDS.get(field or "", field)
        target = getattr(self, name, None) if name else None
        if target is None or not hasattr(target, "errors"):
            return False
        target.errors = [*target.errors, str(message)]
        return True


class EpisodeForm(ServiceErrors, BaseForm):
    # Maps a service error's ``field`` to the input that shows it.
    SERVICE_FIELDS = {
        "starts_at": "day", "ends_at": "end_time", "registration_opens_at": "registration_opens",
        "registration_closes_at": "registration_closes", "competency_type": "competency_type",
        "file": "cover",
    }

    year = IntegerField(_l("Tahun"), validators=[Optional(), NumberRange(2000, 2100)],
                        description=_l("Kosongkan untuk mengikuti tanggal episode."))
    number = IntegerField(_l("Nomor seri"), validators=[InputRequired(), NumberRange(1, 999)])
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=250)])
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 5})
    competency_type = SelectField(
        _l("Jenis kompetensi"),
        choices=[SelectChoice(k, COMPETENCY_LABELS[k]) for k in COMPETENCY_TYPES],
    )
    timezone = SelectField(_l("Zona waktu"), choices=ZONE_CHOICES, default="Asia/Jakarta",
                           description=_l("Zona waktu pengisian jam di bawah dan zona utama "
                                          "episode."))
    day = DateField(_l("Tanggal"), validators=[InputRequired()])
    start_time = TimeField(_l("Jam mulai"), validators=[InputRequired()])
    end_time = TimeField(_l("Jam selesai"), validators=[InputRequired()])
    jp = IntegerField(_l("JP"), validators=[Optional(), NumberRange(0, 100)],
                      description=_l("Kosongkan: durasi ÷ 45 menit."))
    capacity = IntegerField(_l("Kuota peserta"),
                            validators=[Optional(), NumberRange(min=1, max=1_000_000)],
                            description=_l("Kosongkan bila tanpa batas."))
    registration_opens = DateTimeLocalField(
        _l("Pendaftaran dibuka"), format=DATETIME_LOCAL, validators=[Optional()],
        description=_l("Kosongkan: dibuka saat episode diterbitkan."))
    registration_closes = DateTimeLocalField(
        _l("Pendaftaran ditutup"), format=DATETIME_LOCAL, validators=[Optional()],
        description=_l("Kosongkan: ditutup saat episode berakhir."))
    zoom_url = URLField(_l("Tautan Zoom"), validators=[Optional(), URL(), Length(max=500)],
                        description=_l("Hanya terlihat oleh peserta terdaftar, menjelang mulai."))
    youtube_url = URLField(_l("Tautan YouTube"), validators=[Optional(), URL(), Length(max=500)])
    recording_url = URLField(_l("Tautan rekaman"), validators=[Optional(), URL(), Length(max=500)],
                             description=_l("Diisi setelah episode selesai."))
    attendance_rule = SelectField(
        _l("Aturan kehadiran"), choices=[SelectChoice(k, RULE_LABELS[k]) for k in ATTENDANCE_RULES],
        default="checkpoints",
    )
    min_minutes = IntegerField(_l("Durasi minimal (menit)"),
                               validators=[Optional(), NumberRange(0, 24 * 60)],
                               description=_l("Kosongkan: 75% dari durasi episode."))
    min_percent = IntegerField(_l("Persentase minimal (%)"),
                               validators=[Optional(), NumberRange(0, 100)],
                               description=_l("Kosongkan: 75%."))
    evaluation_required = BooleanField(_l("Evaluasi wajib sebelum sertifikat dan JP"))
    walk_in_allowed = BooleanField(_l("Terima peserta tanpa pendaftaran (walk-in) saat presensi"),
                                   default=True)
    # Checked by content (Pillow decodes it), not by name: see uploads.store_image.
    cover = FileField(_l("Gambar sampul"),
                      description=_l("JPG atau PNG, maksimal 5 MB; diperkecil ke 1600×900 piksel."),
                      render_kw={"accept": "image/png,image/jpeg"})
    remove_cover = BooleanField(_l("Hapus gambar sampul"))

    def service_data(self) -> dict:
        """The dict ``create_episode`` / ``update_episode`` take, times as aware datetimes."""
        tz = self.timezone.data
        starts = local_datetime(self.day.data, self.start_time.data, tz)
        ends = local_datetime(self.day.data, self.end_time.data, tz)
        return {
            "year": self.year.data, "number": self.number.data,
            "title": self.title.data, "summary": self.summary.data or "",
            "competency_type": self.competency_type.data, "timezone": tz,
            "starts_at": starts, "ends_at": ends, "jp": self.jp.data,
            "capacity": self.capacity.data,
            "registration_opens_at": attach_zone(self.registration_opens.data, tz),
            "registration_closes_at": attach_zone(self.registration_closes.data, tz),
            "zoom_url": self.zoom_url.data or None, "youtube_url": self.youtube_url.data or None,
            "recording_url": self.recording_url.data or None,
            "attendance_rule": self.attendance_rule.data,
            "min_minutes": self.min_minutes.data, "min_percent": self.min_percent.data,
            "evaluation_required": self.evaluation_required.data,
            "walk_in_allowed": self.walk_in_allowed.data,
        }


class ActionForm(BaseForm):
    """A POST with nothing but the CSRF token (publish)."""


class CancelEpisodeForm(BaseForm):
    reason = TextAreaField(_l("Alasan pembatalan"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 2},
                           description=_l("Dikirim kepada semua pendaftar."))


class SpeakerForm(ServiceErrors, BaseForm):
    name = StringField(_l("Nama lengkap dan gelar"), validators=[DataRequired(), Length(max=200)])
    institution = StringField(_l("Instansi"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Peran"),
                       choices=[SelectChoice(k, ROLE_LABELS[k]) for k in SPEAKER_ROLES])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)],
                        description=_l("Opsional; menautkan akun narasumber."))


class CheckpointForm(ServiceErrors, BaseForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=60)],
                        render_kw={"placeholder": "awal"})
    opens_time = TimeField(_l("Dibuka"), validators=[InputRequired()])
    closes_time = TimeField(_l("Ditutup"), validators=[InputRequired()])
    code = StringField(_l("Kode"), validators=[Optional(), Length(min=3, max=20)],
                       description=_l("Kosongkan untuk kode acak."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "data-uppercase": "1"})
    required = BooleanField(_l("Wajib"), default=True)

    SERVICE_FIELDS = {"opens_at": "opens_time", "closes_at": "closes_time"}

    def service_data(self, day: date, tz: str) -> dict:
        opens = local_datetime(day, self.opens_time.data, tz)
        closes = local_datetime(day, self.closes_time.data, tz)
        if opens and closes and closes < opens:
            # A window typed as 23.50-00.10 runs past midnight.
            closes = closes + timedelta(days=1)
        return {
            "label": self.label.data, "code": self.code.data or "",
            "opens_at": opens, "closes_at": closes, "required": self.required.data,
        }


class SeriesForm(ServiceErrors, BaseForm):
    """The weekly series generator: N drafts on the weekday of the first date."""

    SERVICE_FIELDS = {"duration": "duration_minutes"}

    first_day = DateField(_l("Tanggal episode pertama"), validators=[InputRequired()],
                          description=_l("Hari dalam pekan diambil dari tanggal ini."))
    start_time = TimeField(_l("Jam mulai"), validators=[InputRequired()], default=time(13, 0))
    duration_minutes = IntegerField(_l("Durasi (menit)"),
                                    validators=[InputRequired(), NumberRange(15, 12 * 60)],
                                    default=120)
    count = IntegerField(_l("Jumlah episode"), validators=[InputRequired(), NumberRange(1, 52)],
                         default=4, description=_l("1 sampai 52 pekan."))
    title_prefix = StringField(_l("Awalan judul"), validators=[DataRequired(), Length(max=200)],
                               default="ASN Belajar",
                               description=_l("Judul draf: awalan – Seri nomor; ubah setelah "
                                              "topik ditetapkan."))
    timezone = SelectField(_l("Zona waktu"), choices=ZONE_CHOICES, default="Asia/Jakarta")
    jp = IntegerField(_l("JP per episode"), validators=[Optional(), NumberRange(0, 100)],
                      description=_l("Kosongkan: durasi ÷ 45 menit."))
    first_number = IntegerField(_l("Mulai dari nomor"),
                                validators=[Optional(), NumberRange(1, 999)],
                                description=_l("Kosongkan: melanjutkan nomor tertinggi tahun itu."))
    # The preview's plan; confirming a plan that changed since is refused.
    plan = HiddenField()

    def plan_args(self) -> dict:
        return {
            "first_day": self.first_day.data, "start_time": self.start_time.data,
            "duration_minutes": self.duration_minutes.data, "count": self.count.data,
            "title_prefix": self.title_prefix.data, "timezone": self.timezone.data,
            "jp": self.jp.data, "first_number": self.first_number.data,
        }
