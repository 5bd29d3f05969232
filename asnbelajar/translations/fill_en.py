"""Fill the English catalog (en/LC_MESSAGES/messages.po) from the dictionary below.

The UI is written in Indonesian; this file holds the English wording for every msgid.
Run it after ``pybabel update`` (see docs/translations.md or ./update.sh)::

    .venv/bin/python asnbelajar/translations/fill_en.py            # fill empty msgstr
    .venv/bin/python asnbelajar/translations/fill_en.py --check    # exit 1 if any missing
    .venv/bin/python asnbelajar/translations/fill_en.py --force    # dict wins over the .po

Only EMPTY (or fuzzy) msgstr are filled, so wording edited directly in the .po is kept
unless ``--force`` is given. Msgids this dictionary does not know yet are printed as
ready-to-paste dictionary lines: translate them, add them to ``EN`` and run again.
Conventions: keep ``%(name)s`` placeholders exactly; NIP, JP, PNS, PPPK, ASN and
WIB/WITA/WIT stay as they are; instansi = agency, unit kerja = work unit,
jabatan = position, pangkat/golongan = rank/grade.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
DEFAULT_PO = HERE / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")

# msgid (Indonesian) -> msgstr (English). For a plural msgid, key on the singular
# msgid and give a (singular, plural) tuple.
EN: dict[str, str | tuple[str, str]] = {
    "Non-ASN (umum)": "Non-ASN (general public)",
    "— Pilih —": "— Select —",
    "— Pilih provinsi —": "— Select province —",
    "Email atau NIP": "Email or NIP",
    "Kata sandi": "Password",
    "Ingat saya di perangkat ini": "Remember me on this device",
    "Jenis pegawai": "Employee type",
    "NIP / NI PPPK": "NIP / NI PPPK",
    "18 digit, boleh dengan spasi atau titik. Tanggal lahir dan jenis kelamin dibaca dari NIP.":
        "18 digits; spaces or dots are allowed. Date of birth and sex are read from the NIP.",
    "Instansi": "Agency",
    "Ketik nama instansi lalu pilih dari daftar; bila tidak ada, tulis lengkap.":
        "Type the agency name and pick it from the list; if it is not listed, write it in full.",
    "Unit kerja": "Work unit",
    "Jabatan": "Position",
    "Pangkat/golongan": "Rank/grade",
    "Provinsi tempat bertugas": "Province of duty station",
    "Nomor WhatsApp": "WhatsApp number",
    "Contoh: 0812 3456 7890. Hanya untuk informasi acara.":
        "Example: 0812 3456 7890. Used only for event information.",
    "Nama lengkap": "Full name",
    "Dengan gelar, persis seperti yang ingin tercetak di sertifikat.":
        "Including academic titles, exactly as it should be printed on the certificate.",
    "Email": "Email",
    "Minimal %(n)d karakter.": "At least %(n)d characters.",
    "Ulangi kata sandi": "Repeat password",
    "Kata sandi tidak sama.": "Passwords do not match.",
    "Persetujuan pemrosesan data pribadi diperlukan untuk mendaftar.":
        "Consent to the processing of personal data is required to sign up.",
    "Zona waktu tampilan": "Display time zone",
    "Kata sandi baru": "New password",
    "Ulangi kata sandi baru": "Repeat new password",
    "Email wajib diisi.": "Email is required.",
    "Alamat email tidak valid.": "Invalid email address.",
    "Kata sandi minimal %(n)d karakter.": "Password must be at least %(n)d characters.",
    "Kata sandi terlalu panjang.": "Password is too long.",
    "Nomor WhatsApp tidak valid.": "Invalid WhatsApp number.",
    "Jenis pegawai harus PNS, PPPK, atau non-ASN.": "Employee type must be PNS, PPPK or non-ASN.",
    "Peserta non-ASN tidak memiliki NIP; kosongkan NIP atau pilih PNS/PPPK.":
        "Non-ASN participants have no NIP; leave the NIP empty or choose PNS/PPPK.",
    "NIP ini berformat %(kind)s, bukan %(chosen)s.":
        "This NIP has the %(kind)s format, not %(chosen)s.",
    "NIP wajib diisi untuk PNS dan PPPK.": "NIP is required for PNS and PPPK.",
    "Provinsi tidak dikenal.": "Unknown province.",
    "Nama lengkap wajib diisi.": "Full name is required.",
    "Instansi wajib diisi.": "Agency is required.",
    "Email ini sudah terdaftar.": "This email is already registered.",
    "NIP ini sudah terdaftar.": "This NIP is already registered.",
    "Peran tidak dikenal.": "Unknown role.",
    "Tautan atur ulang kata sandi sudah kedaluwarsa. Minta tautan baru.":
        "The password reset link has expired. Request a new link.",
    "Tautan atur ulang kata sandi tidak sah.": "Invalid password reset link.",
    "Tautan ini sudah dipakai atau tidak berlaku lagi.":
        "This link has already been used or is no longer valid.",
    "Email/NIP atau kata sandi salah.": "Incorrect email/NIP or password.",
    "Selamat datang, %(name)s.": "Welcome, %(name)s.",
    "Anda sudah keluar.": "You have logged out.",
    "Akun Anda sudah dibuat. Selamat belajar!": "Your account has been created. Happy learning!",
    (
        "Jika akun tersebut terdaftar, kami sudah mengirim tautan untuk mengatur ulang kata "
        "sandi ke email akun. Periksa juga folder spam."
    ):
        (
            "If that account exists, we have sent a password reset link to its email address. "
            "Please also check your spam folder."
        ),
    "Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru.":
        "Your password has been changed. Please log in with your new password.",
    "Persetujuan pemrosesan data pribadi diperlukan.":
        "Consent to the processing of personal data is required.",
    "Profil tersimpan.": "Profile saved.",
    "Token API tidak ada atau tidak sah.": "API token is missing or invalid.",
    "Peran Anda tidak berhak atas aksi ini.": "Your role is not allowed to perform this action.",
    "Badan permintaan harus JSON yang sah.": "The request body must be valid JSON.",
    "Badan permintaan harus objek JSON.": "The request body must be a JSON object.",
    'Unggah berkas laporan Zoom (CSV) pada kolom "file".':
        'Upload the Zoom report file (CSV) in the "file" field.',
    "Parameter year tidak valid.": "Invalid year parameter.",
    "Tidak ada peserta dengan NIP ini.": "No participant with this NIP.",
    "Kode presensi": "Attendance code",
    "Masukkan kode presensi.": "Enter the attendance code.",
    "Laporan peserta Zoom (CSV)": "Zoom participant report (CSV)",
    "Pilih berkas laporan Zoom.": "Choose the Zoom report file.",
    "Unggah berkas CSV dari Zoom.": "Upload a CSV file from Zoom.",
    (
        "Meeting: Reports → Usage → Participants. Webinar: Attendee Report. Unggahan baru "
        "menggantikan unggahan sebelumnya."
    ):
        (
            "Meeting: Reports → Usage → Participants. Webinar: Attendee Report. A new upload "
            "replaces the previous one."
        ),
    "Email atau NIP peserta": "Participant's email or NIP",
    "Hadir": "Present",
    "Keputusan": "Decision",
    "Tidak hadir": "Absent",
    "Alasan": "Reason",
    "mis. hadir via ruang bersama, terkendala jaringan":
        "e.g. attended from a shared room, network problems",
    "Paksa finalisasi walaupun episode belum berakhir":
        "Force finalization even though the episode has not ended",
    "Episode tidak ditemukan.": "Episode not found.",
    "Episode ini dibatalkan.": "This episode has been cancelled.",
    "Kode presensi salah. Periksa kembali kode yang tampil di layar siaran.":
        "Wrong attendance code. Check the code shown on the broadcast screen again.",
    'Presensi "%(label)s" belum dibuka.': 'Check-in "%(label)s" is not open yet.',
    'Presensi "%(label)s" sudah ditutup.': 'Check-in "%(label)s" is already closed.',
    "Hanya peserta yang melakukan presensi.": "Only participants check in.",
    "Anda masih dalam daftar tunggu episode ini, sehingga belum dapat presensi.":
        "You are still on the waiting list for this episode, so you cannot check in yet.",
    "host/panelis, bukan peserta": "host/panelist, not a participant",
    "tanpa email (tamu)": "no email (guest)",
    "akun ada tetapi tidak terdaftar di episode ini":
        "account exists but is not registered for this episode",
    "email tidak terdaftar": "email not registered",
    "Alasan penandaan manual wajib diisi.": "A reason for the manual mark is required.",
    "Peserta ini tidak terdaftar di episode.":
        "This participant is not registered for the episode.",
    "Hanya episode yang terbit yang dapat difinalisasi.":
        "Only published episodes can be finalized.",
    "Episode belum berakhir. Finalisasi dapat dilakukan setelah episode selesai.":
        "The episode has not ended yet. It can be finalized once it is over.",
    "Checkpoint tidak ditemukan.": "Checkpoint not found.",
    (
        "Laporan diimpor: %(rows)d baris, %(matched)d cocok dengan pendaftar, %(unmatched)d "
        "tidak cocok."
    ):
        (
            "Report imported: %(rows)d rows, %(matched)d matched to registrants, %(unmatched)d "
            "unmatched."
        ),
    "Tidak ada akun dengan email atau NIP ini.": "No account with this email or NIP.",
    "%(name)s ditandai %(decision)s.": "%(name)s marked %(decision)s.",
    "hadir": "present",
    "tidak hadir": "absent",
    "Finalisasi selesai: %(a)d hadir, %(c)d dikreditkan, %(s)d sertifikat diterbitkan.":
        "Finalization complete: %(a)d present, %(c)d credited, %(s)d certificates issued.",
    "Sertifikat dengan kode ini tidak ditemukan.": "No certificate found with this code.",
    "Alasan pencabutan wajib diisi.": "A revocation reason is required.",
    "Sertifikat ini sudah dicabut.": "This certificate has already been revoked.",
    "Hanya sertifikat peserta yang dapat diterbitkan ulang di sini.":
        "Only participant certificates can be reissued here.",
    "Narasumber tidak terdaftar di episode ini.": "The speaker is not listed for this episode.",
    "Manajerial": "Managerial",
    "Sosial kultural": "Socio-cultural",
    "Teknis": "Technical",
    "Semua checkpoint wajib (kode presensi)": "All required checkpoints (attendance codes)",
    "Durasi minimal dari laporan Zoom (menit)": "Minimum duration from the Zoom report (minutes)",
    "Persentase durasi dari laporan Zoom": "Share of the duration from the Zoom report",
    "Checkpoint ATAU durasi minimal": "Checkpoints OR minimum duration",
    "Narasumber": "Speaker",
    "Moderator": "Moderator",
    "Keynote speaker": "Keynote speaker",
    "Draf": "Draft",
    "Terbit": "Published",
    "Dibatalkan": "Cancelled",
    "Tahun": "Year",
    "Kosongkan untuk mengikuti tanggal episode.": "Leave empty to follow the episode date.",
    "Nomor seri": "Series number",
    "Judul": "Title",
    "Ringkasan": "Summary",
    "Jenis kompetensi": "Competency type",
    "Zona waktu": "Time zone",
    "Zona waktu pengisian jam di bawah dan zona utama episode.":
        "Time zone for the times below and the episode's main time zone.",
    "Tanggal": "Date",
    "Jam mulai": "Start time",
    "Jam selesai": "End time",
    "JP": "JP",
    "Kosongkan: durasi ÷ 45 menit.": "Leave empty: duration ÷ 45 minutes.",
    "Kuota peserta": "Participant quota",
    "Kosongkan bila tanpa batas.": "Leave empty for no limit.",
    "Pendaftaran dibuka": "Registration opens",
    "Kosongkan: dibuka saat episode diterbitkan.":
        "Leave empty: opens when the episode is published.",
    "Pendaftaran ditutup": "Registration closes",
    "Kosongkan: ditutup saat episode berakhir.": "Leave empty: closes when the episode ends.",
    "Tautan Zoom": "Zoom link",
    "Hanya terlihat oleh peserta terdaftar, menjelang mulai.":
        "Visible only to registered participants, shortly before the start.",
    "Tautan YouTube": "YouTube link",
    "Tautan rekaman": "Recording link",
    "Diisi setelah episode selesai.": "Filled in after the episode ends.",
    "Aturan kehadiran": "Attendance rule",
    "Durasi minimal (menit)": "Minimum duration (minutes)",
    # The msgid's "% d" looks like a %-placeholder to Babel (python-format flag), so the
    # English must keep a compatible "% d" too: "75% default" does.
    "Kosongkan: 75% dari durasi episode.": "Leave empty: 75% default (of the episode duration).",
    "Persentase minimal (%)": "Minimum percentage (%)",
    "Kosongkan: 75%.": "Leave empty: 75%.",
    "Evaluasi wajib sebelum sertifikat dan JP": "Evaluation required before certificate and JP",
    "Terima peserta tanpa pendaftaran (walk-in) saat presensi":
        "Accept unregistered (walk-in) participants at check-in",
    "Alasan pembatalan": "Cancellation reason",
    "Dikirim kepada semua pendaftar.": "Sent to all registrants.",
    "Nama lengkap dan gelar": "Full name and titles",
    "Peran": "Role",
    "Opsional; menautkan akun narasumber.": "Optional; links the speaker's account.",
    "Label": "Label",
    "Dibuka": "Opens",
    "Ditutup": "Closes",
    "Kode": "Code",
    "Kosongkan untuk kode acak.": "Leave empty for a random code.",
    "Wajib": "Required",
    "Format waktu %(field)s tidak valid (gunakan ISO 8601, mis. 2024-02-22T13:00:00+07:00).":
        "Invalid time format for %(field)s (use ISO 8601, e.g. 2024-02-22T13:00:00+07:00).",
    "%(field)s harus berupa bilangan bulat.": "%(field)s must be a whole number.",
    "%(field)s minimal %(n)d.": "%(field)s must be at least %(n)d.",
    "%(field)s maksimal %(n)d.": "%(field)s must be at most %(n)d.",
    "Tautan %(field)s harus diawali https://.": "The %(field)s link must start with https://.",
    "Judul wajib diisi.": "Title is required.",
    "Jenis kompetensi harus manajerial, sosial_kultural, atau teknis.":
        "Competency type must be manajerial, sosial_kultural or teknis.",
    "Waktu mulai dan selesai wajib diisi.": "Start and end times are required.",
    "Waktu selesai harus setelah waktu mulai.": "The end time must be after the start time.",
    "Satu episode paling lama 12 jam.": "An episode can last at most 12 hours.",
    "Nomor seri wajib diisi.": "Series number is required.",
    "Pendaftaran harus ditutup paling lambat saat episode berakhir.":
        "Registration must close no later than the end of the episode.",
    "Pendaftaran harus dibuka sebelum ditutup.": "Registration must open before it closes.",
    "Aturan kehadiran harus checkpoints, minutes, percent, atau either.":
        "Attendance rule must be checkpoints, minutes, percent or either.",
    "Nomor Seri %(n)d tahun %(y)d sudah dipakai.":
        "Series number %(n)d for %(y)d is already taken.",
    "Nomor seri sudah dipakai.": "Series number is already taken.",
    "Episode yang dibatalkan tidak dapat diubah.": "A cancelled episode cannot be edited.",
    "Episode yang dibatalkan tidak dapat diterbitkan.": "A cancelled episode cannot be published.",
    "Nama narasumber wajib diisi.": "Speaker name is required.",
    "Peran harus narasumber, moderator, atau keynote.":
        "Role must be narasumber, moderator or keynote.",
    "Label checkpoint wajib diisi (mis. awal, akhir).":
        "Checkpoint label is required (e.g. awal, akhir).",
    "Waktu buka dan tutup checkpoint wajib diisi.":
        "Checkpoint opening and closing times are required.",
    "Checkpoint harus ditutup setelah dibuka.": "A checkpoint must close after it opens.",
    (
        "Jendela checkpoint harus berada antara %(a)d menit sebelum mulai dan %(b)d menit "
        "setelah episode selesai."
    ):
        (
            "The checkpoint window must lie between %(a)d minutes before the start and %(b)d "
            "minutes after the episode ends."
        ),
    "Kode harus 3-20 huruf atau angka.": "The code must be 3-20 letters or digits.",
    "Kode ini sudah dipakai checkpoint lain di episode ini.":
        "This code is already used by another checkpoint in this episode.",
    "Label checkpoint sudah ada di episode ini.":
        "This checkpoint label already exists in this episode.",
    (
        "Episode %(label)s tersimpan sebagai draf. Tambahkan narasumber dan checkpoint, lalu "
        "terbitkan."
    ):
        "Episode %(label)s saved as a draft. Add speakers and checkpoints, then publish it.",
    "Perubahan tersimpan. Pendaftar menerima email jadwal baru.":
        "Changes saved. Registrants receive an email with the new schedule.",
    "Perubahan tersimpan.": "Changes saved.",
    "Episode %(label)s diterbitkan dan tampil di katalog.":
        "Episode %(label)s is published and listed in the catalog.",
    "Episode %(label)s dibatalkan. Pendaftar diberi tahu lewat email.":
        "Episode %(label)s cancelled. Registrants have been notified by email.",
    "%(name)s ditambahkan sebagai %(role)s.": "%(name)s added as %(role)s.",
    'Checkpoint "%(label)s" dibuat dengan kode %(code)s.':
        'Checkpoint "%(label)s" created with code %(code)s.',
    "Sangat kurang": "Very poor",
    "Kurang": "Poor",
    "Cukup": "Fair",
    "Baik": "Good",
    "Sangat baik": "Very good",
    "Isi materi jelas, runtut, dan bermanfaat.":
        "The content was clear, well organized and useful.",
    "Materi": "Content",
    "Narasumber menguasai materi dan menyampaikannya dengan baik.":
        "The speakers knew the subject and presented it well.",
    "Acara tepat waktu, lancar, dan informasinya jelas.":
        "The event was on time, ran smoothly and its information was clear.",
    "Penyelenggaraan": "Organization",
    "Materi dapat saya terapkan dalam tugas sehari-hari.":
        "I can apply the content in my daily work.",
    "Relevansi dengan pekerjaan": "Relevance to work",
    "Pilih salah satu nilai 1-5.": "Choose a score from 1 to 5.",
    "Kritik dan saran": "Comments and suggestions",
    "Opsional. Komentar dibaca penyelenggara dan narasumber tanpa menampilkan nama Anda.":
        "Optional. Comments are read by the organizers and speakers without your name.",
    "Evaluasi dibuka setelah episode dimulai.": "The evaluation opens after the episode starts.",
    "Hanya peserta terdaftar yang dapat mengisi evaluasi.":
        "Only registered participants can fill in the evaluation.",
    "Nilai evaluasi tidak valid.": "Invalid evaluation score.",
    'Nilai "%(name)s" wajib diisi (1-5).': 'A score for "%(name)s" is required (1-5).',
    'Nilai "%(name)s" harus 1-5.': 'The score for "%(name)s" must be 1-5.',
    "Anda sudah mengisi evaluasi episode ini.":
        "You have already completed the evaluation for this episode.",
    "Terima kasih, evaluasi Anda sudah kami terima.":
        "Thank you, we have received your evaluation.",
    "Nama pelatihan wajib diisi.": "Training name is required.",
    "JP harus bilangan bulat 1-200.": "JP must be a whole number from 1 to 200.",
    "Tanggal pelatihan tidak boleh di masa depan.": "The training date cannot be in the future.",
    "Entri JP tidak ditemukan.": "JP entry not found.",
    "Alasan pembatalan wajib diisi.": "A cancellation reason is required.",
    "Entri pembatalan tidak dapat dibatalkan lagi.": "A reversal entry cannot itself be reversed.",
    "Entri ini sudah dibatalkan.": "This entry has already been reversed.",
    "Peserta sudah memiliki kredit JP untuk episode ini.":
        "The participant already has JP credit for this episode.",
    "Hanya akun peserta yang dapat mendaftar episode.":
        "Only participant accounts can register for episodes.",
    "Episode ini tidak menerima pendaftaran.": "This episode is not accepting registrations.",
    (
        "Anda belum terdaftar di episode ini, dan episode ini tidak menerima peserta tanpa "
        "pendaftaran."
    ):
        "You are not registered for this episode, and it does not accept walk-in participants.",
    "Pendaftaran belum dibuka.": "Registration is not open yet.",
    "Pendaftaran sudah ditutup.": "Registration is closed.",
    "Kuota episode sudah penuh.": "The episode is full.",
    "Anda tidak memiliki pendaftaran aktif di episode ini.":
        "You have no active registration for this episode.",
    "Episode sudah berakhir; pendaftaran tidak dapat dibatalkan.":
        "The episode has ended; the registration cannot be cancelled.",
    "Lengkapi profil Anda (instansi, provinsi, dan persetujuan data) sebelum mendaftar episode.":
        (
            "Complete your profile (agency, province and data consent) before registering for an "
            "episode."
        ),
    (
        "Kuota penuh. Anda masuk daftar tunggu, posisi %(n)d. Kami akan mengirim email bila "
        "ada tempat."
    ):
        (
            "The episode is full. You are on the waiting list at position %(n)d. We will email "
            "you when a seat frees up."
        ),
    "Anda terdaftar. Konfirmasi dan undangan kalender dikirim ke email Anda.":
        "You are registered. A confirmation and calendar invitation have been sent to your email.",
    "Anda sudah terdaftar di episode ini.": "You are already registered for this episode.",
    "Pendaftaran Anda dibatalkan.": "Your registration has been cancelled.",
    "Berkas tidak ditemukan.": "File not found.",
    "Berkas terlalu besar (maksimal %(mb).0f MB).": "File is too large (maximum %(mb).0f MB).",
    "Berkas kosong.": "The file is empty.",
    "Jenis berkas tidak diizinkan. Gunakan: %(kinds)s.": "File type not allowed. Use: %(kinds)s.",
    "Isi berkas tidak sesuai dengan jenisnya (.%(ext)s).":
        "The file content does not match its type (.%(ext)s).",
    "Berkas bukan gambar yang valid (gunakan JPG atau PNG).":
        "The file is not a valid image (use JPG or PNG).",
    "Format gambar harus JPG atau PNG.": "The image format must be JPG or PNG.",
    "Silakan masuk untuk membuka halaman ini.": "Please log in to open this page.",
    "Autentikasi diperlukan.": "Authentication required.",
    "Sesi formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.":
        "The form session has expired or is invalid. Reload the page and try again.",
    "Permintaan tidak valid.": "Invalid request.",
    "Anda tidak berhak membuka halaman ini.": "You are not allowed to open this page.",
    "Halaman atau data tidak ditemukan.": "Page or data not found.",
    "Metode tidak diizinkan.": "Method not allowed.",
    "Berkas terlalu besar.": "File is too large.",
    "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.":
        "Too many attempts. Wait a moment and try again.",
    "Terjadi kesalahan di server. Silakan coba lagi.": "A server error occurred. Please try again.",
    "Tutup": "Close",
    "Navigasi halaman": "Page navigation",
    "Sebelumnya": "Previous",
    "Berikutnya": "Next",
    "Terdaftar": "Registered",
    "Daftar tunggu": "Waiting list",
    "Sedang berlangsung": "In progress",
    "Selesai": "Finished",
    "Akan datang": "Upcoming",
    "Dicabut": "Revoked",
    "Sah": "Valid",
    "%(value)s dari %(target)s JP (%(pct)s%%)": "%(value)s of %(target)s JP (%(pct)s%%)",
    "Sudah dimulai": "Already started",
    "hari": "days",
    "jam": "hours",
    "menit": "minutes",
    "detik": "seconds",
    "mis. Pemerintah Provinsi Jawa Timur": "e.g. Pemerintah Provinsi Jawa Timur",
    "Lupa kata sandi": "Forgot password",
    (
        "Masukkan email atau NIP akun Anda. Kami akan mengirim tautan untuk membuat kata "
        "sandi baru ke email akun."
    ):
        (
            "Enter your account's email or NIP. We will send a link to create a new password to "
            "the account's email address."
        ),
    "Kirim tautan": "Send link",
    "Kembali ke halaman masuk": "Back to login",
    "Masuk ke ASN Belajar": "Log in to ASN Belajar",
    "Gunakan email atau NIP yang Anda daftarkan.": "Use the email or NIP you registered with.",
    "email atau 18 digit NIP": "email or 18-digit NIP",
    "Lupa kata sandi?": "Forgot your password?",
    "Belum punya akun?": "Don't have an account?",
    "Daftar sekarang, gratis": "Sign up now, it's free",
    "Versi %(version)s": "Version %(version)s",
    (
        "ASN Belajar memproses data pribadi Anda sesuai Undang-Undang Nomor 27 Tahun 2022 "
        "tentang Pelindungan Data Pribadi (UU PDP). Halaman ini menjelaskan data apa yang "
        "kami kumpulkan, untuk apa, berapa lama, dan hak Anda."
    ):
        (
            "ASN Belajar processes your personal data in accordance with Law No. 27 of 2022 on "
            "Personal Data Protection (UU PDP). This page explains what data we collect, why, "
            "for how long, and your rights."
        ),
    "Pengendali data": "Data controller",
    "Pengendali data pribadi adalah %(issuer)s selaku penyelenggara seri webinar ASN Belajar.":
        (
            "The personal data controller is %(issuer)s, as the organizer of the ASN Belajar "
            "webinar series."
        ),
    "Data yang kami proses": "Data we process",
    "Identitas akun: nama lengkap, email, dan kata sandi (disimpan hanya sebagai hash).":
        "Account identity: full name, email and password (stored only as a hash).",
    (
        "Data kepegawaian: NIP atau NI PPPK, beserta tanggal lahir dan jenis kelamin yang "
        "terkandung di dalamnya; instansi, unit kerja, jabatan, pangkat/golongan, dan "
        "provinsi."
    ):
        (
            "Employment data: NIP or NI PPPK, including the date of birth and sex encoded in it; "
            "agency, work unit, position, rank/grade and province."
        ),
    "Nomor WhatsApp, bila Anda mengisinya.": "WhatsApp number, if you provide it.",
    (
        "Data kegiatan: pendaftaran, kode presensi yang dimasukkan, laporan kehadiran "
        "platform video, evaluasi, JP, dan sertifikat."
    ):
        (
            "Activity data: registrations, attendance codes entered, video platform attendance "
            "reports, evaluations, JP and certificates."
        ),
    "Tujuan dan dasar pemrosesan": "Purposes and legal basis",
    (
        "Data diproses berdasarkan persetujuan Anda dan untuk pelaksanaan tugas pengembangan "
        "kompetensi ASN (UU PDP pasal 20), yaitu untuk:"
    ):
        (
            "Data is processed on the basis of your consent and to carry out the task of ASN "
            "competency development (UU PDP article 20), namely to:"
        ),
    "mengelola pendaftaran dan mengirim informasi acara;":
        "manage registrations and send event information;",
    "mencatat kehadiran, menghitung JP, dan menerbitkan sertifikat;":
        "record attendance, calculate JP and issue certificates;",
    (
        "menyusun laporan capaian 20 JP per instansi dan data pengembangan kompetensi yang "
        "dapat dilaporkan ke SIASN;"
    ):
        (
            "compile reports on the 20 JP target per agency and competency development data that "
            "can be reported to SIASN;"
        ),
    "meningkatkan mutu webinar melalui evaluasi.":
        "improve the quality of the webinars through evaluations.",
    "Siapa yang dapat melihat data Anda": "Who can see your data",
    (
        "Hanya petugas penyelenggara yang berwenang. Narasumber hanya melihat jumlah peserta "
        "dan hasil evaluasi tanpa nama. Halaman verifikasi sertifikat yang publik hanya "
        "menampilkan nama, NIP yang disamarkan (4 digit terakhir), judul episode, dan JP; "
        "tidak pernah email atau nomor telepon. Kami tidak menjual data pribadi."
    ):
        (
            "Only authorized organizer staff. Speakers only see participant numbers and "
            "anonymous evaluation results. The public certificate verification page shows only "
            "the name, a masked NIP (last 4 digits), the episode title and JP; never an email or "
            "phone number. We do not sell personal data."
        ),
    "Masa simpan": "Retention period",
    (
        "Data akun disimpan selama akun aktif. Catatan JP dan sertifikat disimpan selama "
        "diperlukan sebagai bukti pengembangan kompetensi sesuai ketentuan kearsipan; "
        "setelah itu dihapus atau dianonimkan."
    ):
        (
            "Account data is kept while the account is active. JP records and certificates are "
            "kept as long as they are needed as proof of competency development under archiving "
            "rules; after that they are deleted or anonymized."
        ),
    "Hak Anda": "Your rights",
    (
        "Sesuai UU PDP pasal 5-13, Anda berhak memperoleh informasi, mengakses dan mendapat "
        "salinan data, memperbaiki data yang keliru, mengakhiri pemrosesan dan meminta "
        "penghapusan, serta menarik kembali persetujuan. Sebagian data dapat Anda perbarui "
        "sendiri di halaman Profil; untuk permintaan lain hubungi penyelenggara."
    ):
        (
            "Under UU PDP articles 5-13, you have the right to obtain information, to access and "
            "receive a copy of your data, to correct inaccurate data, to end processing and "
            "request deletion, and to withdraw your consent. You can update some data yourself "
            "on the Profile page; for other requests, contact the organizer."
        ),
    "Keamanan": "Security",
    (
        "Kami menggunakan koneksi terenkripsi, pembatasan akses berbasis peran, kata sandi "
        "ter-hash, dan jejak audit untuk tindakan petugas. Bila terjadi kegagalan "
        "pelindungan data, kami memberi tahu Anda paling lambat 3 x 24 jam (UU PDP pasal 46)."
    ):
        (
            "We use encrypted connections, role-based access control, hashed passwords and an "
            "audit trail of staff actions. If a personal data breach occurs, we will notify you "
            "within 3 x 24 hours (UU PDP article 46)."
        ),
    "Kontak": "Contact",
    (
        "Pertanyaan dan permintaan terkait data pribadi dapat disampaikan kepada "
        "penyelenggara (%(issuer)s) melalui kanal resmi yang tercantum pada pengumuman "
        "setiap episode."
    ):
        (
            "Questions and requests about personal data can be sent to the organizer "
            "(%(issuer)s) through the official channels listed in each episode's announcement."
        ),
    "Identitas": "Identity",
    "Jadwal episode ditampilkan dalam zona waktu ini.":
        "Episode schedules are shown in this time zone.",
    "Kepegawaian": "Employment",
    "Dari NIP: lahir %(date)s, %(gender)s.": "From the NIP: born %(date)s, %(gender)s.",
    "laki-laki": "male",
    "perempuan": "female",
    "Persetujuan data pribadi": "Personal data consent",
    "Saya menyetujui pemrosesan data pribadi saya sesuai Pemberitahuan Privasi (UU 27/2022).":
        (
            "I consent to the processing of my personal data as described in the Privacy Notice "
            "(Law 27/2022)."
        ),
    "Baca Pemberitahuan Privasi": "Read the Privacy Notice",
    "Anda menyetujui Pemberitahuan Privasi versi %(version)s pada %(when)s.":
        "You accepted Privacy Notice version %(version)s on %(when)s.",
    "Lihat": "View",
    "Simpan profil": "Save profile",
    "Batal": "Cancel",
    "Atur ulang kata sandi": "Reset password",
    "Buat kata sandi baru": "Create a new password",
    "Tautan ini hanya dapat dipakai sekali.": "This link can only be used once.",
    "Simpan kata sandi": "Save password",
    "Akun peserta": "Participant account",
    "Daftar ASN Belajar": "Sign up for ASN Belajar",
    (
        "Satu akun untuk mendaftar episode, mencatat kehadiran, mengumpulkan JP, dan "
        "mengunduh sertifikat."
    ):
        (
            "One account to register for episodes, record attendance, collect JP and download "
            "certificates."
        ),
    "Akun": "Account",
    (
        "Saya menyetujui pemrosesan data pribadi saya untuk penyelenggaraan webinar, "
        "pencatatan JP, dan penerbitan sertifikat sesuai Pemberitahuan Privasi (UU 27/2022 "
        "tentang Pelindungan Data Pribadi)."
    ):
        (
            "I consent to the processing of my personal data for running the webinars, recording "
            "JP and issuing certificates as described in the Privacy Notice (Law 27/2022 on "
            "Personal Data Protection)."
        ),
    "Buat akun": "Create account",
    "Sudah punya akun?": "Already have an account?",
    "Presensi": "Check-in",
    "Halaman episode": "Episode page",
    'Presensi "%(label)s" tercatat pukul %(t)s': 'Check-in "%(label)s" recorded at %(t)s',
    "Anda juga otomatis terdaftar sebagai peserta episode ini.":
        "You have also been registered automatically as a participant of this episode.",
    'Anda sudah presensi "%(label)s" pukul %(t)s': 'You already checked in to "%(label)s" at %(t)s',
    "Tidak perlu mengisi kode ini lagi.": "You do not need to enter this code again.",
    (
        "Anda masih di daftar tunggu (urutan ke-%(n)s). Presensi dapat dilakukan setelah "
        "Anda mendapat kursi."
    ):
        "You are still on the waiting list (position %(n)s). You can check in once you get a seat.",
    "Dibuka sekarang": "Open now",
    'Presensi "%(label)s"': 'Check-in "%(label)s"',
    "Ditutup pukul %(t)s": "Closes at %(t)s",
    "ditutup": "closed",
    "Sudah tercatat": "Already recorded",
    'Presensi "%(label)s" dibuka pukul %(t)s': 'Check-in "%(label)s" opens at %(t)s',
    "Dibuka dalam": "Opens in",
    "sekarang": "now",
    "Tidak ada presensi yang sedang dibuka": "No check-in is open right now",
    "Kode presensi ditayangkan di layar selama siaran.":
        "The attendance code is shown on screen during the broadcast.",
    "Huruf besar atau kecil sama saja.": "Upper or lower case does not matter.",
    "Kirim presensi": "Check in",
    "Presensi Anda": "Your check-ins",
    "Belum": "Not yet",
    "Terlewat": "Missed",
    "Belum dibuka": "Not open yet",
    "Seri %(n)s": "Series %(n)s",
    'Kode presensi "%(label)s"': 'Attendance code "%(label)s"',
    "Seri %(n)s · %(y)s": "Series %(n)s · %(y)s",
    "Layar penuh": "Full screen",
    "Kembali ke konsol": "Back to the console",
    "Dibuka pukul %(t)s · dalam": "Opens at %(t)s · in",
    "Ditutup pukul %(t)s · sisa": "Closes at %(t)s · remaining",
    "Presensi ini sudah ditutup": "This check-in is closed",
    "Kode QR ke halaman presensi": "QR code to the check-in page",
    "Buka halaman presensi, masuk dengan akun Anda, lalu ketik kode di atas:":
        "Open the check-in page, log in with your account, then type the code above:",
    "Log audit": "Audit log",
    "menjadi": "became",
    "%(n)s tindakan penyelenggara tercatat · waktu dalam WIB":
        "%(n)s organizer actions recorded · times in WIB",
    "Aksi": "Action",
    "Semua aksi": "All actions",
    "Objek": "Object",
    "Semua objek": "All objects",
    "Terapkan": "Apply",
    "Reset": "Reset",
    "Waktu": "Time",
    "Pelaku": "Actor",
    "Sebelum → sesudah": "Before → after",
    "Sistem": "System",
    "episode": "episode",
    "%(n)s kolom lainnya": "%(n)s more fields",
    "Belum ada catatan": "No entries yet",
    "Tindakan penyelenggara (membuat, menerbitkan, menandai, finalisasi) tercatat di sini.":
        "Organizer actions (creating, publishing, marking, finalizing) are recorded here.",
    "Webinar pengembangan kompetensi ASN": "ASN competency development webinars",
    "Langsung ke konten utama": "Skip to main content",
    "Navigasi utama": "Main navigation",
    "Buka menu": "Open menu",
    "Beranda": "Home",
    "Episode": "Episodes",
    "Dasbor": "Dashboard",
    "Pendaftaran Saya": "My Registrations",
    "Sertifikat Saya": "My Certificates",
    "Konsol": "Console",
    "Sesi Saya": "My Sessions",
    "Verifikasi Sertifikat": "Verify Certificate",
    "Pilih bahasa": "Choose language",
    "Menu akun": "Account menu",
    "Profil": "Profile",
    "Riwayat JP": "JP History",
    "Keluar": "Log out",
    "Masuk": "Log in",
    "Daftar Akun": "Sign Up",
    (
        "Seri webinar publik pengembangan kompetensi ASN. Target %(jp)s JP per tahun (PP "
        "11/2017 pasal 203)."
    ):
        (
            "A public webinar series for ASN competency development. Target: %(jp)s JP (learning "
            "hours) per year (PP 11/2017 article 203)."
        ),
    "Pemberitahuan Privasi": "Privacy Notice",
    "Waktu ditampilkan dalam %(zone)s": "Times shown in %(zone)s",
    "Setiap sertifikat memiliki kode QR dan kode verifikasi yang dapat diperiksa siapa saja.":
        "Every certificate has a QR code and a verification code that anyone can check.",
    "Nomor": "Number",
    "Tanggal kegiatan": "Event date",
    "Unduh PDF": "Download PDF",
    "Halaman verifikasi": "Verification page",
    "Belum ada sertifikat": "No certificates yet",
    (
        "Sertifikat terbit otomatis setelah episode selesai, kehadiran Anda terverifikasi, "
        "dan (bila diwajibkan) evaluasi terisi."
    ):
        (
            "Certificates are issued automatically once the episode is over, your attendance is "
            "verified and (where required) the evaluation is completed."
        ),
    "Lihat pendaftaran saya": "View my registrations",
    "Sertifikat dicabut": "Certificate revoked",
    "Sertifikat sah": "Valid certificate",
    "Sertifikat tidak ditemukan": "Certificate not found",
    (
        "Tidak ada sertifikat dengan kode ini. Periksa kembali kode yang Anda ketik atau "
        "pindai ulang kode QR."
    ):
        (
            "There is no certificate with this code. Check the code you typed or scan the QR "
            "code again."
        ),
    "Kode yang diperiksa": "Code checked",
    "Periksa kode lain": "Check another code",
    "DICABUT": "REVOKED",
    "Sertifikat ini pernah diterbitkan tetapi sudah dicabut dan tidak berlaku.":
        "This certificate was issued but has been revoked and is no longer valid.",
    "Sertifikat SAH": "VALID certificate",
    "Sertifikat ini diterbitkan oleh %(issuer)s melalui ASN Belajar dan tercatat di sistem.":
        "This certificate was issued by %(issuer)s through ASN Belajar and is on record.",
    "Alasan pencabutan": "Revocation reason",
    "Nomor sertifikat": "Certificate number",
    "Nama": "Name",
    "Kegiatan": "Event",
    "Jam pelajaran": "Learning hours",
    "Tanggal terbit": "Issue date",
    (
        "Halaman ini hanya menampilkan data yang tercetak pada sertifikat; NIP disamarkan "
        "untuk melindungi data pribadi."
    ):
        (
            "This page shows only the data printed on the certificate; the NIP is masked to "
            "protect personal data."
        ),
    "Periksa sertifikat lain": "Check another certificate",
    "Pindai kode QR pada sertifikat, atau ketik kode verifikasinya di sini.":
        "Scan the QR code on the certificate, or type its verification code here.",
    "Kode verifikasi": "Verification code",
    "mis. 3fJk9Qw2-xYz…": "e.g. 3fJk9Qw2-xYz…",
    "Masukkan kode verifikasi.": "Enter the verification code.",
    "Kode tercetak di bawah kode QR. Tautan verifikasi lengkap juga dapat ditempel.":
        "The code is printed below the QR code. You can also paste the full verification link.",
    "Periksa": "Check",
    "dan %(n)s lainnya": "and %(n)s more",
    "Episode dibatalkan": "Episode cancelled",
    "Anda terdaftar": "You are registered",
    "Daftar tunggu, urutan ke-%(n)s": "Waiting list, position %(n)s",
    "Episode telah selesai": "The episode has ended",
    "Pendaftaran dibuka %(when)s": "Registration opens %(when)s",
    "Masuk untuk mendaftar": "Log in to register",
    "Pendaftaran hanya untuk akun peserta.": "Registration is for participant accounts only.",
    "Masuk daftar tunggu": "Join the waiting list",
    "Daftar sekarang": "Register now",
    "%(n)s / %(cap)s kursi terisi": "%(n)s / %(cap)s seats taken",
    "%(n)s terdaftar": "%(n)s registered",
    "Final": "Final",
    "Berlangsung": "Live",
    "Perlu finalisasi": "Needs finalization",
    "Navigasi konsol": "Console navigation",
    "Katalog episode": "Episode catalog",
    "%(n)s episode ditemukan": "%(n)s episodes found",
    "tahun %(y)s": "year %(y)s",
    "Semua tahun": "All years",
    "Semua jenis": "All types",
    "Tidak ada episode yang cocok": "No matching episodes",
    "Coba pilih tahun atau jenis kompetensi lain.": "Try another year or competency type.",
    "Tampilkan semua": "Show all",
    "Konsol episode": "Episode console",
    "%(n)s episode": "%(n)s episodes",
    "Episode baru": "New episode",
    "Status": "Status",
    "Semua status": "All statuses",
    "Seri": "Series",
    "tunggu": "waiting",
    "Kelola": "Manage",
    "Ubah": "Edit",
    "Belum ada episode": "No episodes yet",
    "Buat episode pertama untuk mulai menerima pendaftaran.":
        "Create the first episode to start accepting registrations.",
    "Draf: halaman ini hanya terlihat oleh penyelenggara sampai episode diterbitkan.":
        "Draft: this page is visible only to organizers until the episode is published.",
    "Kelola episode": "Manage episode",
    "Selesai pukul %(t)s": "Ends at %(t)s",
    "%(m)s menit": "%(m)s minutes",
    "Tampilkan dalam zona waktu": "Show in time zone",
    "Sedang berlangsung, berakhir dalam": "In progress, ends in",
    "Dimulai dalam": "Starts in",
    "Tentang episode": "About this episode",
    "Narasumber segera diumumkan.": "Speakers will be announced soon.",
    "Cara mendapatkan %(jp)s JP dan sertifikat": "How to earn %(jp)s JP and a certificate",
    "Daftar sebelum pendaftaran ditutup (%(when)s).":
        "Register before registration closes (%(when)s).",
    "Ikuti siaran dan masukkan semua kode presensi yang ditayangkan (%(n)s checkpoint).":
        "Follow the broadcast and enter every attendance code shown (%(n)s checkpoints).",
    "Ikuti siaran dan masukkan kode presensi yang ditayangkan.":
        "Follow the broadcast and enter the attendance codes shown.",
    "Ikuti Zoom minimal %(m)s menit; kehadiran dihitung dari laporan Zoom.":
        "Attend on Zoom for at least %(m)s minutes; attendance is taken from the Zoom report.",
    "Ikuti Zoom minimal %(p)s%% dari durasi episode.":
        "Attend on Zoom for at least %(p)s%% of the episode.",
    "Masukkan semua kode presensi, atau ikuti Zoom minimal %(m)s menit.":
        "Enter all attendance codes, or attend on Zoom for at least %(m)s minutes.",
    "Isi evaluasi setelah episode selesai.": "Fill in the evaluation after the episode ends.",
    "JP tercatat otomatis di riwayat JP Anda dan e-sertifikat dapat diunduh.":
        (
            "The JP are recorded automatically in your JP history and the e-certificate can be "
            "downloaded."
        ),
    'Presensi "%(label)s": %(a)s – %(b)s': 'Check-in "%(label)s": %(a)s – %(b)s',
    "tercatat %(t)s": "recorded %(t)s",
    "Kursi terisi": "Seats taken",
    (
        "Kuota penuh. Di daftar tunggu, Anda otomatis mendapat kursi bila ada peserta yang "
        "membatalkan."
    ):
        (
            "The episode is full. On the waiting list, you automatically get a seat when a "
            "participant cancels."
        ),
    (
        "Anda otomatis dipindahkan menjadi peserta terdaftar bila ada kursi kosong, dan kami "
        "kirim email."
    ):
        (
            "You will be moved to the registered list automatically when a seat frees up, and we "
            "will email you."
        ),
    "Batalkan pendaftaran Anda di episode ini?": "Cancel your registration for this episode?",
    "Batalkan pendaftaran": "Cancel registration",
    'Presensi "%(label)s" sedang dibuka': 'Check-in "%(label)s" is open',
    "Isi kode presensi": "Enter attendance code",
    "Tautan Zoom Anda": "Your Zoom link",
    "Gabung Zoom": "Join Zoom",
    "Tautan Zoom tampil di sini %(m)s menit sebelum mulai.":
        "The Zoom link appears here %(m)s minutes before the start.",
    "Memuat tautan…": "Loading link…",
    "Kehadiran Anda tercatat": "Your attendance has been recorded",
    "Isi evaluasi untuk menerima %(jp)s JP dan sertifikat.":
        "Fill in the evaluation to receive %(jp)s JP and the certificate.",
    "%(jp)s JP masuk ke riwayat JP Anda.": "%(jp)s JP added to your JP history.",
    "Belum memenuhi syarat kehadiran": "Attendance requirement not met",
    "Hubungi penyelenggara bila Anda mengikuti siaran.":
        "Contact the organizer if you attended the broadcast.",
    "Evaluasi sudah diisi": "Evaluation completed",
    "Isi evaluasi": "Fill in evaluation",
    "Tambah ke kalender": "Add to calendar",
    "Siaran YouTube": "YouTube stream",
    "Rekaman": "Recording",
    "Ubah episode": "Edit episode",
    "Baru": "New",
    (
        "Episode ini sudah terbit. Bila tanggal atau jam berubah, semua pendaftar menerima "
        "email dan undangan kalender baru."
    ):
        (
            "This episode is already published. If the date or time changes, all registrants "
            "receive an email and a new calendar invitation."
        ),
    "Jadwal": "Schedule",
    "Pendaftaran": "Registration",
    "Waktu pendaftaran mengikuti zona waktu yang dipilih di atas.":
        "Registration times use the time zone selected above.",
    "Tautan": "Links",
    "Kehadiran dan sertifikat": "Attendance and certificate",
    "Simpan perubahan": "Save changes",
    "Simpan sebagai draf": "Save as draft",
    "Panduan singkat": "Quick guide",
    "Nomor seri berurutan per tahun dan dimulai lagi dari 1 setiap tahun.":
        "Series numbers run sequentially within a year and restart at 1 each year.",
    (
        "Jam diisi dalam zona waktu yang dipilih; peserta melihatnya dalam zona mereka "
        "sendiri (WIB, WITA, WIT)."
    ):
        (
            "Times are entered in the selected time zone; participants see them in their own "
            "zone (WIB, WITA, WIT)."
        ),
    "JP bawaan adalah durasi dibagi 45 menit (2 jam = 2 JP).":
        "By default, JP is the duration divided by 45 minutes (2 hours = 2 JP).",
    (
        "Episode baru tersimpan sebagai draf. Tambahkan narasumber dan checkpoint presensi, "
        "lalu terbitkan dari halaman kelola."
    ):
        (
            "A new episode is saved as a draft. Add speakers and attendance checkpoints, then "
            "publish it from the manage page."
        ),
    "Episode berikutnya": "Next episode",
    "Berakhir dalam": "Ends in",
    'Isi kode presensi "%(label)s"': 'Enter attendance code "%(label)s"',
    "Lihat detail": "View details",
    "Webinar publik pengembangan kompetensi ASN": "Public ASN competency development webinars",
    "Belum ada episode terjadwal. Jadwal berikutnya segera diumumkan.":
        "No episodes scheduled yet. The next schedule will be announced soon.",
    "Capaian program": "Program results",
    "Episode terbit": "Published episodes",
    "Peserta terdaftar": "Registered participants",
    "JP dikreditkan": "JP credited",
    "Jadwal mendatang": "Upcoming schedule",
    "Semua episode": "All episodes",
    "Belum ada jadwal lain": "No other episodes scheduled",
    "Episode baru diumumkan setiap pekan.": "New episodes are announced every week.",
    "Episode terakhir & rekaman": "Recent episodes & recordings",
    "Tonton rekaman": "Watch recording",
    "Rekaman belum tersedia": "Recording not available yet",
    "Belum ada episode selesai": "No finished episodes yet",
    "Keynote": "Keynote",
    "Semua checkpoint wajib": "All required checkpoints",
    "Durasi minimal Zoom": "Minimum Zoom duration",
    "Persentase durasi Zoom": "Zoom duration percentage",
    "Checkpoint atau durasi": "Checkpoints or duration",
    "Halaman publik": "Public page",
    "Terbitkan episode ini? Episode akan tampil di katalog dan pendaftaran dibuka.":
        "Publish this episode? It will appear in the catalog and registration will open.",
    "Terbitkan": "Publish",
    "Draf: sebelum menerbitkan": "Draft: before publishing",
    "Checkpoint presensi": "Attendance checkpoints",
    "sudah": "done",
    "belum": "not yet",
    "Presensi kode": "Code check-ins",
    "Waktu dalam %(z)s": "Times in %(z)s",
    "Jendela": "Window",
    "opsional": "optional",
    "Tampilkan kode layar penuh untuk dibagikan di siaran":
        "Show the code full screen to share during the broadcast",
    "Tayangkan": "Present",
    'Belum ada checkpoint. Biasanya dua: "awal" di awal siaran dan "akhir" menjelang selesai.':
        (
            'No checkpoints yet. Usually there are two: "awal" at the start of the broadcast and '
            '"akhir" near the end.'
        ),
    "kosongkan untuk kode acak": "leave empty for a random code",
    "Wajib untuk lulus": "Required to pass",
    "Kode kosong: dibuat acak (6 karakter tanpa 0/O/1/I).":
        "Empty code: a random one is generated (6 characters without 0/O/1/I).",
    "Tambah checkpoint": "Add checkpoint",
    "Kehadiran": "Attendance",
    "Laporan Zoom": "Zoom report",
    "%(n)s baris": "%(n)s rows",
    "%(n)s cocok": "%(n)s matched",
    "%(n)s tidak cocok": "%(n)s unmatched",
    "Baris yang tidak cocok": "Unmatched rows",
    "Baris": "Row",
    "Unggah laporan": "Upload report",
    "Unggah ulang (menggantikan)": "Upload again (replaces)",
    "Penandaan manual": "Manual marking",
    "Keputusan manual mengalahkan perhitungan otomatis dan tercatat di log audit.":
        "Manual decisions override the automatic calculation and are recorded in the audit log.",
    "Simpan penandaan": "Save mark",
    "Peserta": "Participant",
    "Tambah narasumber": "Add speaker",
    "Pratinjau kelulusan": "Pass preview",
    "Aturan": "Rule",
    "dari %(n)s pendaftar memenuhi syarat hadir":
        "of %(n)s registrants meet the attendance requirement",
    "Hadir (aturan terpenuhi)": "Present (rule met)",
    "Ditandai hadir manual": "Manually marked present",
    "Checkpoint tidak lengkap": "Checkpoints incomplete",
    "Durasi kurang": "Duration too short",
    "Ditandai tidak hadir": "Marked absent",
    "Tanpa bukti kehadiran": "No proof of attendance",
    "Evaluasi wajib: JP dan sertifikat menyusul setelah peserta yang hadir mengisi evaluasi.":
        (
            "Evaluation required: JP and certificates follow once attending participants "
            "complete the evaluation."
        ),
    "Finalisasi": "Finalization",
    "Difinalisasi %(when)s": "Finalized %(when)s",
    "%(a)s hadir · %(c)s kredit JP · %(s)s sertifikat berlaku":
        "%(a)s present · %(c)s JP credits · %(s)s valid certificates",
    (
        "Menghitung kehadiran, mengkreditkan JP, dan menerbitkan sertifikat. Aman dijalankan "
        "ulang: yang sudah dikreditkan tidak dikreditkan dua kali."
    ):
        (
            "Calculates attendance, credits JP and issues certificates. Safe to run again: "
            "nothing already credited is credited twice."
        ),
    "Jalankan finalisasi sekarang?": "Run finalization now?",
    "Episode belum berakhir (selesai %(t)s).": "The episode has not ended yet (ends %(t)s).",
    "Finalisasi ulang": "Finalize again",
    "Finalisasi episode": "Finalize episode",
    "Rincian": "Details",
    "saat diterbitkan": "when published",
    "Kuota": "Quota",
    "tanpa batas": "unlimited",
    "Evaluasi wajib": "Evaluation required",
    "Ya": "Yes",
    "Tidak": "No",
    "Walk-in": "Walk-in",
    "Diterima": "Accepted",
    "Tidak diterima": "Not accepted",
    "Zoom": "Zoom",
    "YouTube": "YouTube",
    "Halaman presensi": "Check-in page",
    "Batalkan episode": "Cancel episode",
    "Batalkan episode ini? Semua pendaftar akan menerima email pembatalan.":
        "Cancel this episode? All registrants will receive a cancellation email.",
    "Terjadi kendala": "Something went wrong",
    "Tidak ditemukan": "Not found",
    "Akses ditolak": "Access denied",
    "Perlu masuk": "Login required",
    "Terlalu banyak percobaan": "Too many attempts",
    "Kesalahan server": "Server error",
    "Permintaan tidak dapat diproses": "The request could not be processed",
    "Ke beranda": "Go to home page",
    "Evaluasi": "Evaluation",
    "Evaluasi hanya dapat diisi oleh peserta yang terdaftar di episode ini.":
        "Only participants registered for this episode can fill in the evaluation.",
    "Lihat episode": "View episode",
    "Evaluasi dibuka setelah episode dimulai, %(when)s.":
        "The evaluation opens after the episode starts, %(when)s.",
    "Pengisian evaluasi adalah syarat terbitnya sertifikat dan JP untuk episode ini.":
        "Completing the evaluation is required for the certificate and JP of this episode.",
    "Beri nilai 1 (sangat kurang) sampai 5 (sangat baik).":
        "Rate from 1 (very poor) to 5 (very good).",
    "Kirim evaluasi": "Submit evaluation",
    "Terima kasih": "Thank you",
    "Terima kasih atas evaluasi Anda": "Thank you for your evaluation",
    (
        "Masukan Anda untuk %(label)s “%(title)s” sudah kami terima dan membantu kami "
        "menyiapkan episode berikutnya."
    ):
        (
            "We have received your feedback on %(label)s “%(title)s”; it helps us prepare the "
            "next episodes."
        ),
    "Dasbor peserta": "Participant dashboard",
    "Halo, %(name)s": "Hello, %(name)s",
    "Capaian pengembangan kompetensi Anda tahun %(year)s.":
        "Your competency development progress in %(year)s.",
    (
        "Profil Anda belum lengkap. Lengkapi instansi dan provinsi agar dapat mendaftar "
        "episode dan tercatat dalam laporan instansi."
    ):
        (
            "Your profile is incomplete. Add your agency and province so you can register for "
            "episodes and be included in agency reports."
        ),
    "Lengkapi profil": "Complete profile",
    "JP tahun %(year)s": "JP in %(year)s",
    "Target tercapai!": "Target reached!",
    "Anda telah memenuhi hak pengembangan kompetensi minimal %(target)s JP tahun ini.":
        (
            "You have met your minimum entitlement of %(target)s JP of competency development "
            "this year."
        ),
    "Kurang %(n)s JP lagi": "%(n)s JP to go",
    "Setiap ASN berhak atas minimal %(target)s JP pengembangan kompetensi per tahun.":
        (
            "Every ASN is entitled to at least %(target)s JP (learning hours) of competency "
            "development per year."
        ),
    "JP per bulan tahun %(year)s": "JP per month in %(year)s",
    "Sertifikat": "Certificates",
    "Lihat riwayat JP": "View JP history",
    "Presensi sekarang": "Check in now",
    "Tonton di YouTube": "Watch on YouTube",
    "Sedang berlangsung — muat ulang halaman": "In progress — reload the page",
    "Belum ada episode terdaftar": "No registered episodes yet",
    "Pilih episode berikutnya untuk menambah JP Anda.":
        "Pick an upcoming episode to add to your JP.",
    "Lihat jadwal episode": "View the episode schedule",
    "Pendaftaran lain": "Other registrations",
    "Semua": "All",
    "Sertifikat terbaru": "Latest certificates",
    "Semua sertifikat": "All certificates",
    "Sertifikat terbit setelah episode selesai dan kehadiran Anda terverifikasi.":
        "Certificates are issued after the episode ends and your attendance is verified.",
    "Riwayat JP %(year)s": "JP history %(year)s",
    (
        "Catatan jam pelajaran Anda. Setiap koreksi tercatat sebagai entri pembatalan, tidak "
        "ada yang dihapus."
    ):
        (
            "Your record of learning hours. Every correction is recorded as a reversal entry; "
            "nothing is deleted."
        ),
    "Tampilkan": "Show",
    "Total %(year)s": "Total %(year)s",
    "Target tercapai": "Target reached",
    "Kurang %(n)s JP": "%(n)s JP to go",
    "Capaian JP": "JP progress",
    "Entri JP tahun %(year)s": "JP entries in %(year)s",
    "Sumber": "Source",
    "Pembatalan": "Reversal",
    "Pelatihan eksternal": "External training",
    "Eksternal": "External",
    "Unduh": "Download",
    "Total": "Total",
    "Belum ada JP di tahun %(year)s": "No JP in %(year)s yet",
    "JP tercatat otomatis setelah Anda mengikuti episode dan kehadiran diverifikasi.":
        (
            "JP are recorded automatically after you attend an episode and your attendance is "
            "verified."
        ),
    "Evaluasi terisi": "Evaluation completed",
    "Unduh sertifikat": "Download certificate",
    "Batalkan": "Cancel",
    "Batalkan pendaftaran untuk episode ini?": "Cancel the registration for this episode?",
    "posisi %(n)s": "position %(n)s",
    "mulai dalam": "starts in",
    "Episode yang Anda ikuti, presensi, evaluasi, dan sertifikat.":
        "The episodes you take part in, with check-ins, evaluations and certificates.",
    "Cari episode": "Find episodes",
    "Akan datang & sedang berlangsung": "Upcoming & in progress",
    "Belum ada episode mendatang": "No upcoming episodes",
    "Daftar ke episode berikutnya untuk menambah JP Anda.":
        "Register for the next episode to add to your JP.",
    "Riwayat": "History",
    "Belum ada riwayat.": "No history yet.",
    # Added after the first extraction (account deletion, series, imports, speakers, ...)
    "Kata sandi saat ini": "Current password",
    "Ketik HAPUS untuk mengonfirmasi": "Type HAPUS to confirm",
    "Akun ini sudah dihapus.": "This account has been deleted.",
    "Zona waktu tidak dikenal.": "Unknown time zone.",
    "Akun ini tidak memiliki profil peserta.": "This account has no participant profile.",
    "Akun tidak ditemukan.": "Account not found.",
    "Hanya akun peserta yang dapat dihapus dengan cara ini.":
        "Only participant accounts can be deleted this way.",
    "Ketik %(word)s untuk mengonfirmasi.": "Type %(word)s to confirm.",
    "Kata sandi salah.": "Incorrect password.",
    (
        "Akun Anda sudah dihapus. Data pribadi Anda telah dianonimkan; sertifikat yang "
        "pernah terbit tetap dapat diverifikasi."
    ):
        (
            "Your account has been deleted. Your personal data has been anonymized; certificates "
            "already issued can still be verified."
        ),
    "Gambar sampul": "Cover image",
    "JPG atau PNG, maksimal 5 MB; diperkecil ke 1600×900 piksel.":
        "JPG or PNG, up to 5 MB; resized to 1600×900 pixels.",
    "Hapus gambar sampul": "Remove cover image",
    "Tanggal episode pertama": "Date of the first episode",
    "Hari dalam pekan diambil dari tanggal ini.": "The day of the week is taken from this date.",
    "Durasi (menit)": "Duration (minutes)",
    "Jumlah episode": "Number of episodes",
    "1 sampai 52 pekan.": "1 to 52 weeks.",
    "Awalan judul": "Title prefix",
    "Judul draf: awalan – Seri nomor; ubah setelah topik ditetapkan.":
        "Draft title: prefix – Series number; change it once the topic is set.",
    "JP per episode": "JP per episode",
    "Mulai dari nomor": "Start at number",
    "Kosongkan: melanjutkan nomor tertinggi tahun itu.":
        "Leave empty: continues from that year's highest number.",
    "Episode sudah difinalisasi; checkpoint tidak dapat diubah lagi.":
        "The episode has been finalized; its checkpoints can no longer be changed.",
    (
        'Checkpoint "%(label)s" tidak dapat dihapus karena sudah ada %(n)d presensi '
        "tercatat. Ubah jendela waktunya atau jadikan opsional."
    ):
        (
            'Checkpoint "%(label)s" cannot be deleted because %(n)d check-ins are already '
            "recorded. Change its time window or make it optional."
        ),
    "Awalan judul wajib diisi.": "Title prefix is required.",
    "Awalan judul maksimal 200 karakter.": "Title prefix can be at most 200 characters.",
    "Jumlah episode wajib diisi.": "Number of episodes is required.",
    "Durasi wajib diisi.": "Duration is required.",
    "Tanggal dan jam mulai wajib diisi.": "Start date and time are required.",
    "Tanggal dan jam episode pertama sudah lewat.":
        "The date and time of the first episode have already passed.",
    "Nomor seri melebihi 999.": "Series number exceeds 999.",
    "Program tidak ditemukan.": "Program not found.",
    "Sudah selesai": "Past",
    'Checkpoint "%(label)s" diperbarui (kode %(code)s).':
        'Checkpoint "%(label)s" updated (code %(code)s).',
    'Checkpoint "%(label)s" dihapus.': 'Checkpoint "%(label)s" deleted.',
    (
        "Salinan tersimpan sebagai draf %(label)s, %(when)s. Periksa judul, narasumber dan "
        "kode presensi baru, lalu terbitkan."
    ):
        (
            "Copy saved as draft %(label)s, %(when)s. Check the title, speakers and new "
            "attendance codes, then publish it."
        ),
    (
        "Rencana berubah sejak pratinjau (isian atau nomor yang terpakai). Periksa pratinjau "
        "di bawah, lalu konfirmasi lagi."
    ):
        (
            "The plan changed since the preview (inputs or numbers already taken). Check the "
            "preview below, then confirm again."
        ),
    "%(n)s draf dibuat: %(first)s sampai %(last)s.": "%(n)s drafts created: %(first)s to %(last)s.",
    "%(n)s tanggal dilewati karena episodenya sudah ada.":
        "%(n)s dates skipped because their episodes already exist.",
    "Semua episode dalam rencana ini sudah ada; tidak ada draf baru yang dibuat.":
        "All episodes in this plan already exist; no new drafts were created.",
    "Nama pelatihan": "Training name",
    "mis. Pelatihan Kepemimpinan Pengawas": "e.g. Pelatihan Kepemimpinan Pengawas",
    "Penyelenggara": "Organizer",
    "mis. LAN RI, BPSDM Provinsi": "e.g. LAN RI, BPSDM Provinsi",
    "Tanggal pelatihan": "Training date",
    "Isi tanggal pelatihan.": "Enter the training date.",
    "Tanggal selesai; menentukan tahun JP dihitung.":
        "End date; determines the year the JP count towards.",
    "Jumlah JP": "Number of JP",
    "Isi jumlah JP.": "Enter the number of JP.",
    "Bukti (sertifikat / surat keterangan)": "Evidence (certificate / statement letter)",
    "Unggah berkas bukti pelatihan.": "Upload the training evidence file.",
    "Bukti harus berupa PDF, JPG, atau PNG.": "Evidence must be a PDF, JPG or PNG.",
    "Catatan (opsional)": "Note (optional)",
    "mis. kredit ganda, bukti tidak sah, peserta tidak memenuhi syarat":
        "e.g. double credit, invalid evidence, participant not eligible",
    "Kredit eksternal %(jp)d JP untuk %(name)s tersimpan.":
        "External credit of %(jp)d JP for %(name)s saved.",
    "Entri dibatalkan: %(jp)d JP dikurangkan dari tahun %(year)d.":
        "Entry reversed: %(jp)d JP deducted from %(year)d.",
    "Berkas pendaftar (CSV atau XLSX)": "Registrant file (CSV or XLSX)",
    "Pilih berkas CSV atau XLSX.": "Choose a CSV or XLSX file.",
    "Unggah berkas CSV atau XLSX.": "Upload a CSV or XLSX file.",
    (
        "Baris pertama berisi judul kolom. Berkas diperiksa dulu; belum ada yang disimpan "
        "sebelum Anda mengonfirmasi."
    ):
        (
            "The first row holds the column headings. The file is checked first; nothing is "
            "saved until you confirm."
        ),
    "Unggah ulang berkasnya.": "Upload the file again.",
    "NIP": "NIP",
    "Provinsi": "Province",
    "Berkas": "File",
    "WhatsApp": "WhatsApp",
    "Impor dibatalkan: %(n)d baris bermasalah. Tidak ada data yang diubah.":
        "Import cancelled: %(n)d rows have problems. No data was changed.",
    (
        'Berkas CSV bukan teks UTF-8 (baris %(line)d). Di Excel, simpan dengan pilihan "CSV '
        'UTF-8 (Comma delimited)", atau unggah berkas XLSX.'
    ):
        (
            'The CSV file is not UTF-8 text (row %(line)d). In Excel, save it as "CSV UTF-8 '
            '(Comma delimited)", or upload an XLSX file.'
        ),
    "Isi berkas bukan teks CSV. Unggah berkas CSV atau XLSX.":
        "The file content is not CSV text. Upload a CSV or XLSX file.",
    "Baris %(line)d: format CSV rusak (%(reason)s).": "Row %(line)d: malformed CSV (%(reason)s).",
    "Berkas XLSX tidak dapat dibaca (rusak atau bukan lembar kerja Excel).":
        "The XLSX file cannot be read (damaged or not an Excel workbook).",
    "Berkas XLSX tidak berisi lembar kerja.": "The XLSX file contains no worksheet.",
    (
        "NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang. Format "
        "kolom NIP sebagai Teks lalu ketik ulang."
    ):
        (
            "The NIP was stored as a number in Excel, so its last digits were lost. Format the "
            "NIP column as Text and type it again."
        ),
    "Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx atau CSV UTF-8.":
        "The old Excel format (.xls) is not supported. Save as .xlsx or CSV UTF-8.",
    "Isi berkas adalah XLSX; beri nama berakhiran .xlsx.":
        "The file content is XLSX; give it a name ending in .xlsx.",
    "Isi berkas bukan XLSX yang valid.": "The file content is not a valid XLSX.",
    "Jenis berkas tidak didukung. Unggah CSV atau XLSX.":
        "Unsupported file type. Upload CSV or XLSX.",
    "Berkas berisi lebih dari %(n)d baris data. Bagi menjadi beberapa berkas.":
        "The file has more than %(n)d data rows. Split it into several files.",
    "Berkas kosong: tidak ada baris judul kolom.": "The file is empty: there is no header row.",
    "Berkas hanya berisi judul kolom, tanpa baris data.":
        "The file contains only column headings, no data rows.",
    'Baris %(line)d: kolom "%(name)s" muncul dua kali.':
        'Row %(line)d: column "%(name)s" appears twice.',
    (
        "Baris %(line)d harus berisi judul kolom; kolom wajib tidak ditemukan: %(missing)s. "
        "Kolom yang dikenal: nip, nama, email, jenis_pegawai, instansi, unit_kerja, jabatan, "
        "pangkat_golongan, provinsi, whatsapp."
    ):
        (
            "Row %(line)d must hold the column headings; required columns not found: "
            "%(missing)s. Known columns: nip, nama, email, jenis_pegawai, instansi, unit_kerja, "
            "jabatan, pangkat_golongan, provinsi, whatsapp."
        ),
    "Nama wajib diisi.": "Name is required.",
    "Terlalu panjang (maksimal %(n)d karakter).": "Too long (at most %(n)d characters).",
    "Email yang sama sudah ada di baris %(line)d.": "The same email is already in row %(line)d.",
    "NIP yang sama sudah ada di baris %(line)d.": "The same NIP is already in row %(line)d.",
    "NIP ini sudah dipakai akun lain dengan email berbeda (%(email)s).":
        "This NIP is already used by another account with a different email (%(email)s).",
    "Instansi wajib diisi untuk akun baru.": "Agency is required for new accounts.",
    "Email ini milik akun panitia atau narasumber, bukan peserta.":
        "This email belongs to an organizer or speaker account, not a participant.",
    "Akun dengan email ini sudah dihapus atau dinonaktifkan.":
        "The account with this email has been deleted or deactivated.",
    "Email ini sudah terdaftar dengan NIP lain.":
        "This email is already registered with a different NIP.",
    "Akun dengan email ini tidak memiliki NIP; peserta perlu melengkapi NIP di profilnya sendiri.":
        (
            "The account with this email has no NIP; the participant needs to add the NIP in "
            "their own profile."
        ),
    "Impor hanya untuk episode yang sudah terbit dan tidak dibatalkan.":
        "Import is only for published, non-cancelled episodes.",
    "Episode sudah berakhir; pendaftar tidak dapat diimpor lagi.":
        "The episode has ended; registrants can no longer be imported.",
    (
        "Sebagian email baru saja didaftarkan orang lain. Unggah ulang berkas untuk melihat "
        "pratinjau terbaru."
    ):
        (
            "Some emails were just registered by someone else. Upload the file again to see an "
            "up-to-date preview."
        ),
    (
        "Sebagian NIP baru saja didaftarkan orang lain. Unggah ulang berkas untuk melihat "
        "pratinjau terbaru."
    ):
        (
            "Some NIPs were just registered by someone else. Upload the file again to see an "
            "up-to-date preview."
        ),
    "Berkas pratinjau sudah kedaluwarsa atau tidak ditemukan. Unggah ulang berkasnya.":
        "The preview file has expired or cannot be found. Upload the file again.",
    "Tulis seperti pada sertifikat, mis. Prof. Dr. Eko Prasojo, Mag.rer.publ.":
        "Write it as on the certificate, e.g. Prof. Dr. Eko Prasojo, Mag.rer.publ.",
    "Opsional. Diperlukan untuk mengundang narasumber ke portal narasumber.":
        "Optional. Needed to invite the speaker to the speaker portal.",
    "Profil singkat": "Short bio",
    "Tampil di halaman episode.": "Shown on the episode page.",
    "Foto": "Photo",
    "Hapus foto": "Remove photo",
    "JPG atau PNG, maksimal %(mb)s MB; diperkecil otomatis ke 600×600 piksel.":
        "JPG or PNG, up to %(mb)s MB; automatically resized to 600×600 pixels.",
    "Judul materi": "Material title",
    "Kosongkan untuk memakai nama berkas.": "Leave empty to use the file name.",
    "Pilih berkas materi (PDF atau PPTX).": "Choose a material file (PDF or PPTX).",
    "PDF atau PPTX, maksimal %(mb)s MB.": "PDF or PPTX, up to %(mb)s MB.",
    "Narasumber tidak ditemukan.": "Speaker not found.",
    "%(field)s maksimal %(n)d karakter.": "%(field)s can be at most %(n)d characters.",
    "Email ini sudah dipakai narasumber lain.": "This email is already used by another speaker.",
    "Profil singkat maksimal 5000 karakter.": "The short bio can be at most 5000 characters.",
    (
        "Narasumber ini tercatat di %(n)d sesi dan tidak dapat dihapus. Lepaskan dari "
        "episode terlebih dahulu."
    ):
        (
            "This speaker is listed in %(n)d sessions and cannot be deleted. Remove them from "
            "the episodes first."
        ),
    "Narasumber ini memiliki materi atau sertifikat dan tidak dapat dihapus.":
        "This speaker has materials or certificates and cannot be deleted.",
    "Email ini baru saja didaftarkan. Coba undang sekali lagi.":
        "This email was just registered. Try inviting again.",
    "Isi email narasumber terlebih dahulu, lalu kirim undangan.":
        "Fill in the speaker's email first, then send the invitation.",
    "Akun dengan email ini sudah tertaut ke narasumber lain.":
        "The account with this email is already linked to another speaker.",
    "Akun narasumber ini nonaktif.": "This speaker account is inactive.",
    "Materi tidak ditemukan.": "Material not found.",
    "Episode ini dibatalkan; materi tidak dapat ditambahkan.":
        "This episode has been cancelled; materials cannot be added.",
    "Judul materi maksimal 200 karakter.": "The material title can be at most 200 characters.",
    "Satu episode paling banyak %(n)d materi.": "An episode can have at most %(n)d materials.",
    "Sertifikat narasumber tersedia setelah episode selesai.":
        "The speaker certificate is available after the episode ends.",
    "Narasumber %(name)s tersimpan.": "Speaker %(name)s saved.",
    "Narasumber %(name)s dihapus.": "Speaker %(name)s deleted.",
    "Akun narasumber dibuat. Undangan berisi tautan untuk membuat kata sandi dikirim ke %(email)s.":
        (
            "Speaker account created. An invitation with a link to create a password has been "
            "sent to %(email)s."
        ),
    "Akun %(email)s yang sudah ada ditautkan ke narasumber ini, dan undangan dikirim.":
        (
            "The existing account %(email)s has been linked to this speaker, and an invitation "
            "has been sent."
        ),
    "Undangan dikirim ulang ke %(email)s.": "Invitation sent again to %(email)s.",
    "Pilih narasumber untuk melihat portalnya.": "Choose a speaker to view their portal.",
    'Materi "%(title)s" diunggah.': 'Material "%(title)s" uploaded.',
    'Materi "%(title)s" dihapus.': 'Material "%(title)s" deleted.',
    "Hapus akun": "Delete account",
    "Data pribadi": "Personal data",
    (
        "Sesuai UU 27/2022, Anda dapat meminta penghapusan data pribadi. Akun Anda akan "
        "dianonimkan; tindakan ini tidak dapat dibatalkan."
    ):
        (
            "Under Law 27/2022, you can request the deletion of your personal data. Your account "
            "will be anonymized; this cannot be undone."
        ),
    "Sebelum menghapus:": "Before deleting:",
    (
        "unduh sertifikat PDF yang Anda perlukan dan salinan data Anda. Setelah akun dihapus "
        "Anda tidak dapat masuk lagi untuk mengunduhnya."
    ):
        (
            "download the PDF certificates you need and a copy of your data. Once the account is "
            "deleted you cannot log in again to download them."
        ),
    "Unduh data saya": "Download my data",
    "Sertifikat saya": "My certificates",
    "Yang dihapus": "What is deleted",
    (
        "Email dan kata sandi: Anda langsung keluar dan tidak dapat masuk lagi, baik dengan "
        "email maupun NIP."
    ):
        (
            "Email and password: you are logged out immediately and cannot log in again, with "
            "either email or NIP."
        ),
    'Nama akun diganti menjadi "Peserta Terhapus #%(id)s".':
        'The account name is changed to "Peserta Terhapus #%(id)s" (Deleted Participant).',
    (
        "NIP, tanggal lahir, jenis kelamin, nomor WhatsApp, unit kerja, jabatan, "
        "pangkat/golongan, dan provinsi."
    ):
        "NIP, date of birth, sex, WhatsApp number, work unit, position, rank/grade and province.",
    (
        "Pendaftaran pada episode yang belum difinalisasi dibatalkan; kursi Anda diberikan "
        "kepada peserta berikutnya di daftar tunggu. Episode tersebut tidak akan lagi "
        "menghasilkan JP atau sertifikat untuk Anda."
    ):
        (
            "Registrations for episodes not yet finalized are cancelled; your seat goes to the "
            "next person on the waiting list. Those episodes will no longer earn you JP or "
            "certificates."
        ),
    "Token akses API dicabut.": "API access tokens are revoked.",
    "Yang tetap disimpan, dan mengapa": "What is kept, and why",
    "Sertifikat yang sudah terbit.": "Certificates already issued.",
    (
        "Sertifikat membekukan nama dan NIP pada saat terbit. Halaman verifikasi publik "
        "tetap menampilkan nama dan NIP tersamar (hanya 4 digit terakhir) yang tercetak pada "
        "sertifikat, karena itulah dokumen yang Anda terima dan mungkin telah Anda serahkan "
        "ke instansi atau SIASN; tanpa itu keasliannya tidak dapat lagi dibuktikan. Bila "
        "Anda ingin sertifikat dicabut, hubungi penyelenggara sebelum menghapus akun."
    ):
        (
            "A certificate freezes the name and NIP at the time of issue. The public "
            "verification page still shows the name and masked NIP (last 4 digits only) printed "
            "on the certificate, because that is the document you received and may have "
            "submitted to your agency or SIASN; without it, its authenticity could no longer be "
            "proven. If you want a certificate revoked, contact the organizer before deleting "
            "your account."
        ),
    "Catatan JP.": "JP records.",
    (
        "Buku besar JP tidak pernah diubah atau dihapus agar jumlah JP dan laporan tetap "
        "konsisten; catatan itu kini hanya terhubung ke akun anonim."
    ):
        (
            "The JP ledger is never changed or deleted so that JP totals and reports stay "
            "consistent; the records are then linked only to an anonymous account."
        ),
    "Instansi, riwayat kehadiran, dan evaluasi": "Agency, attendance history and evaluations",
    (
        "tetap tersimpan tanpa identitas Anda untuk statistik episode dan laporan agregat "
        "per instansi."
    ):
        "are kept without your identity for episode statistics and aggregate reports per agency.",
    (
        "Email dan NIP Anda dapat dipakai lagi untuk membuat akun baru, tetapi riwayat JP "
        "dan sertifikat lama tidak ikut pindah ke akun baru."
    ):
        (
            "Your email and NIP can be used again to create a new account, but the old JP "
            "history and certificates do not move to the new account."
        ),
    "Konfirmasi penghapusan": "Confirm deletion",
    "Ketik %(word)s dengan huruf kapital.": "Type %(word)s in capital letters.",
    "Hapus akun saya": "Delete my account",
    (
        "Catatan teknis: waktu dan alamat IP saat memasukkan kode presensi, serta versi dan "
        "waktu persetujuan Anda atas pemberitahuan ini."
    ):
        (
            "Technical records: the time and IP address when you enter an attendance code, and "
            "the version and time of your consent to this notice."
        ),
    (
        "Data akun dan profil disimpan selama akun aktif. Catatan JP dan sertifikat disimpan "
        "selama diperlukan sebagai bukti pengembangan kompetensi sesuai ketentuan kearsipan; "
        "setelah itu dihapus atau dianonimkan."
    ):
        (
            "Account and profile data is kept while the account is active. JP records and "
            "certificates are kept as long as they are needed as proof of competency development "
            "under archiving rules; after that they are deleted or anonymized."
        ),
    (
        "Bila Anda menghapus akun, email, kata sandi, NIP, tanggal lahir, jenis kelamin, "
        "nomor WhatsApp, unit kerja, jabatan, pangkat/golongan, dan provinsi dihapus "
        'seketika, dan nama akun diganti dengan "Peserta Terhapus". Yang tetap disimpan '
        "tanpa identitas: instansi (untuk laporan agregat), catatan JP (buku besar tidak "
        "pernah diubah), riwayat kehadiran, dan evaluasi."
    ):
        (
            "If you delete your account, your email, password, NIP, date of birth, sex, WhatsApp "
            "number, work unit, position, rank/grade and province are deleted at once, and the "
            'account name is replaced with "Peserta Terhapus" (Deleted Participant). Kept '
            "without identity: agency (for aggregate reports), JP records (the ledger is never "
            "changed), attendance history and evaluations."
        ),
    (
        "Sertifikat yang sudah terbit tidak diubah. Sertifikat membekukan nama dan NIP pada "
        "saat terbit, dan halaman verifikasi publik tetap menampilkan nama serta NIP "
        "tersamar (4 digit terakhir) yang tercetak pada sertifikat, karena itulah dokumen "
        "yang diterima pemegangnya dan mungkin telah diserahkan ke instansi atau SIASN. "
        "Pemegang yang ingin sertifikatnya dicabut dapat memintanya kepada penyelenggara."
    ):
        (
            "Certificates already issued are not changed. A certificate freezes the name and NIP "
            "at the time of issue, and the public verification page still shows the name and "
            "masked NIP (last 4 digits) printed on it, because that is the document its holder "
            "received and may have submitted to their agency or SIASN. Holders who want their "
            "certificate revoked can ask the organizer."
        ),
    (
        "Sesuai UU PDP pasal 5-13, Anda berhak memperoleh informasi, mengakses dan mendapat "
        "salinan data, memperbaiki data yang keliru, mengakhiri pemrosesan dan meminta "
        "penghapusan, serta menarik kembali persetujuan."
    ):
        (
            "Under UU PDP articles 5-13, you have the right to obtain information, to access and "
            "receive a copy of your data, to correct inaccurate data, to end processing and "
            "request deletion, and to withdraw your consent."
        ),
    "Akses dan salinan:": "Access and copy:",
    'unduh seluruh data Anda dalam format JSON melalui tombol "Unduh data saya" di halaman Profil.':
        'download all your data as JSON with the "Download my data" button on the Profile page.',
    "Perbaikan:": "Correction:",
    "perbarui nama dan data kepegawaian sendiri di halaman Profil.":
        "update your name and employment data yourself on the Profile page.",
    "Penghapusan dan penarikan persetujuan:": "Deletion and withdrawal of consent:",
    (
        'hapus akun melalui halaman Profil, "Hapus akun"; data pribadi dianonimkan seperti '
        "dijelaskan di atas."
    ):
        (
            'delete your account from the Profile page, "Delete account"; personal data is '
            "anonymized as described above."
        ),
    "Permintaan lain": "Other requests",
    (
        "(misalnya keberatan atas pemrosesan atau pencabutan sertifikat) dapat disampaikan "
        "melalui kontak di bawah."
    ):
        (
            "(for example an objection to processing or the revocation of a certificate) can be "
            "made through the contact below."
        ),
    (
        "Persetujuan yang Anda berikan (versi Pemberitahuan Privasi dan waktunya) tercatat "
        "dan dapat dilihat di halaman Profil. Bila pemberitahuan ini berubah, versinya naik "
        "dan Anda akan diminta menyetujui versi baru."
    ):
        (
            "Your consent (the Privacy Notice version and its time) is recorded and shown on the "
            "Profile page. If this notice changes, its version goes up and you will be asked to "
            "accept the new version."
        ),
    (
        "Pertanyaan dan permintaan terkait data pribadi dapat disampaikan kepada "
        "penyelenggara (%(issuer)s)"
    ):
        "Questions and requests about personal data can be sent to the organizer (%(issuer)s)",
    "melalui email": "by email",
    "melalui kanal resmi yang tercantum pada pengumuman setiap episode.":
        "through the official channels listed in each episode's announcement.",
    "Permintaan dijawab dalam jangka waktu yang ditetapkan UU PDP.":
        "Requests are answered within the period set by UU PDP.",
    "Versi pemberitahuan: %(version)s.": "Notice version: %(version)s.",
    (
        "Pemberitahuan Privasi diperbarui ke versi %(new)s (Anda menyetujui versi %(old)s). "
        "Setujui versi baru untuk menyimpan profil."
    ):
        (
            "The Privacy Notice has been updated to version %(new)s (you accepted version "
            "%(old)s). Accept the new version to save your profile."
        ),
    (
        "Saya menyetujui pemrosesan data pribadi saya sesuai Pemberitahuan Privasi versi "
        "%(version)s (UU 27/2022)."
    ):
        (
            "I consent to the processing of my personal data as described in Privacy Notice "
            "version %(version)s (Law 27/2022)."
        ),
    "Data pribadi Anda": "Your personal data",
    "Persetujuan tercatat": "Recorded consent",
    "Pemberitahuan Privasi versi %(version)s, disetujui %(when)s.":
        "Privacy Notice version %(version)s, accepted %(when)s.",
    "Belum ada persetujuan tercatat.": "No consent recorded yet.",
    "Dasar dan tujuan": "Basis and purpose",
    "Pendaftaran, presensi, JP, dan sertifikat (UU 27/2022).":
        "Registration, check-ins, JP and certificates (Law 27/2022).",
    (
        "Unduhan berisi salinan lengkap data akun, profil, pendaftaran, presensi, evaluasi, "
        "JP, dan sertifikat Anda dalam format JSON."
    ):
        (
            "The download contains a complete copy of your account, profile, registrations, "
            "check-ins, evaluations, JP and certificates as JSON."
        ),
    "Ubah checkpoint": "Edit checkpoint",
    'Checkpoint "%(label)s"': 'Checkpoint "%(label)s"',
    'Ubah checkpoint "%(label)s"': 'Edit checkpoint "%(label)s"',
    (
        "Sudah ada %(n)s presensi untuk checkpoint ini. Presensi yang tercatat tetap berlaku "
        "bila kode atau jendela diubah."
    ):
        (
            "This checkpoint already has %(n)s check-ins. Recorded check-ins stay valid if the "
            "code or window changes."
        ),
    "Kosongkan untuk kode acak baru (tanpa 0/O/1/I/L).":
        "Leave empty for a new random code (without 0/O/1/I/L).",
    (
        "Jam dalam %(z)s pada tanggal episode. Jendela boleh dibuka paling awal %(a)s menit "
        "sebelum mulai dan ditutup paling lambat %(b)s menit setelah selesai."
    ):
        (
            "Times in %(z)s on the episode date. The window may open at most %(a)s minutes "
            "before the start and must close at most %(b)s minutes after the end."
        ),
    "Simpan checkpoint": "Save checkpoint",
    "Kode saat ini": "Current code",
    "%(n)s presensi tercatat": "%(n)s check-ins recorded",
    "Hapus checkpoint": "Delete checkpoint",
    (
        "Tidak dapat dihapus: sudah ada presensi yang menjadi bukti kehadiran. Jadikan "
        "opsional bila checkpoint ini tidak lagi wajib."
    ):
        (
            "Cannot be deleted: check-ins already serve as proof of attendance. Make it optional "
            "if this checkpoint is no longer required."
        ),
    "Belum ada presensi; checkpoint dapat dihapus.":
        "No check-ins yet; the checkpoint can be deleted.",
    'Hapus checkpoint "%(label)s"?': 'Delete checkpoint "%(label)s"?',
    "Buat seri mingguan": "Create weekly series",
    "Seri mingguan": "Weekly series",
    (
        "Menyiapkan beberapa draf episode sekaligus, satu per pekan pada hari dan jam yang "
        "sama. Periksa pratinjau, lalu konfirmasi."
    ):
        (
            "Prepares several draft episodes at once, one per week on the same day and time. "
            "Check the preview, then confirm."
        ),
    "Setiap %(day)s": "Every %(day)s",
    "Pratinjau ulang": "Preview again",
    "Pratinjau": "Preview",
    "Pratinjau: %(n)s episode": "Preview: %(n)s episodes",
    "Setiap %(day)s, pukul %(t)s": "Every %(day)s at %(t)s",
    "Tanggal dan jam": "Date and time",
    "Judul draf": "Draft title",
    "Sudah ada, dilewati": "Already exists, skipped",
    "lihat": "view",
    (
        "Semua draf dibuat sekaligus; belum ada yang terbit. Narasumber dan checkpoint "
        "ditambahkan per episode."
    ):
        (
            "All drafts are created at once; none is published yet. Speakers and checkpoints are "
            "added per episode."
        ),
    "Buat %(n)s draf": "Create %(n)s drafts",
    "Semua episode dalam rencana ini sudah ada. Tidak ada yang perlu dibuat.":
        "All episodes in this plan already exist. Nothing needs to be created.",
    "Belum ada pratinjau": "No preview yet",
    (
        "Isi formulir lalu tekan Pratinjau. Nomor seri melanjutkan nomor tertinggi tahun "
        "itu; nomor yang sudah dipakai dilewati."
    ):
        (
            "Fill in the form and press Preview. Series numbers continue from that year's "
            "highest number; numbers already taken are skipped."
        ),
    "ASN Belajar": "ASN Belajar",
    "Saldo": "Balance",
    "Sertifikat / bukti": "Certificate / evidence",
    "lihat pembatalan": "see reversal",
    "dicabut": "revoked",
    "Bukti": "Evidence",
    "dari target %(n)s JP": "of the %(n)s JP target",
    "Entri %(year)s": "Entries %(year)s",
    "Unduh transkrip %(year)s": "Download %(year)s transcript",
    "Transkrip PDF": "PDF transcript",
    "Transkrip CSV (Excel)": "CSV transcript (Excel)",
    (
        "Pelatihan di luar ASN Belajar dicatat oleh penyelenggara bersama buktinya. "
        "Transkrip memuat NIP lengkap Anda: simpan dengan baik."
    ):
        (
            "Training outside ASN Belajar is recorded by the organizer together with its "
            "evidence. The transcript contains your full NIP: keep it safe."
        ),
    "Riwayat JP · %(name)s": "JP history · %(name)s",
    "Lokasi": "Breadcrumb",
    "Kredit eksternal belum tersimpan. Periksa isian yang ditandai.":
        "The external credit was not saved. Check the highlighted fields.",
    "Ke formulir": "Go to the form",
    "%(n)s entri · target %(t)s JP per tahun": "%(n)s entries · target %(t)s JP per year",
    "Profil peserta": "Participant profile",
    "Jenis": "Type",
    "Umum (non-ASN)": "General public (non-ASN)",
    "Pangkat/gol.": "Rank/grade",
    "Akun sejak": "Account since",
    "Entri JP %(year)s": "JP entries %(year)s",
    "Kredit eksternal": "External credit",
    (
        "Kredit dari episode tercatat saat episode difinalisasi. Pelatihan di tempat lain "
        "dapat ditambahkan di bawah."
    ):
        (
            "Credits from episodes are recorded when the episode is finalized. Training taken "
            "elsewhere can be added below."
        ),
    "Tambah kredit eksternal": "Add external credit",
    (
        "Untuk pelatihan yang diikuti di luar ASN Belajar. Tercatat di log audit dan tampil "
        "di riwayat JP peserta bersama buktinya. Kredit tidak dapat diubah; koreksi "
        "dilakukan dengan pembatalan."
    ):
        (
            "For training taken outside ASN Belajar. Recorded in the audit log and shown in the "
            "participant's JP history with its evidence. Credits cannot be edited; corrections "
            "are made by reversal."
        ),
    "PDF, JPG, atau PNG, maksimal %(mb)s MB.": "PDF, JPG or PNG, up to %(mb)s MB.",
    "Simpan kredit": "Save credit",
    "Sertifikat peserta": "Participant certificates",
    "%(n)s sertifikat, semua tahun": "%(n)s certificates, all years",
    "Terbitkan ulang": "Reissue",
    "Cabut": "Revoke",
    "Peserta ini belum memiliki sertifikat.": "This participant has no certificates yet.",
    "%(n)s peserta cocok dengan “%(q)s”": "%(n)s participants match “%(q)s”",
    "%(n)s peserta terdaftar": "%(n)s registered participants",
    "JP dihitung untuk tahun %(year)s": "JP counted for %(year)s",
    "Cari sertifikat": "Find certificates",
    "Cari peserta": "Find participants",
    "Nama, email, atau NIP (boleh dengan spasi/titik)": "Name, email or NIP (spaces/dots allowed)",
    "Cari": "Search",
    "JP %(year)s": "JP %(year)s",
    "dianonimkan": "anonymized",
    "nonaktif": "inactive",
    "Non-ASN": "Non-ASN",
    "Tidak ada peserta yang cocok": "No matching participants",
    "Periksa ejaan nama, email, atau 18 digit NIP. Pencarian NIP boleh memakai sebagian digit.":
        (
            "Check the spelling of the name, email or 18-digit NIP. A NIP search may use part of "
            "the digits."
        ),
    "Belum ada peserta": "No participants yet",
    "Peserta muncul di sini setelah mendaftar akun.":
        "Participants appear here after they sign up.",
    "Akun aktif": "Active account",
    "Diundang": "Invited",
    "Belum ada akun": "No account yet",
    "Ubah narasumber": "Edit speaker",
    "Narasumber baru": "New speaker",
    "mis. Deputi Bidang SDM Aparatur": "e.g. Deputi Bidang SDM Aparatur",
    "mis. Kementerian PANRB": "e.g. Kementerian PANRB",
    "Foto saat ini": "Current photo",
    "Simpan narasumber": "Save speaker",
    "Akun portal narasumber": "Speaker portal account",
    (
        "Isi email narasumber untuk mengundangnya ke portal: melihat sesi, jumlah peserta, "
        "hasil evaluasi, mengunggah materi, dan mengunduh sertifikat narasumber."
    ):
        (
            "Fill in the speaker's email to invite them to the portal: to see sessions, "
            "participant numbers and evaluation results, upload materials and download the "
            "speaker certificate."
        ),
    "Narasumber sudah dapat masuk dengan email %(email)s.":
        "The speaker can already log in with the email %(email)s.",
    (
        "Undangan sudah dikirim, tetapi kata sandi belum dibuat. Tautan dalam undangan "
        "berlaku singkat; kirim ulang bila perlu."
    ):
        (
            "The invitation was sent, but no password has been created yet. The link in the "
            "invitation expires soon; send it again if needed."
        ),
    "Undangan membuat akun narasumber dan mengirim tautan untuk membuat kata sandi ke %(email)s.":
        (
            "The invitation creates a speaker account and sends a link to create a password to "
            "%(email)s."
        ),
    "Kirim ulang undangan": "Resend invitation",
    "Undang ke portal": "Invite to the portal",
    "Lihat portal narasumber ini": "View this speaker's portal",
    "Sesi": "Sessions",
    "Belum tercatat di episode mana pun. Tambahkan dari halaman kelola episode.":
        "Not listed in any episode yet. Add them from the episode's manage page.",
    "Hapus narasumber": "Delete speaker",
    (
        "Narasumber yang sudah tercatat di sesi tidak dapat dihapus, agar riwayat dan "
        "sertifikat tetap utuh."
    ):
        (
            "Speakers already listed in a session cannot be deleted, so that history and "
            "certificates stay intact."
        ),
    "Profil dan fotonya dihapus. Akun portal (bila ada) tetap ada.":
        "The profile and photo are deleted. The portal account (if any) remains.",
    "Hapus narasumber %(name)s?": "Delete speaker %(name)s?",
    "Hapus": "Delete",
    "%(n)s narasumber": "%(n)s speakers",
    'pencarian "%(q)s"': 'search "%(q)s"',
    "Cari nama, email, instansi, atau jabatan": "Search by name, email, agency or position",
    "mis. Prasojo": "e.g. Prasojo",
    "Instansi belum diisi": "No agency yet",
    "%(n)s akan datang": "%(n)s upcoming",
    "Portal": "Portal",
    "Tidak ada narasumber yang cocok": "No matching speakers",
    "Coba kata kunci lain, atau tambahkan narasumber baru.":
        "Try other keywords, or add a new speaker.",
    "Belum ada narasumber": "No speakers yet",
    "Tambahkan profil narasumber: nama dengan gelar, instansi, jabatan, profil singkat, dan foto.":
        "Add speaker profiles: name with titles, agency, position, short bio and photo.",
    "Anda melihat portal narasumber %(name)s sebagai panitia.":
        "You are viewing the speaker portal of %(name)s as an organizer.",
    "Kembali ke profil narasumber": "Back to the speaker profile",
    "Akun Anda belum tertaut ke profil narasumber":
        "Your account is not linked to a speaker profile yet",
    (
        "Panitia menautkan akun saat mengundang Anda sebagai narasumber. Hubungi panitia "
        "bila Anda seharusnya melihat sesi di sini."
    ):
        (
            "The organizers link your account when they invite you as a speaker. Contact them if "
            "you should see sessions here."
        ),
    "Portal narasumber": "Speaker portal",
    "Sesi akan datang": "Upcoming sessions",
    "Sesi selesai": "Past sessions",
    "Evaluasi peserta": "Participant evaluations",
    "Nilai narasumber": "Speaker score",
    "%(n)s presensi": "%(n)s check-ins",
    "Materi & detail": "Materials & details",
    "Belum ada sesi yang dijadwalkan.": "No sessions scheduled yet.",
    "Menunggu finalisasi panitia": "Awaiting finalization by the organizers",
    "Detail": "Details",
    "Belum ada sesi yang selesai.": "No finished sessions yet.",
    "Anda melihat sesi ini sebagai panitia, atas nama narasumber %(name)s.":
        "You are viewing this session as an organizer, on behalf of speaker %(name)s.",
    (
        "Anda melihat sesi ini sebagai panitia. Materi yang Anda unggah tidak tercatat atas "
        "nama narasumber tertentu."
    ):
        (
            "You are viewing this session as an organizer. Materials you upload are not recorded "
            "under any particular speaker."
        ),
    (
        "Episode ini masih draf panitia: jadwal dapat berubah dan pendaftaran belum dibuka. "
        "Anda sudah dapat menyiapkan materi."
    ):
        (
            "This episode is still an organizer draft: the schedule may change and registration "
            "is not open yet. You can already prepare your materials."
        ),
    "Mengisi presensi": "Checked in",
    "Hadir (terverifikasi)": "Present (verified)",
    "Hasil evaluasi peserta": "Participant evaluation results",
    "%(n)s responden": "%(n)s respondents",
    "Evaluasi dibuka untuk peserta setelah sesi dimulai. Hasilnya tampil di sini.":
        "The evaluation opens for participants after the session starts. The results appear here.",
    "Belum ada peserta yang mengisi evaluasi.": "No participant has filled in the evaluation yet.",
    "Ditampilkan tanpa nama peserta.": "Shown without participant names.",
    'Hapus materi "%(title)s"?': 'Delete material "%(title)s"?',
    "Hapus %(title)s": "Delete %(title)s",
    "Peserta terdaftar dapat mengunduh materi sejak sesi dimulai.":
        "Registered participants can download materials once the session starts.",
    "Unggah materi": "Upload material",
    "Sertifikat narasumber": "Speaker certificate",
    "Tidak ada sertifikat untuk episode yang dibatalkan.":
        "There are no certificates for cancelled episodes.",
    "Tersedia setelah sesi selesai.": "Available after the session ends.",
    "Sertifikat narasumber tidak memuat JP. Keasliannya dapat diverifikasi melalui kode QR.":
        "Speaker certificates carry no JP. Their authenticity can be verified with the QR code.",
    "Unduh sertifikat (PDF)": "Download certificate (PDF)",
    "Tampil di halaman verifikasi publik sertifikat ini.":
        "Shown on this certificate's public verification page.",
    "mis. peserta terbukti tidak hadir": "e.g. participant proven absent",
    "Alasan penerbitan ulang": "Reason for reissue",
    "Menjadi alasan pencabutan sertifikat lama. Kosongkan untuk “Diterbitkan ulang”.":
        (
            "Becomes the revocation reason of the old certificate. Leave empty for “Diterbitkan "
            "ulang” (Reissued)."
        ),
    "mis. perbaikan penulisan nama": "e.g. correction of the name's spelling",
    "Sertifikat %(n)s dicabut. Halaman verifikasi kini menyatakan DICABUT.":
        "Certificate %(n)s revoked. The verification page now says REVOKED.",
    "Sertifikat ini sudah diganti oleh %(n)s.": "This certificate has been replaced by %(n)s.",
    "Sertifikat ini baru saja diterbitkan ulang oleh orang lain.":
        "This certificate was just reissued by someone else.",
    "Sertifikat baru %(new)s diterbitkan; %(old)s dicabut.":
        "New certificate %(new)s issued; %(old)s revoked.",
    "Formulir konfirmasi tidak sah. Unggah ulang berkasnya.":
        "Invalid confirmation form. Upload the file again.",
    (
        "Impor selesai: %(rows)d baris, %(new)d akun baru, %(reg)d terdaftar, %(wait)d "
        "daftar tunggu, %(same)d sudah terdaftar (tidak berubah)."
    ):
        (
            "Import complete: %(rows)d rows, %(new)d new accounts, %(reg)d registered, %(wait)d "
            "waitlisted, %(same)d already registered (unchanged)."
        ),
    "Penghapusan tidak dapat dibatalkan.": "Deletion cannot be undone.",
    "%(n)s sertifikat cocok dengan “%(q)s”": "%(n)s certificates match “%(q)s”",
    "%(n)s sertifikat, terbaru lebih dulu": "%(n)s certificates, newest first",
    "Nomor, kode verifikasi, nama, atau NIP": "Number, verification code, name or NIP",
    "Pemegang": "Holder",
    "terbit %(d)s": "issued %(d)s",
    "Tidak ada sertifikat yang cocok": "No matching certificates",
    (
        "Cari dengan nomor lengkap atau sebagian (mis. 00012/ASNB), kode verifikasi, tautan "
        "verifikasi, nama pemegang, atau NIP."
    ):
        (
            "Search by full or partial number (e.g. 00012/ASNB), verification code, verification "
            "link, holder name or NIP."
        ),
    "Sertifikat terbit saat episode difinalisasi.":
        "Certificates are issued when an episode is finalized.",
    "Terbitkan ulang sertifikat": "Reissue certificate",
    "Cabut sertifikat": "Revoke certificate",
    "Kembali": "Back",
    "Yang akan terjadi:": "What will happen:",
    "Halaman verifikasi publik menyatakan sertifikat ini DICABUT beserta alasannya.":
        "The public verification page states that this certificate is REVOKED, with the reason.",
    "Kredit %(jp)s JP dari episode ini dibatalkan di riwayat JP peserta.":
        "The %(jp)s JP credit from this episode is reversed in the participant's JP history.",
    "Peserta tidak dapat lagi mengunduh PDF-nya. Tindakan tercatat di log audit.":
        "The participant can no longer download its PDF. The action is recorded in the audit log.",
    "Sertifikat %(n)s dicabut.": "Certificate %(n)s revoked.",
    (
        "Sertifikat baru terbit dengan nomor dan kode verifikasi baru, memakai nama, NIP, "
        "dan instansi dari profil peserta saat ini."
    ):
        (
            "A new certificate is issued with a new number and verification code, using the "
            "name, NIP and agency from the participant's current profile."
        ),
    "Kredit JP episode pindah ke sertifikat baru: tetap satu kredit yang berlaku.":
        (
            "The episode's JP credit moves to the new certificate: there is still exactly one "
            "valid credit."
        ),
    "Cabut sertifikat %(n)s?": "Revoke certificate %(n)s?",
    "Terbitkan ulang sertifikat %(n)s?": "Reissue certificate %(n)s?",
    "Sampul %(title)s": "Cover of %(title)s",
    "Belum tersimpan: periksa isian yang ditandai merah di bawah.":
        "Not saved yet: check the fields marked in red below.",
    "Sampul saat ini": "Current cover",
    "Ganti gambar sampul": "Replace cover image",
    "Tentang program & arsip per tahun": "About the program & yearly archive",
    "Semua rekaman": "All recordings",
    (
        "Buat salinan episode ini sebagai draf satu pekan kemudian? Narasumber dan "
        "pengaturan ikut disalin; kode presensi dibuat baru."
    ):
        (
            "Create a copy of this episode as a draft one week later? Speakers and settings are "
            "copied; new attendance codes are generated."
        ),
    "Salin sebagai draf satu pekan kemudian": "Copy as a draft one week later",
    "Duplikat": "Duplicate",
    "Ubah checkpoint %(label)s": "Edit checkpoint %(label)s",
    "Hapus checkpoint %(label)s": "Delete checkpoint %(label)s",
    "Program": "Program",
    "Rekaman episode": "Episode recordings",
    "Sertifikat terbit": "Certificates issued",
    "Peserta per tahun": "Participants per year",
    "peserta": "participants",
    (
        "Peserta = orang berbeda yang terdaftar pada episode tahun itu. Klik batang untuk "
        "melihat episodenya."
    ):
        (
            "Participants = distinct people registered for that year's episodes. Click a bar to "
            "see its episodes."
        ),
    "Arsip per tahun": "Yearly archive",
    "%(p)s peserta · %(jp)s JP": "%(p)s participants · %(jp)s JP",
    "Episode tahun %(y)s": "Episodes in %(y)s",
    "Saring di katalog (tahun dan jenis kompetensi)":
        "Filter in the catalog (year and competency type)",
    "Tidak ada episode pada tahun ini": "No episodes in this year",
    "Belum ada episode terbit": "No published episodes yet",
    "Arsip dan capaian tampil setelah episode pertama terbit.":
        "The archive and results appear after the first episode is published.",
    "Jam": "Time",
    "Pilih ulang berkasnya: berkas tidak disimpan selama isian lain belum valid.":
        "Choose the file again: files are not kept while other fields are invalid.",
    "Batalkan entri JP": "Reverse JP entry",
    "Batalkan entri": "Reverse entry",
    "Entri ini adalah pembatalan dan tidak dapat dibatalkan lagi.":
        "This entry is a reversal and cannot itself be reversed.",
    "Entri ini sudah dibatalkan pada %(when)s.": "This entry was already reversed on %(when)s.",
    "Alasan: %(r)s": "Reason: %(r)s",
    "Total JP %(year)s berubah dari %(a)s menjadi %(b)s":
        "JP total for %(year)s changes from %(a)s to %(b)s",
    (
        "Pembatalan menambah entri bernilai −%(jp)s JP; entri asli tetap tercatat. Tindakan "
        "ini masuk log audit dan terlihat oleh peserta bersama alasannya."
    ):
        (
            "A reversal adds an entry of −%(jp)s JP; the original entry stays on record. The "
            "action goes into the audit log and is visible to the participant with its reason."
        ),
    "Sertifikat %(n)s tetap sah. Untuk mencabut sertifikat sekaligus JP-nya, gunakan":
        "Certificate %(n)s stays valid. To revoke the certificate together with its JP, use",
    "Batalkan entri ini (−%(jp)s JP)? Tindakan ini tidak dapat diurungkan.":
        "Reverse this entry (−%(jp)s JP)? This cannot be undone.",
    "Impor pendaftar": "Import registrants",
    "Pendaftar": "Registrants",
    "Impor": "Import",
    "Unggah berkas": "Upload file",
    "CSV (UTF-8, pemisah koma atau titik koma) atau XLSX, maksimal %(mb).0f MB dan 10.000 baris.":
        "CSV (UTF-8, comma or semicolon separated) or XLSX, up to %(mb).0f MB and 10,000 rows.",
    "Periksa berkas": "Check file",
    "Unduh templat CSV": "Download CSV template",
    "berkas ekspor pendaftar juga dapat diimpor langsung":
        "a registrant export file can also be imported directly",
    "Yang terjadi saat impor": "What happens on import",
    (
        "Anda melihat pratinjau dulu: kesalahan per baris (nomor baris, kolom, alasan) dan "
        "apa yang akan terjadi pada setiap baris."
    ):
        (
            "You see a preview first: errors per row (row number, column, reason) and what will "
            "happen to each row."
        ),
    "Semua atau tidak sama sekali": "All or nothing",
    "bila satu baris saja bermasalah, tidak ada yang disimpan.":
        "if even one row has a problem, nothing is saved.",
    (
        "Email baru: akun peserta dibuat tanpa kata sandi dan pemiliknya menerima email "
        "untuk membuat kata sandi."
    ):
        (
            "New email: a participant account is created without a password and its owner "
            "receives an email to create one."
        ),
    (
        "Email yang sudah punya akun: akun itu didaftarkan; profilnya tidak diubah. NIP di "
        "berkas harus sama dengan NIP akun."
    ):
        (
            "Email that already has an account: that account is registered; its profile is not "
            "changed. The NIP in the file must match the account's NIP."
        ),
    (
        "Sudah terdaftar atau di daftar tunggu: tidak berubah. Mengimpor berkas yang sama "
        "dua kali aman."
    ):
        (
            "Already registered or on the waiting list: unchanged. Importing the same file twice "
            "is safe."
        ),
    "Kuota %(n)s: baris di luar sisa kuota masuk daftar tunggu sesuai urutan di berkas.":
        "Quota %(n)s: rows beyond the remaining quota go to the waiting list in file order.",
    "Episode tanpa batas kuota: semua baris langsung terdaftar.":
        "Episode without a quota: all rows are registered directly.",
    "Kolom yang dikenali": "Recognized columns",
    "judul kolom bebas huruf besar/kecil": "column headings are case-insensitive",
    "Nama lain": "Aliases",
    "Isi": "Contents",
    "Kolom": "Column",
    "Wajib. Kunci akun (tidak peka huruf besar/kecil).":
        "Required. The account key (case-insensitive).",
    "Wajib. Nama lengkap dengan gelar.": "Required. Full name with titles.",
    "18 digit; spasi dan titik boleh. Wajib untuk PNS/PPPK. Di Excel, format kolom sebagai Teks.":
        (
            "18 digits; spaces and dots allowed. Required for PNS/PPPK. In Excel, format the "
            "column as Text."
        ),
    "PNS, PPPK, atau Non-ASN. Kosong: ditentukan dari NIP.":
        "PNS, PPPK or Non-ASN. Empty: determined from the NIP.",
    "Wajib untuk akun baru. Nama dari daftar rujukan bila ada.":
        "Required for new accounts. Use the name from the reference list where there is one.",
    "mis. III/b": "e.g. III/b",
    "Nama provinsi, mis. Jawa Barat.": "Province name, e.g. Jawa Barat.",
    "Nomor WhatsApp, mis. 0812…": "WhatsApp number, e.g. 0812…",
    "wajib": "required",
    "Pratinjau impor": "Import preview",
    "Bermasalah": "Problems",
    "Akun baru": "New account",
    "Akun ada · didaftarkan": "Existing account · registered",
    "Sudah terdaftar · tidak berubah": "Already registered · unchanged",
    "%(n)s baris data": "%(n)s data rows",
    "%(n)s baris bermasalah": "%(n)s rows with problems",
    "%(n)s akun baru": "%(n)s new accounts",
    "%(n)s akun ada, didaftarkan": "%(n)s existing accounts, registered",
    "%(n)s sudah terdaftar (tidak berubah)": "%(n)s already registered (unchanged)",
    "%(n)s akan terdaftar": "%(n)s will be registered",
    "%(n)s masuk daftar tunggu": "%(n)s go to the waiting list",
    "Sisa kuota saat ini: %(n)s": "Remaining quota now: %(n)s",
    "Kolom diabaikan (tidak dikenali): %(cols)s": "Ignored columns (not recognized): %(cols)s",
    "%(n)s kesalahan di %(rows)s baris": "%(n)s errors in %(rows)s rows",
    "Unggah berkas yang sudah diperbaiki": "Upload the corrected file",
    (
        "Tidak ada yang disimpan. Perbaiki baris-baris berikut di berkas Anda, lalu unggah "
        "ulang. Nomor baris mengikuti berkas (baris 1 = judul kolom)."
    ):
        (
            "Nothing was saved. Fix the following rows in your file, then upload it again. Row "
            "numbers follow the file (row 1 = column headings)."
        ),
    "Masalah": "Problem",
    "dan %(n)s kesalahan lainnya": "and %(n)s more errors",
    "Berkas siap diimpor": "File ready to import",
    (
        "%(new)s akun baru dibuat (pemiliknya menerima email untuk membuat kata sandi); "
        "%(ok)s peserta terdaftar dan %(wait)s masuk daftar tunggu, masing-masing diberi "
        "tahu lewat email."
    ):
        (
            "%(new)s new accounts will be created (their owners receive an email to create a "
            "password); %(ok)s participants will be registered and %(wait)s waitlisted, each "
            "notified by email."
        ),
    "Semua baris sudah terdaftar: mengimpor tidak mengubah apa pun.":
        "All rows are already registered: importing changes nothing.",
    "Impor %(n)s baris sekarang?": "Import %(n)s rows now?",
    "Impor %(n)s baris": "Import %(n)s rows",
    "Baris di berkas": "Rows in the file",
    "%(n)s baris pertama ditampilkan": "First %(n)s rows shown",
    "Tindakan": "Action",
    "Hasil": "Result",
    "tetap": "unchanged",
    "Ekspor": "Export",
    "Ekspor XLSX": "Export XLSX",
    "Ringkasan pendaftaran": "Registration summary",
    "Hadir (final)": "Present (final)",
    "Hadir: belum final": "Present: not final",
    "Nama, NIP, email, atau instansi": "Name, NIP, email or agency",
    "Belum diketahui": "Unknown yet",
    "Kehadiran mengikuti hasil finalisasi.": "Attendance follows the finalization result.",
    (
        'Sebelum finalisasi, "Hadir" berarti sudah memasukkan kode presensi; sisanya "Belum '
        'diketahui".'
    ):
        (
            'Before finalization, "Present" means an attendance code was entered; the rest are '
            '"Unknown yet".'
        ),
    "Menampilkan %(first)s–%(last)s dari %(total)s pendaftar":
        "Showing %(first)s–%(last)s of %(total)s registrants",
    "Tidak ada pendaftar": "No registrants",
    "terfilter": "filtered",
    "Kehadiran belum diketahui": "Attendance not known yet",
    "Terdaftar pada": "Registered on",
    "Web": "Web",
    "API": "API",
    "Panitia": "Organizer",
    "urutan ke-%(n)s": "position %(n)s",
    "Sudah presensi": "Checked in",
    "%(n)s× kode presensi": "%(n)s× attendance code",
    "Tidak ada pendaftar yang cocok": "No matching registrants",
    "Ubah kata kunci atau filter.": "Change the keywords or filters.",
    "Belum ada pendaftar": "No registrants yet",
    "Peserta mendaftar dari halaman episode, atau impor daftar peserta dari CSV/XLSX.":
        "Participants register from the episode page, or import a participant list from CSV/XLSX.",
    "Setelah disimpan": "After saving",
    (
        "Tambahkan narasumber ke episode dari halaman kelola episode, dengan perannya "
        "(narasumber, moderator, keynote)."
    ):
        (
            "Add the speaker to episodes from the episode's manage page, with their role "
            "(speaker, moderator, keynote)."
        ),
    (
        "Bila email diisi, undang narasumber ke portal: melihat sesinya, hasil evaluasi, "
        "mengunggah materi, dan mengunduh sertifikat narasumber."
    ):
        (
            "If an email is given, invite the speaker to the portal: to see their sessions and "
            "evaluation results, upload materials and download the speaker certificate."
        ),
    "Kirim ulang email akses portal": "Resend portal access email",
    "%(n)s peserta terdaftar, terbaru lebih dulu": "%(n)s registered participants, newest first",
    "Sertifikat ini sudah diganti dengan %(number)s.":
        "This certificate has already been replaced by %(number)s.",
    "Materi narasumber": "Speaker materials",
    "%(n)s materi tersedia untuk peserta terdaftar setelah episode dimulai.":
        "%(n)s materials available to registered participants once the episode has started.",
    "Materi & evaluasi narasumber": "Speaker materials & evaluation",
    "Sertifikat narasumber untuk episode ini telah dicabut: %(reason)s":
        "The speaker certificate for this episode has been revoked: %(reason)s",
}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _texts(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _is_empty(string: str | tuple[str, ...] | list[str]) -> bool:
    return not any(_texts(string))


def check_dictionary() -> list[str]:
    """Entries whose English drops or invents a %(name)s placeholder."""
    problems = []
    for msgid, msgstr in EN.items():
        for text in _texts(msgstr):
            if placeholders(text) != placeholders(msgid):
                problems.append(f"placeholder mismatch: {msgid!r} -> {text!r}")
    return problems


def fill(po_path: Path, *, force: bool = False) -> tuple[int, int, list[str]]:
    """Fill ``po_path`` in place; return (msgids, newly filled, msgids still missing)."""
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="en")
    total = filled = 0
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue  # header
        total += 1
        key = message.id if isinstance(message.id, str) else message.id[0]
        known = EN.get(key)
        needs = _is_empty(message.string) or message.fuzzy
        if known is not None and (needs or (force and message.string != known)):
            if isinstance(message.id, str):
                message.string = known if isinstance(known, str) else known[0]
            else:
                forms = _texts(known)
                message.string = tuple(forms + [forms[-1]] * (len(message.id) - len(forms)))
            message.flags.discard("fuzzy")
            message.previous_id = []
            filled += 1
        elif needs:
            missing.append(key)
    if filled:
        with po_path.open("wb") as f:
            write_po(f, catalog, width=76)
    return total, filled, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("po", nargs="?", type=Path, default=DEFAULT_PO)
    parser.add_argument("--force", action="store_true",
                        help="overwrite msgstr that differ from the dictionary")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when any msgid is still untranslated")
    args = parser.parse_args(argv)

    for problem in check_dictionary():
        print(f"warning: {problem}", file=sys.stderr)
    total, filled, missing = fill(args.po, force=args.force)
    print(f"{args.po}: {total} msgids, {total - len(missing)} translated, "
          f"{filled} filled now, {len(missing)} missing")
    if missing:
        print("\nStill untranslated (add to EN in fill_en.py):")
        for msgid in missing:
            print(f"    {msgid!r}: \"\",")
    return 1 if (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
