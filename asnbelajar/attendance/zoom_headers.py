"""The words of Zoom's report files: column names, section titles, yes/no values, and the
signatures of exports that are not participant reports — in English and in the other
interface languages Zoom's web portal exports in (Bahasa Indonesia first: it is what
organizers here use; then Spanish, French, German, Portuguese, Japanese, Chinese, Korean).

Names are compared normalised (lower case, single spaces, full-width brackets as ASCII,
trailing colon dropped); a name with a parenthesised suffix also matches by its base
(``Duration (Minutes)`` → ``duration``) unless the full name is listed elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_PAREN_SUFFIX_RE = re.compile(r"\s*\([^)]*\)\s*$")
# Families read from the participant's block only; the others may sit before the name
# (webinars put "Attended" first).
_BLOCK_ONLY = ("email", "duration", "join", "leave")


def norm(cell: str) -> str:
    text = cell.replace("\ufeff", "").replace("\uff08", "(").replace("\uff09", ")")
    text = text.replace("\u00a0", " ").replace("\u2019", "'")
    text = " ".join(text.split()).lower()
    text = re.sub(r"\s*\(\s*", " (", text).replace(" )", ")").strip()
    return text.rstrip(":\uff1a").strip()


def _words(*groups: str) -> frozenset[str]:
    return frozenset(norm(name) for group in groups for name in group.split("|"))


# Column families. The first name found for a family in a header row wins, except in the
# participant block of usage exports (see zoom.py: columns are taken from the block that
# starts at the participant's name).
FAMILIES: dict[str, frozenset[str]] = {
    "name": _words(
        "name|user name|participant|participant name|display name|name (original name)"
        "|user name (original name)|attendee name",
        # id
        "nama|nama (nama asli)|nama pengguna|nama pengguna (nama asli)|nama peserta"
        "|nama tampilan",
        # es, fr, de, pt
        "nombre (nombre original)|nombre de usuario|nombre de usuario (nombre original)"
        "|nombre del participante",
        "nom (nom d'origine)|nom (nom original)|nom d'utilisateur"
        "|nom d'utilisateur (nom d'origine)|nom du participant",
        "name (ursprünglicher name)|benutzername|benutzername (ursprünglicher name)"
        "|teilnehmername",
        "nome (nome original)|nome de usuário|nome do usuário|nome de usuário (nome original)"
        "|nome do usuário (nome original)|nome do participante",
        # ja, zh, ko
        "名前|名前 (元の名前)|ユーザー名|ユーザー名 (元の名前)|参加者名",
        "名称|名称 (原始名称)|姓名|用户名|用户名 (原始名称)|名稱 (原始名稱)|使用者名稱",
        "이름 (원래 이름)|사용자 이름|사용자 이름 (원래 이름)|참가자 이름",
    ),
    "first_name": _words(
        "first name|given name", "nama depan", "nombre", "prénom|prenom", "vorname",
        "primeiro nome|nome próprio", "名", "名字", "이름",
    ),
    "last_name": _words(
        "last name|surname|family name", "nama belakang", "apellido|apellidos",
        "nom de famille", "nachname", "sobrenome|último nome|apelido", "姓", "姓氏", "성",
    ),
    "email": _words(
        "user email|email|email address|e-mail|participant email|attendee email",
        "email pengguna|surel|alamat email|email peserta|surel pengguna",
        "correo electrónico|correo electrónico del usuario|correo|correo del usuario",
        "e-mail de l'utilisateur|adresse e-mail|courriel|e-mail utilisateur",
        "e-mail-adresse|benutzer-e-mail|e-mail des benutzers",
        "e-mail do usuário|endereço de e-mail|email do usuário",
        "メール|ユーザーメール|メールアドレス|電子メール",
        "邮箱|用户邮箱|电子邮件|电子邮件地址|電子郵件|使用者電子郵件",
        "이메일|사용자 이메일|이메일 주소",
    ),
    "join": _words(
        "join time|joined time|join date/time|join",
        "waktu bergabung|waktu gabung|waktu masuk|jam masuk|jam bergabung",
        "hora de entrada|hora de unión|hora para unirse|hora de ingreso|hora de incorporación",
        "heure d'arrivée|heure de connexion|heure de participation|heure d'entrée",
        "beitrittszeit|zeitpunkt des beitritts|teilnahmezeit|beitrittszeitpunkt",
        "horário de entrada|hora de ingresso",
        "参加時間|参加時刻|入室時間|入室時刻",
        "加入时间|入会时间|加入時間|參加時間",
        "참가 시간|입장 시간|참여 시간",
    ),
    "leave": _words(
        "leave time|left time|leave date/time",
        "waktu keluar|waktu meninggalkan|jam keluar|waktu pergi",
        "hora de salida|hora de abandono",
        "heure de départ|heure de sortie|heure de déconnexion",
        "austrittszeit|zeitpunkt des verlassens|verlassenszeit|austrittszeitpunkt",
        "hora de saída|horário de saída",
        "退出時間|退出時刻|退室時間|退室時刻",
        "离开时间|退出时间|離開時間|離開時間",
        "나간 시간|퇴장 시간|나가기 시간",
    ),
    "duration": _words(
        "duration|time in session|total duration|duration (minutes)",
        "durasi|waktu dalam sesi|total durasi|lama",
        "duración|tiempo en la sesión|duración total",
        "durée|temps dans la session|durée totale|temps passé dans la session",
        "dauer|zeit in der sitzung|zeit in sitzung|gesamtdauer",
        "duração|tempo na sessão|duração total",
        "期間|時間|継続時間|セッション時間|参加時間 (分)|在室時間",
        "时长|持续时间|会话时间|時長|持續時間",
        "기간|시간|세션 시간|참가 기간",
    ),
    "attended": _words(
        "attended", "hadir|menghadiri", "asistió|asistio", "a participé|présent|a assisté",
        "teilgenommen|anwesend", "compareceu|participou", "出席|出席済み", "已参加|出席",
        "참석|참석 여부",
    ),
    "waiting": _words(
        "in waiting room", "di ruang tunggu|dalam ruang tunggu", "en la sala de espera",
        "en salle d'attente|dans la salle d'attente", "im warteraum", "na sala de espera",
        "待機室|待機室内", "在等候室|在等候室中", "대기실|대기실에 있음",
    ),
}

# A participant table needs a name, a join time and a leave time (a name may be first +
# last name, as in webinar Attendee Reports exported without the display-name column).
REQUIRED = ("name", "join", "leave")

YES = frozenset({"yes", "y", "true", "1", "ya", "sí", "si", "oui", "ja", "sim", "はい",
                 "是", "예", "네"})
NO = frozenset({"no", "n", "false", "0", "tidak", "tdk", "non", "nein", "não", "nao",
                "いいえ", "否", "아니요", "아니오"})
EMPTY_MARKERS = frozenset({"", "-", "--", "---", "\u2013", "\u2014", "n/a", "na", "t/a"})

# Cells of a summary block (the meeting or webinar, not a person).
SUMMARY_WORDS = _words(
    "meeting id|webinar id|topic|meeting topic|webinar topic|participants|# registered"
    "|unique viewers|actual start time|start time|end time|creation time",
    "id rapat|id meeting|id webinar|topik|peserta|waktu mulai|waktu selesai",
    "id de reunión|id del seminario web|tema|participantes|hora de inicio",
    "id de réunion|id du webinaire|sujet|participants|heure de début",
    "meeting-id|webinar-id|thema|teilnehmer|startzeit",
    "id da reunião|id do webinar|tópico|participantes|hora de início",
    "ミーティングid|ウェビナーid|トピック|参加者|開始時刻|開始時間",
    "会议id|网络研讨会id|主题|参会者|开始时间",
    "회의 id|웨비나 id|주제|참가자|시작 시간",
)
TOPIC_WORDS = _words("topic|meeting topic|webinar topic", "topik", "tema", "sujet", "thema",
                     "tópico", "トピック", "主题", "주제")

_HOST = ("host", "penyelenggara", "tuan rumah", "anfitrión", "anfitrion", "hôte", "hote",
         "gastgeber", "anfitrião", "ホスト", "主持人", "호스트")
_PANELIST = ("panelist", "panelis", "panelista", "panéliste", "paneliste",
             "diskussionsteilnehmer", "panelisten", "パネリスト", "嘉宾", "소개자", "패널")
_ATTENDEE = ("attendee", "peserta", "asistente", "participant", "teilnehmer", "participante",
             "出席者", "参会者", "与会者", "참석자")
_DETAILS = ("details", "detail", "rincian", "detalles", "détails", "detalhes", "詳細",
            "详细信息", "详情", "세부 정보", "세부")
_OTHER_ATTENDED = _words("other attended|other attendees", "peserta lain yang hadir|lainnya hadir")


def section_title(cell: str) -> str | None:
    """``host``, ``panelist`` or ``attendee`` for a webinar section title line."""
    text = norm(cell)
    if not text or len(text) > 60:
        return None
    if text in _OTHER_ATTENDED:
        return "attendee"
    if not any(word in text for word in _DETAILS):
        return None
    for kind, words in (("panelist", _PANELIST), ("host", _HOST), ("attendee", _ATTENDEE)):
        if any(word in text for word in words):
            return kind
    return None


# --------------------------------------------------------------------------- header rows

def column_family(cell: str) -> str | None:
    text = norm(cell)
    if not text:
        return None
    for family, names in FAMILIES.items():
        if text in names:
            return family
    base = _PAREN_SUFFIX_RE.sub("", text)
    if base != text:
        for family, names in FAMILIES.items():
            if base in names:
                return family
    return None


@dataclass
class Header:
    line: int
    columns: dict[str, int]
    width: int
    first_last: tuple[int, int] | None  # (first name, last name) when no name column
    missing: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()


def filled_width(cells: Sequence[str]) -> int:
    """Number of cells up to the last non-empty one (trailing commas ignored)."""
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return n


def read_header(line: int, cells: Sequence[str]) -> Header | None:
    """The columns of a participant header row (``missing`` lists what it lacks), or None
    when the row does not look like one at all."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, cell in enumerate(cells):
        family = column_family(cell)
        if family is not None:
            positions[family].append(index)
    first_last = None
    if "name" not in positions and positions.get("first_name"):
        if positions.get("last_name"):
            first_last = (positions["first_name"][0], positions["last_name"][0])
            positions["name"] = [min(first_last)]
        else:  # a lone first-name-like column ("Nombre") is the name
            positions["name"] = positions["first_name"]
    timed = "join" in positions or "leave" in positions
    named = "name" in positions and bool({"email", "duration", "attended"} & positions.keys())
    summary = any(norm(cell) in SUMMARY_WORDS for cell in cells)
    if not timed and (not named or summary):
        return None
    # The participant's block starts at the name column nearest before the join time
    # (usage exports repeat the host's name, email and duration before it).
    anchor = positions["join"][0] if "join" in positions else len(cells)
    names = positions.get("name", [])
    before = [i for i in names if i < anchor]
    start = max(before) if before else (names[0] if names else 0)
    columns: dict[str, int] = {}
    for family, found in positions.items():
        inside = [i for i in found if i >= start]
        if inside:
            columns[family] = inside[0]
        elif family not in _BLOCK_ONLY:
            columns[family] = found[-1]
    if names:
        columns["name"] = start if start in names else names[0]
    missing = tuple(f for f in REQUIRED if f not in columns)
    return Header(line=line, columns=columns, width=filled_width(cells), first_last=first_last,
                   missing=missing, cells=tuple(cells))


# --------------------------------------------------------------------------- other reports

_QUALITY = ("jitter", "latency", "packet loss", "audio quality", "video quality",
            "screen share quality", "bitrate", "frame rate", "cpu usage", "data center",
            "network type", "latensi", "kualitas audio", "kualitas video", "paket hilang")
_WHAT_INSTEAD = (
    "Unduh laporan peserta: untuk rapat, Reports → Usage → klik angka di kolom "
    "\"Participants\" → Export (tanpa centang \"Show unique users\"); untuk webinar, "
    "Reports → Webinar → Attendee Report."
)


def other_report(title_lines: list[str], headers: list[list[str]]) -> str | None:
    """A message naming what this file is and the report to download instead, when it is a
    Zoom export that is not a participant report; None otherwise."""
    titles = " ".join(norm(line) for line in title_lines)
    cells = {norm(cell) for header in headers for cell in header if cell.strip()}
    joined = " ".join(sorted(cells))
    if any(word in joined for word in _QUALITY):
        kind = "laporan kualitas (Dashboard) Zoom"
    elif "poll report" in titles or "laporan polling" in titles:
        kind = "laporan polling (Poll Report)"
    elif "q&a report" in titles or "laporan tanya jawab" in titles:
        kind = "laporan tanya jawab (Q&A Report)"
    elif "performance report" in titles:
        kind = "laporan kinerja webinar (Performance Report)"
    elif "registration report" in titles or "laporan pendaftaran" in titles or (
            "registration time" in cells and "approval status" in cells):
        kind = "laporan pendaftaran (Registration Report)"
    elif any(norm(word) in cells for word in ("total duration (minutes)", "total duration",
                                              "durasi total (menit)", "total durasi")):
        kind = ("laporan peserta unik (diunduh dengan opsi \"Show unique users\"), yang tidak "
                "memuat Join Time dan Leave Time setiap koneksi")
    elif cells & SUMMARY_WORDS and ("participants" in cells or "peserta" in cells) \
            and not cells & (FAMILIES["join"] | FAMILIES["leave"]):
        kind = "daftar rapat (Usage report) tanpa rincian peserta"
    else:
        return None
    return f"Berkas ini adalah {kind}, bukan laporan peserta. {_WHAT_INSTEAD}"
