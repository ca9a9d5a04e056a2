"""Settings shared by every environment; each value can be overridden from the environment."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import config

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent.parent
VAR_DIR = Path(config("ONESTOP_VAR_DIR", str(REPO_DIR / "var")))
SITES_DIR = Path(config("ONESTOP_SITES_DIR", str(REPO_DIR / "sites")))

# Development default; production.py refuses to start with it.
DEFAULT_SECRET_KEY = "dev-insecure-onestop-tayninh-change-me"
SECRET_KEY = config("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = config("DJANGO_DEBUG", False)
ALLOWED_HOSTS = config("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], list)
CSRF_TRUSTED_ORIGINS = config("DJANGO_CSRF_TRUSTED_ORIGINS", [], list)

INSTALLED_APPS = [
    "onestop_tayninh.core.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_rq",
    "import_export",
    "onestop_tayninh.core",
    "onestop_tayninh.accounts",
    "onestop_tayninh.directory",
    "onestop_tayninh.calendars",
    "onestop_tayninh.catalog",
    "onestop_tayninh.workflows",
    "onestop_tayninh.portal",
    "onestop_tayninh.dossiers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onestop_tayninh.urls"
WSGI_APPLICATION = "onestop_tayninh.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# MariaDB. The database default collation is utf8mb4_uca1400_ai_ci: accent- and
# case-insensitive, so "dang ky khai sinh" matches "Đăng ký khai sinh" in plain
# LIKE/= comparisons and in indexes. See README "Database" for the reasoning.
DB_CHARSET = "utf8mb4"
DB_COLLATION = "utf8mb4_uca1400_ai_ci"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": config("DB_NAME", "onestop_tayninh"),
        "USER": config("DB_USER", "root"),
        "PASSWORD": config("DB_PASSWORD", ""),
        "HOST": config("DB_HOST", "127.0.0.1"),
        "PORT": config("DB_PORT", "3306"),
        "CONN_MAX_AGE": config("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "charset": DB_CHARSET,
            "collation": DB_COLLATION,
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES', innodb_strict_mode=1",
            "isolation_level": "read committed",
        },
        "TEST": {
            "NAME": config("DB_TEST_NAME", "test_onestop_tayninh"),
            "CHARSET": DB_CHARSET,
            "COLLATION": DB_COLLATION,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = config("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in ("default", "notifications", "reports")}
# How old the newest worker heartbeat may be before /healthz reports the worker down.
RQ_HEARTBEAT_MAX_AGE_SECONDS = config("RQ_HEARTBEAT_MAX_AGE_SECONDS", 120)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "onestop",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded and generated files live outside any web root and are only served
# through views that apply the access rules (never by nginx directly).
MEDIA_ROOT = VAR_DIR / "files"
MEDIA_URL = "/files/"

LOGIN_URL = "admin:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = config("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # inactivity expiry: every request extends the session
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The site whose configuration (sites/<name>/) this deployment runs.
ONESTOP_SITE = config("ONESTOP_SITE", "tayninh")
# Workflow (code) for procedures that name none; see sites/<site>/workflows.yaml.
ONESTOP_DEFAULT_WORKFLOW = config("ONESTOP_DEFAULT_WORKFLOW", "mot-co-quan")
# Password given to demo officials when `load_site --demo` creates them.
DEMO_PASSWORD = config("DEMO_PASSWORD", "TayNinh@2026")

# Counter hours in local time, "HH:MM-HH:MM" periods separated by commas; deadlines in days end
# at the last closing time and deadlines in hours count only these periods (calendars.engine).
ONESTOP_OFFICE_PERIODS = config("ONESTOP_OFFICE_PERIODS", "07:00-11:30,13:30-17:00")
# Whether a dossier received outside office hours (evening, lunch break, rest day) counts as
# received at the next opening (DOMAIN.md §7, a per-site rule).
ONESTOP_OUTSIDE_HOURS_NEXT_OPENING = config("ONESTOP_OUTSIDE_HOURS_NEXT_OPENING", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": config("LOG_LEVEL", "INFO")},
}
