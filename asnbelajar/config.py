"""Configuration defaults.

Precedence (lowest to highest): these defaults → ``instance/config.py`` →
``ASNBELAJAR_*`` environment variables → the ``test_config`` mapping given to
:func:`asnbelajar.create_app`.
"""

from __future__ import annotations

DEV_SECRET_KEY = "dev-only-insecure-secret"  # noqa: S105 - refused outside debug/testing


class Defaults:
    SECRET_KEY = DEV_SECRET_KEY
    # SQLALCHEMY_DATABASE_URI is derived from DATABASE_URL in create_app.
    DATABASE_URL = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    BASE_URL = "http://127.0.0.1:5000"
    PRIVACY_CONTACT_EMAIL = None  # shown on the privacy notice when set
    TIMEZONE = "Asia/Jakarta"
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("id", "en")

    BOOTSTRAP_SERVE_LOCAL = True  # government intranets and offline machines: no CDN
    JOIN_LINK_MINUTES_BEFORE = 30

    # Security
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hash method, not a secret
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session; long live streams outlast an hour
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # the largest upload (materials, 20 MB) + form
    PASSWORD_RESET_MAX_AGE = 3600  # seconds

    # Rate limits (Flask-Limiter)
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_CHECKIN = "30 per minute"
    RATELIMIT_PASSWORD_RESET = "5 per hour"  # noqa: S105

    # Mail: backend "console" writes .eml files under instance/outbox-mail, "smtp" sends.
    MAIL_BACKEND = "console"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "ASN Belajar <noreply@asnbelajar.local>"
    MAIL_TIMEOUT = 10
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_BATCH_SIZE = 200

    # Uploads (stored under instance/uploads/ with random names)
    UPLOAD_FOLDER = None  # default: <instance>/uploads
    IMAGE_MAX_BYTES = 5 * 1024 * 1024
    MATERIAL_MAX_BYTES = 20 * 1024 * 1024
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    REPORT_MAX_BYTES = 10 * 1024 * 1024

    # Learning hours
    JP_TARGET = 20
    JP_MINUTES = 45

    # Certificates
    CERTIFICATE_NUMBER_PATTERN = "{seq:05d}/ASNB/{series:02d}/{month_roman}/{year}"
    CERTIFICATE_SIGNER_NAME = "Kepala BPSDM"
    CERTIFICATE_SIGNER_TITLE = "Kepala Badan Pengembangan Sumber Daya Manusia"
    CERTIFICATE_ISSUER = "BPSDM"

    # Check-in windows may open before the start and close after the end within these limits.
    CHECKPOINT_MAX_EARLY_MINUTES = 60
    CHECKPOINT_MAX_LATE_MINUTES = 120

    # Scheduler
    SCHEDULER_LEASE_SECONDS = 60
    FINALIZE_GRACE_MINUTES = 30

