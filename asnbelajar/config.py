"""Configuration defaults.

Precedence (lowest to highest): these defaults → ``instance/config.py`` →
``ASNBELAJAR_*`` environment variables → the ``test_config`` mapping given to
:func:`asnbelajar.create_app`.
"""

from __future__ import annotations

from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-secret"  # noqa: S105 - refused outside debug/testing


class Defaults:
    SECRET_KEY = DEV_SECRET_KEY
    # SQLALCHEMY_DATABASE_URI is derived from DATABASE_URL in create_app.
    DATABASE_URL = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # PostgreSQL outage limits (seconds; 0 = none). A web request never waits longer than
    # these for the database: it gets a 503 instead. The scheduler and CLI commands (long
    # finalize runs, migrations) use the *_CLI_* statement timeout.
    DB_CONNECT_TIMEOUT = 5
    DB_STATEMENT_TIMEOUT = 30
    DB_CLI_STATEMENT_TIMEOUT = 600
    DB_PING_TIMEOUT = 2  # a pooled connection that does not answer this fast is dropped
    DB_PING_AFTER_IDLE = 1.0  # seconds unused before a pooled connection is pinged again
    DB_POOL_SIZE = 10
    DB_MAX_OVERFLOW = 20
    DB_POOL_TIMEOUT = 10  # seconds to wait for a free pooled connection
    RETRY_AFTER_SECONDS = 30  # Retry-After sent with a 503 while the database is away

    # One log line per request (request id, route, status, duration, user id).
    LOG_REQUESTS = True
    # Check-in and registration answer a plain success without the per-request
    # machinery (hotpath.py); false sends them through the ordinary views only.
    HOT_PATH_ENABLED = True
    # SQLite: WAL checkpoints run in a thread of each writing process this often,
    # off the request path (database.checkpoint_in_background); 0 leaves them to
    # SQLite, inside the COMMIT that finds the log long.
    SQLITE_CHECKPOINT_SECONDS = 1.0
    # Reverse proxies in front of the app (nginx: 1; a load balancer before nginx: 2).
    # Their X-Forwarded-For/-Proto/-Host are trusted only this many hops deep; without it
    # behind nginx every visitor would share the proxy's address and its rate limits.
    PROXY_COUNT = 0

    BASE_URL = "http://127.0.0.1:5000"
    PRIVACY_CONTACT_EMAIL = None  # shown on the privacy notice when set
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
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Not REMEMBER_COOKIE_REFRESH_EACH_REQUEST: Flask-Login would then set a remember-me
    # cookie for every signed-in session, "remember me" ticked or not. The cookie carries
    # the session token, so a logout, password change or reset turns it over.
    # "production" (only then): secure-only cookies and HSTS. Local runs and tests: http.
    ENV = "development"
    HSTS_SECONDS = 31536000
    API_TOKEN_DAYS = 90
    TOKEN_TOUCH_SECONDS = 60  # last_used_at is written at most this often per token
    # Where the statement that finds a token cannot also stamp its use (SQLite), the uses
    # of this many seconds are written together, by a thread of each process, instead of
    # one UPDATE inside every request (accounts.sessions.TouchBatch); 0 writes each in
    # its request's transaction.
    TOKEN_TOUCH_BATCH_SECONDS = 1.0
    EMAIL_VERIFY_MAX_AGE = 7 * 24 * 3600  # seconds a verification link stays valid
    # Login throttle per account: this many failures are free, then each attempt waits
    # twice as long as the previous one (2 s, 4 s, ...) up to the maximum; never a lockout.
    LOGIN_FREE_FAILURES = 5
    LOGIN_MAX_DELAY_SECONDS = 900
    # Optional single sign-on (OpenID Connect): on when OIDC_CLIENT_ID and OIDC_ISSUER
    # (or OIDC_DISCOVERY_URL) are set. OIDC_NIP_CLAIM names the ID-token claim with the NIP.
    OIDC_ISSUER = None
    OIDC_DISCOVERY_URL = None
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    OIDC_NIP_CLAIM = "nip"
    OIDC_SCOPE = "openid email profile"
    OIDC_LABEL = "SSO ASN"
    OIDC_TIMEOUT = 10
    # Check-in IPs and audit-log IPs are cleared this many days after they were recorded
    # (0 keeps them).
    IP_RETENTION_DAYS = 90
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # the largest upload (materials, 20 MB) + form
    PASSWORD_RESET_MAX_AGE = 3600  # seconds

    # Rate limits (Flask-Limiter)
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    # A cache must never stop attendance: when the shared storage (Redis) is unreachable,
    # each process counts in its own memory, warns at most once a minute, and goes back to
    # the shared storage by itself once it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_TIMEOUT = 0.5  # seconds to wait for Redis before falling back
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_CHECKIN = "30 per minute"
    RATELIMIT_PASSWORD_RESET = "5 per hour"  # noqa: S105
    # Sign-up (web and API) per address: an agency behind one address still signs up its
    # staff, a sweep of the register for taken emails or NIPs does not get far.
    RATELIMIT_SIGNUP = "30 per hour"

    # Mail: backend "console" writes .eml files under instance/mail/, "smtp" sends.
    MAIL_BACKEND = "console"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "ASN Belajar <noreply@asnbelajar.local>"
    MAIL_TIMEOUT = 10  # seconds per SMTP socket operation: a black-holed server costs this
    # A failing email is retried with exponential backoff (30 s, 1 min, 2 min, ... up to
    # OUTBOX_MAX_BACKOFF) until OUTBOX_RETRY_HOURS after it was queued; only then is it
    # marked failed, and organizers can still retry it from the console or the CLI.
    OUTBOX_RETRY_HOURS = 72
    OUTBOX_MAX_BACKOFF = 3600
    OUTBOX_BATCH_SIZE = 500  # emails claimed per sender per round
    OUTBOX_SENDERS = 4  # parallel SMTP connections per flush
    OUTBOX_SENDING_TIMEOUT = 600  # seconds before a row stuck in "sending" is retried

    # Uploads (stored under instance/uploads/ with random names)
    UPLOAD_FOLDER = None  # default: <instance>/uploads
    IMAGE_MAX_BYTES = 5 * 1024 * 1024
    # Pixels an uploaded image may claim (read from its header before decoding; 25 MP is
    # a 6000 x 4000 photo): a small PNG can claim 20000 x 20000 and take gigabytes.
    IMAGE_MAX_PIXELS = 25_000_000
    MATERIAL_MAX_BYTES = 20 * 1024 * 1024
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    REPORT_MAX_BYTES = 10 * 1024 * 1024

    # Learning hours
    JP_TARGET = 20
    JP_MINUTES = 45

    # Certificates
    # Placeholders: seq, kind (a code from CERTIFICATE_KIND_CODES), series, month_roman,
    # month, year, episode_id. With {kind}, participants and speakers have separate
    # sequences; without it they share one, so numbers never collide.
    CERTIFICATE_NUMBER_PATTERN = "{seq:05d}/{kind}/{series:02d}/{month_roman}/{year}"
    CERTIFICATE_KIND_CODES = {"participant": "ASNB", "speaker": "ASNB-NS"}
    # Defaults for a program without its own design (console: Sertifikat > Desain).
    CERTIFICATE_SIGNER_NAME = "Kepala BPSDM"
    CERTIFICATE_SIGNER_TITLE = "Kepala Badan Pengembangan Sumber Daya Manusia"
    CERTIFICATE_SIGNER_NIP = None
    CERTIFICATE_ISSUER = "BPSDM"
    CERTIFICATE_RENDER_BATCH = 500  # files rendered per scheduler run and episode

    # BSrE electronic signing (TTE, BSSN): off while BSRE_URL is unset. The institutional
    # e-seal signs in the background when BSRE_SEAL_NIK and BSRE_SEAL_PASSPHRASE are set;
    # a personal signature's passphrase is typed in the console and never stored.
    BSRE_URL = None
    BSRE_USERNAME = None
    BSRE_PASSWORD = None
    BSRE_TIMEOUT = 30  # seconds per request
    BSRE_SEAL_NIK = None
    BSRE_SEAL_PASSPHRASE = None
    BSRE_TAMPILAN = "invisible"  # the signature adds no picture: the page keeps its design

    # Check-in windows may open before the start and close after the end within these limits.
    CHECKPOINT_MAX_EARLY_MINUTES = 60
    CHECKPOINT_MAX_LATE_MINUTES = 120

    # Scheduler: every process takes or renews the lease every SCHEDULER_RENEW_SECONDS; when
    # the active one dies, a standby takes over within lease + renew seconds (12 s).
    SCHEDULER_LEASE_SECONDS = 10
    SCHEDULER_RENEW_SECONDS = 2
    FINALIZE_GRACE_MINUTES = 30

    # Zoom (Server-to-Server OAuth app, entered by an organizer; the secret is stored
    # encrypted under ENCRYPTION_KEY or a key derived from SECRET_KEY). Tests point the two
    # addresses at a local stand-in.
    ZOOM_API_URL = "https://api.zoom.us/v2"
    ZOOM_OAUTH_URL = "https://zoom.us"
    ZOOM_TIMEOUT = 15  # seconds per request
    ZOOM_MAX_INLINE_WAIT = 5  # a 429 asking for longer is retried by the next job run
    ZOOM_PUSH_LIMIT = 3000  # registrants pushed per episode per job run
    ZOOM_REPORT_DELAY_MINUTES = 15  # Zoom prepares the participant report after the end
    ZOOM_REPORT_MAX_ATTEMPTS = 12
    ZOOM_REPORT_MAX_WAIT_HOURS = 24  # finalize waits this long at most for the report

    # WhatsApp Business Cloud API (Meta) for the optional WhatsApp notifications; the
    # number, token (stored encrypted) and templates are entered by an organizer in the
    # console. Tests point the address at a local stand-in.
    WHATSAPP_BASE_URL = "https://graph.facebook.com"
    WHATSAPP_API_VERSION = "v23.0"
    WHATSAPP_TIMEOUT = 10  # seconds to wait for Meta's answer: a silent API costs this once
    WHATSAPP_CONNECT_TIMEOUT = 5

    # SIASN (BKN) web service for the course-history push; tests point these at a stand-in.
    SIASN_SSO_URL = "https://sso-siasn.bkn.go.id"
    SIASN_WSO_URL = "https://apimws.bkn.go.id"
    SIASN_API_URL = "https://apimws.bkn.go.id:8243"
    SIASN_TIMEOUT = 20  # seconds per request
    SIASN_PUSH_BATCH = 200  # certificates sent per scheduler run
    SIASN_ORGANIZER = None  # institusiPenyelenggara; default: the program's organizer

    # Reports: a year's figures that took over two seconds to count are kept this many
    # seconds (the refresh-reports job recounts them sooner); 0 = always count live.
    REPORT_SNAPSHOT_SECONDS = 300



TRUE_WORDS = frozenset({"1", "true", "yes", "on", "ya", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "tidak", "n", ""})


def as_bool(value: Any) -> bool:
    """The one reading of a yes/no value from settings, forms and JSON.

    Booleans and numbers as Python sees them; words from ``TRUE_WORDS`` / ``FALSE_WORDS``
    in any case. Anything else raises ``ValueError`` rather than guessing.
    """
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"not a yes/no value: {value!r}")
    return bool(value)
