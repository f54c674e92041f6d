"""Configuration read from the environment."""

import os

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Development defaults: embedded SQLite under instance/, demo data, migrations on start."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # None means "SQLite file in the instance folder", resolved by the factory.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    AUTO_MIGRATE = _bool("AUTO_MIGRATE", True)
    DEMO_DATA = _bool("DEMO_DATA", True)
    LANGUAGES = ("en", "fr", "pt", "ar")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # None means the translations/ folder of the source tree, resolved by the factory.
    TRANSLATIONS_DIR = os.environ.get("TRANSLATIONS_DIR")
    WTF_CSRF_TIME_LIMIT = None  # long sittings on slow links must not lose a form
    WTF_I18N_ENABLED = True
    # Large enough for long evidence descriptions, small enough to refuse abuse early.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # A single over-long answer must reach the form (and get its translated message, with the
    # text shown back), not be cut off by Werkzeug's smaller default limit per form field.
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    # Evidence files: the largest accepted (the upload route alone takes bodies this large), where
    # they are kept (None: instance/evidence), and the ClamAV daemon that scans them, if any.
    EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_MB", "20")) * 1024 * 1024
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR")
    CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET")
    CLAMD_HOST = os.environ.get("CLAMD_HOST")
    CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
    # The most projects one import file may list; a longer file is refused before its rows are read.
    PROJECT_IMPORT_MAX_ROWS = int(os.environ.get("PROJECT_IMPORT_MAX_ROWS", "2000"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    # A signed-in session lapses after two idle days even without "keep me signed in".
    PERMANENT_SESSION_LIFETIME = 2 * 24 * 3600
    # Redis shared by every worker and machine (the `redis` extra): page caches and sign-in counters.
    # Unset: both are kept per process, which is right for one process (`flask run`, one worker).
    REDIS_URL = os.environ.get("REDIS_URL")
    # What this installation's keys start with, so several installations can share one Redis.
    REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "cyberready")
    # Sign-in failure counters; unset: REDIS_URL when given, else memory:// (per process).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    # How many proxies in front of the app set X-Forwarded-For/-Proto (0: the app faces clients directly).
    # Counted from the right, so a client cannot pose as another address by sending the header itself.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    # A session (its row in user_session) lasts at most this long, even if used every day.
    SESSION_MAX_AGE = 30 * 24 * 3600
    RATELIMIT_HEADERS_ENABLED = False
    # Failed sign-ins allowed per account and per address before a lock-out.
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30 per 15 minutes")
    # Forgotten passwords: how long an e-mailed link works, and how many links may be asked for.
    RECOVERY_LINK_MINUTES = int(os.environ.get("RECOVERY_LINK_MINUTES", "60"))
    RECOVERY_LINKS_PER_ACCOUNT = os.environ.get("RECOVERY_LINKS_PER_ACCOUNT", "3 per hour")
    RECOVERY_LINKS_PER_ADDRESS = os.environ.get("RECOVERY_LINKS_PER_ADDRESS", "20 per hour")
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/csv",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    SEND_FILE_MAX_AGE_DEFAULT = 3600
    # E-mail notifications. Without MAIL_SERVER they are written to the log instead of sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CyberReady <cyberready@localhost>")
    MAIL_TIMEOUT = 10  # seconds; a slow server delays the next e-mail, never a page
    # Send queued e-mail once the response that queued it is out; else only `flask notifications send`.
    MAIL_SEND_AFTER_RESPONSE = _bool("MAIL_SEND_AFTER_RESPONSE", True)
    # The address users reach the app at (e.g. https://cyberready.example.org), for links in e-mails.
    APP_URL = os.environ.get("APP_URL")
    # Charts are first shown as images drawn by Plotly on the server (survey/images):
    # "background" draws them for the next reader, "sync" while the page waits, "off" never.
    CHART_IMAGES = os.environ.get("CHART_IMAGES", "background")
    CHART_IMAGE_DIR = os.environ.get("CHART_IMAGE_DIR")  # None: chart-images/ in the instance folder
    REPORT_CACHE_SIZE = int(os.environ.get("REPORT_CACHE_SIZE", "32"))  # PDF reports kept per process


class ProductionConfig(Config):
    """Production: explicit migrations, demo data refused, secure cookies, a real secret key."""

    ENV_NAME = "production"
    AUTO_MIGRATE = _bool("AUTO_MIGRATE", False)
    DEMO_DATA = _bool("DEMO_DATA", False)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    # SESSION_COOKIE_SECURE=0 is for a check over plain HTTP before the TLS proxy exists.
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    """Tests: a database given by the fixture, no demo data unless a test loads it."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105
    AUTO_MIGRATE = False
    DEMO_DATA = False
    WTF_CSRF_ENABLED = False
    CHART_IMAGES = "off"  # tests that look at chart images ask for "sync"
    # Tests sign in thousands of times: a cheap hash there (scrypt costs about 0.1 s of CPU each time).
    # Sign-in answers for unknown accounts use the same method, so the timing test still compares like with like.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - the name of a hash method, not a password


CONFIGS = {"development": Config, "production": ProductionConfig, "test": TestConfig}


def config_from_environment() -> type[Config]:
    """Pick the configuration class named by CYBERREADY_ENV (default: development)."""
    name = os.environ.get("CYBERREADY_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"CYBERREADY_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
