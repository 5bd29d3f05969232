"""The editable wording: the placeholders organizers may use, the defaults, and the
split of a wording into regular and bold runs."""

from __future__ import annotations

import string

# Organizers edit the wording; these placeholders are the only thing substituted. Values
# are set in bold. No template code: an unknown placeholder is refused when saved.
PLACEHOLDERS = {
    "nama": "nama penerima",
    "peran": "Peserta, Narasumber, Moderator, ...",
    "kegiatan": "program, seri dan judul episode",
    "program": "nama program",
    "seri": "mis. Seri 41 Tahun 2024",
    "judul": "judul episode",
    "tanggal": "hari, tanggal dan jam pelaksanaan (di zona waktu penerima)",
    "jp": "jam pelajaran",
    "instansi": "instansi penerima",
    "nomor": "nomor sertifikat",
}
DEFAULT_PARTICIPANT_WORDING = (
    "sebagai $peran\n"
    "pada kegiatan $kegiatan\n"
    "yang diselenggarakan pada $tanggal\n"
    "dengan bobot $jp Jam Pelajaran (JP)"
)
DEFAULT_SPEAKER_WORDING = (
    "sebagai $peran\n"
    "pada kegiatan $kegiatan\n"
    "yang diselenggarakan pada $tanggal"
)


def wording_errors(text: str) -> list[str]:
    """Unknown or malformed placeholders in ``text`` (empty list when it is usable)."""
    errors = []
    for match in string.Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        if match.group("invalid") is not None:
            errors.append(text[match.start():match.start() + 12].split(" ")[0] or "$")
        elif name is not None and name not in PLACEHOLDERS:
            errors.append("$" + name)
    return errors


def _wording_runs(template: str, values: dict[str, str]) -> list[list[tuple[str, bool]]]:
    """Paragraphs of (text, bold) runs: literal text regular, substituted values bold."""
    paragraphs = []
    for line in template.splitlines():
        runs: list[tuple[str, bool]] = []
        pos = 0
        for match in string.Template.pattern.finditer(line):
            if match.start() > pos:
                runs.append((line[pos:match.start()], False))
            name = match.group("named") or match.group("braced")
            if match.group("escaped") is not None:
                runs.append(("$", False))
            elif name in values:
                runs.append((values[name], True))
            else:  # refused when saved; never print template syntax
                pass
            pos = match.end()
        if pos < len(line):
            runs.append((line[pos:], False))
        if any(text.strip() for text, _ in runs):
            paragraphs.append(runs)
    return paragraphs
