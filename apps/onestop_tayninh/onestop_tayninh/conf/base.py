"""Settings shared by every environment; each value can be overridden from the environment."""

import warnings
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.log import configure_structlog, logging_config
from onestop_tayninh.core.redis_sentinel import (
    SENTINEL_SOCKET_TIMEOUT,
    DisconnectingSentinelConnection,
    parse_sentinels,
    url_database,
)

from .env import config, site_database_name

# pyHanko imports cryptography's DSA support, which warns on every start of every command; the agencies'
# certificates are RSA or ECDSA, and nothing here signs with DSA.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent.parent
VAR_DIR = Path(config("ONESTOP_VAR_DIR", str(REPO_DIR / "var")))
SITES_DIR = Path(config("ONESTOP_SITES_DIR", str(REPO_DIR / "sites")))
# Numbered data patches applied by `manage.py apply_patches` (patches/README.md).
PATCHES_DIR = Path(config("ONESTOP_PATCHES_DIR", str(REPO_DIR / "patches")))

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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "onestop_tayninh.core",
    "onestop_tayninh.accounts",
    "onestop_tayninh.directory",
    "onestop_tayninh.calendars",
    "onestop_tayninh.catalog",
    "onestop_tayninh.workflows",
    "onestop_tayninh.signing",
    "onestop_tayninh.portal",
    "onestop_tayninh.dossiers",
    "onestop_tayninh.vault",
    "onestop_tayninh.security",
    "onestop_tayninh.printing",
    "onestop_tayninh.notifications",
    "onestop_tayninh.payments",
    "onestop_tayninh.zalo",
    "onestop_tayninh.feedback",
    "onestop_tayninh.reports",
    "onestop_tayninh.webhooks",
    "onestop_tayninh.national",
    # The HTTP API for the province's other systems (api app): DRF, its OpenAPI contract, OAuth2 clients.
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "onestop_tayninh.api",
    # Hand-overs between installations (liên thông) through the API (interconnect app).
    "onestop_tayninh.interconnect",
]

MIDDLEWARE = [
    # First: every later middleware's log lines, and the response of any of them, carry the id.
    "onestop_tayninh.core.middleware.RequestIdMiddleware",
    # Request latency by view for /metrics: next, so it times everything below.
    "onestop_tayninh.core.monitoring.middleware.RequestMetricsMiddleware",
    # What follows a commit and no reader of the answer waits for runs after it is sent (core.after_response).
    "onestop_tayninh.core.after_response.AfterResponseMiddleware",
    # Outside the rest: an empty 405 from any view gets the Vietnamese page (with the headers set inside).
    "onestop_tayninh.core.middleware.MethodNotAllowedPageMiddleware",
    # Outside the session middleware, so it sees every write of the request (core.dbrouting).
    "onestop_tayninh.core.dbrouting.PrimaryAfterWriteMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "onestop_tayninh.security.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onestop_tayninh.security.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onestop_tayninh.security.middleware.PrivateNoStoreMiddleware",
    "onestop_tayninh.security.middleware.AuditContextMiddleware",
    "onestop_tayninh.security.middleware.DeskGateMiddleware",
    "onestop_tayninh.security.middleware.LoginThrottleMiddleware",
    "onestop_tayninh.security.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside the headers above: a store refusing a file is their 503 page; files of a rolled-back write go.
    "onestop_tayninh.core.middleware.StoredFilesMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onestop_tayninh.urls"
# A form refused for its CSRF token gets the Vietnamese page (templates/403_csrf.html), not Django's.
CSRF_FAILURE_VIEW = "onestop_tayninh.core.views.csrf_failure"
WSGI_APPLICATION = "onestop_tayninh.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out account or address before the password is checked.
# The citizen backend answers only the portal's login (phone, e-mail, CCCD or tax code).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "onestop_tayninh.accounts.backends.CitizenBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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

# The site whose configuration (sites/<name>/) this deployment runs: Tây Ninh as it is since
# 1 July 2025 (two tiers), or `tayninh`, the seed's three-tier structure (README "Sites").
ONESTOP_SITE = config("ONESTOP_SITE", "tayninh-2025")

# MariaDB. The database default collation is utf8mb4_uca1400_ai_ci: accent- and
# case-insensitive, so "dang ky khai sinh" matches "Đăng ký khai sinh" in plain
# LIKE/= comparisons and in indexes. See README "Database" for the reasoning.
DB_CHARSET = "utf8mb4"
DB_COLLATION = "utf8mb4_uca1400_ai_ci"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": config("DB_NAME", site_database_name(ONESTOP_SITE)),
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
# An optional read replica of the primary above (config/README.md "Replica", docs/architecture.md §10):
# with DB_REPLICA_HOST set, the heavy reads that ask for it (reports, exports, the public quality page
# and look-up) go there while it is within ONESTOP_DB_REPLICA_MAX_LAG_SECONDS; without it everything
# stays on `default`. Same database name and user as the primary, unless DB_REPLICA_USER/PASSWORD say.
DB_REPLICA_HOST = config("DB_REPLICA_HOST", "")
if DB_REPLICA_HOST:
    DATABASES["replica"] = {
        **DATABASES["default"],
        "HOST": DB_REPLICA_HOST,
        "PORT": config("DB_REPLICA_PORT", "3306"),
        "USER": config("DB_REPLICA_USER", DATABASES["default"]["USER"]),
        "PASSWORD": config("DB_REPLICA_PASSWORD", DATABASES["default"]["PASSWORD"]),
        # A replica that is down is given up on quickly; the reads then go to the primary.
        "OPTIONS": {**DATABASES["default"]["OPTIONS"], "connect_timeout": config("DB_REPLICA_CONNECT_TIMEOUT", 2)},
        "TEST": {**DATABASES["default"]["TEST"], "MIRROR": "default"},
    }
DATABASE_ROUTERS = ["onestop_tayninh.core.dbrouting.ReplicaRouter"]
# The alias core.dbrouting sends heavy reads to ("" = none).
ONESTOP_DB_READ_REPLICA = "replica" if DB_REPLICA_HOST else ""
# Above this lag (seconds, the heartbeat's age on the replica) reads go to the primary.
ONESTOP_DB_REPLICA_MAX_LAG_SECONDS = config("ONESTOP_DB_REPLICA_MAX_LAG_SECONDS", 5.0)
# A lag reading is reused this long by a process; a failed one (replica down) is retried after the second.
ONESTOP_DB_REPLICA_LAG_CACHE_SECONDS = config("ONESTOP_DB_REPLICA_LAG_CACHE_SECONDS", 1.0)
ONESTOP_DB_REPLICA_RETRY_SECONDS = config("ONESTOP_DB_REPLICA_RETRY_SECONDS", 10.0)
# After a request that wrote, the user's pages read from the primary this long (more than the lag limit).
ONESTOP_DB_PRIMARY_AFTER_WRITE_SECONDS = config("ONESTOP_DB_PRIMARY_AFTER_WRITE_SECONDS", 10)

REDIS_URL = config("REDIS_URL", "redis://127.0.0.1:6379/0")
# Redis behind Sentinel (config/README.md "Cluster"): with REDIS_SENTINELS ("host:port,host:port,...")
# the queues, the cron scheduler and the cache ask the Sentinels for the current master of
# REDIS_SENTINEL_MASTER and follow it through a failover; REDIS_URL then only gives the database
# number (and password). Empty: REDIS_URL's server, directly.
REDIS_SENTINELS = config("REDIS_SENTINELS", [], list)
REDIS_SENTINEL_MASTER = config("REDIS_SENTINEL_MASTER", "onestop")


def rq_queues(url: str, sentinels: list[str] | None = None, master: str = "") -> dict[str, dict[str, object]]:
    """The three RQ queues on one Redis database (tests and benchmarks each take their own).

    With `sentinels`, django-rq connects through them to the master named `master`, on the
    database (and with the password) of `url`.
    """
    connection: dict[str, object] = {"URL": url}
    if sentinels:
        connection = sentinel_connection(url, sentinels, master)
    return {name: {**connection, "DEFAULT_TIMEOUT": 600} for name in ("default", "notifications", "reports")}


def sentinel_connection(url: str, sentinels: list[str], master: str) -> dict[str, object]:
    """django-rq's connection settings for a master found through Sentinel."""
    database, password = url_database(url)
    return {
        "SENTINELS": parse_sentinels(sentinels),
        "MASTER_NAME": master,
        "DB": database,
        "PASSWORD": password,
        "CONNECTION_KWARGS": {"connection_class": DisconnectingSentinelConnection},
        "SENTINEL_KWARGS": {
            "socket_timeout": SENTINEL_SOCKET_TIMEOUT,
            "socket_connect_timeout": SENTINEL_SOCKET_TIMEOUT,
        },
    }


def redis_cache(
    url: str, prefix: str, sentinels: list[str] | None = None, master: str = ""
) -> dict[str, dict[str, object]]:
    cache: dict[str, object] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
    }
    if sentinels:
        # Django's Redis cache builds its pool with pool_class.from_url(LOCATION, **OPTIONS).
        cache["OPTIONS"] = {
            "pool_class": "onestop_tayninh.core.redis_sentinel.SentinelMasterPool",
            "sentinels": sentinels,
            "service_name": master,
        }
    return {"default": cache}


RQ_QUEUES = rq_queues(REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_MASTER)
# Jobs carry the request id of the request that enqueued them into the worker's log lines.
# The worker binds the job's request id around the whole run (RQ's own lines of the job too) and
# records its duration and failure for /metrics.
RQ = {
    "JOB_CLASS": "onestop_tayninh.core.rqjob.RequestIdJob",
    "WORKER_CLASS": "onestop_tayninh.core.rqworker.OnestopWorker",
}
# How old the newest worker heartbeat may be before /healthz reports the worker down.
RQ_HEARTBEAT_MAX_AGE_SECONDS = config("RQ_HEARTBEAT_MAX_AGE_SECONDS", 120)
# Who sees /healthz's details (which check failed, workers, error names): a caller with
# `Authorization: Bearer <ONESTOP_HEALTHZ_TOKEN>` (empty = no token) or from one of these addresses or
# networks (the client address after ONESTOP_TRUSTED_PROXY_COUNT proxies). Everyone else: {"status": …}.
ONESTOP_HEALTHZ_TOKEN = config("ONESTOP_HEALTHZ_TOKEN", "")
ONESTOP_HEALTHZ_ALLOWED_NETWORKS = config("ONESTOP_HEALTHZ_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"], list)

# Prometheus metrics at /metrics (core/monitoring/metrics.py): for a caller with `Authorization: Bearer
# <ONESTOP_METRICS_TOKEN>` (empty = no token) or from these addresses or networks; 404 for anyone else.
ONESTOP_METRICS_TOKEN = config("ONESTOP_METRICS_TOKEN", "")
ONESTOP_METRICS_ALLOWED_NETWORKS = config("ONESTOP_METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"], list)
# Where the web and worker processes keep their metrics (one directory each, prometheus_client's
# multiprocess mode); a scrape merges every directory under it. Empty: each process reports its own.
ONESTOP_METRICS_DIR = config("ONESTOP_METRICS_DIR", "")

CACHES = redis_cache(REDIS_URL, "onestop", REDIS_SENTINELS, REDIS_SENTINEL_MASTER)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
# Vietnamese only until the English catalogue exists (README "Ngôn ngữ"): with "en" listed, a browser
# asking for English got Django's admin in English around our Vietnamese text.
LANGUAGES = [("vi", _("Tiếng Việt"))]
# Dates and numbers as Vietnamese offices write them (conf/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["onestop_tayninh.conf.formats"]
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
# The storage writes only files that passed the upload gate or that the system made (security.storage).
# On the local disk (MEDIA_ROOT) unless ONESTOP_S3_BUCKET names a bucket of the data centre's
# S3-compatible object storage (MinIO, Ceph): security.storage_s3, config/README.md "Lưu trữ tệp trên S3".
ONESTOP_S3_BUCKET = config("ONESTOP_S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "onestop_tayninh.security.storage.GatedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if ONESTOP_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "onestop_tayninh.security.storage_s3.GatedS3Storage",
        "OPTIONS": {
            "bucket_name": ONESTOP_S3_BUCKET,
            "endpoint_url": config("ONESTOP_S3_ENDPOINT_URL", "") or None,
            "access_key": config("ONESTOP_S3_ACCESS_KEY", ""),
            "secret_key": config("ONESTOP_S3_SECRET_KEY", ""),
            "region_name": config("ONESTOP_S3_REGION", "us-east-1"),
            "addressing_style": config("ONESTOP_S3_ADDRESSING_STYLE", "path"),
            "location": config("ONESTOP_S3_PREFIX", ""),
            # A CA bundle for a store behind the data centre's own certificate authority.
            "verify": config("ONESTOP_S3_CA_BUNDLE", "") or None,
            "send_checksums": config("ONESTOP_S3_SEND_CHECKSUMS", True),
            "connect_timeout": config("ONESTOP_S3_CONNECT_TIMEOUT", 5.0),
            "read_timeout": config("ONESTOP_S3_READ_TIMEOUT", 20.0),
        },
    }

LOGIN_URL = "admin:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = config("SESSION_COOKIE_AGE", 30 * 60)
# Inactivity expiry: a request extends the session, its row written at most once a minute
# (security.middleware.SessionIdleMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
ONESTOP_SESSION_REFRESH_SECONDS = config("ONESTOP_SESSION_REFRESH_SECONDS", 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Workflow (code) for procedures that name none; see sites/<site>/workflows.yaml.
ONESTOP_DEFAULT_WORKFLOW = config("ONESTOP_DEFAULT_WORKFLOW", "mot-co-quan")
# Password given to demo officials when `load_site --demo` creates them.
DEMO_PASSWORD = config("DEMO_PASSWORD", "TayNinh@2026")

# Counter hours in local time, "HH:MM-HH:MM" periods separated by commas; deadlines in days end
# at the last closing time and deadlines in hours count only these periods (calendars.engine).
ONESTOP_OFFICE_PERIODS = config("ONESTOP_OFFICE_PERIODS", "07:00-11:30,13:30-17:00")
# Whether a dossier received outside office hours (evening, lunch break, rest day) counts as
# received at the next opening (docs/domain.md §7, a per-site rule).
ONESTOP_OUTSIDE_HOURS_NEXT_OPENING = config("ONESTOP_OUTSIDE_HOURS_NEXT_OPENING", True)
# The channels whose dossiers, received outside office hours, count from the next opening when
# the appointment is computed: those the citizen sends at any hour (online, Zalo). A dossier an
# officer receives at the counter or from the post counts from the instant it is received, even
# after hours: counting it from the next morning would give one day more than the law.
ONESTOP_OUTSIDE_HOURS_NEXT_OPENING_CHANNELS = config(
    "ONESTOP_OUTSIDE_HOURS_NEXT_OPENING_CHANNELS", ["online", "zalo"], list
)
# Online (level 3 and 4) dossiers are handled first (docs/domain.md §5.3): the desk must check one
# within this many working hours of its submission (or of its Form 02 supplement), counted on the
# working calendar; 0 sets no limit. The deadline scan warns the desk's receiving officers this many
# working hours before (ONESTOP_ONLINE_CHECK_DUE_SOON_HOURS) and, once passed, the desk's head too.
ONESTOP_ONLINE_CHECK_HOURS = config("ONESTOP_ONLINE_CHECK_HOURS", 8)
ONESTOP_ONLINE_CHECK_DUE_SOON_HOURS = config("ONESTOP_ONLINE_CHECK_DUE_SOON_HOURS", 2)

# --- Security (onestop_tayninh.security; README "Bảo mật / Security") -------------------------
# Login protection (README "Chính sách đăng nhập / Login policy"). Two realms: the desk's login
# (officials, under ONESTOP_DESK_PREFIX) and the portal's (citizens); a name is counted in its realm
# only (security.axes). django-axes locks the PAIR (account, client address) after the realm's failure
# limit for the cool-off time (0 = until an administrator unlocks in the desk: Axes › Access attempts ›
# "Mở khóa đăng nhập"): a shared address (a carrier's NAT, a one-stop centre's network) locks no one
# else, and a stranger who knows a citizen's phone or CCCD locks only themselves. An account failed
# from many addresses is slowed down, never locked (security.login_throttle, ONESTOP_LOGIN_SLOWDOWN).
ONESTOP_DESK_PREFIX = "/desk/"
ONESTOP_LOGIN_URL_NAMES = ["admin:login", "accounts:login"]
AXES_ENABLED = config("AXES_ENABLED", True)
ONESTOP_LOGIN_FAILURE_LIMIT = config("ONESTOP_LOGIN_FAILURE_LIMIT", 5)
ONESTOP_DESK_LOGIN_FAILURE_LIMIT = config("ONESTOP_DESK_LOGIN_FAILURE_LIMIT", 3)
AXES_FAILURE_LIMIT = "onestop_tayninh.security.axes.failure_limit"
_cooloff_minutes = config("ONESTOP_LOGIN_COOLOFF_MINUTES", 30)
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes) if _cooloff_minutes > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A successful login clears the failures of its own pair only (the lockout parameters above), so an
# attacker logging into an account of their own between guesses clears nothing of the victim's pair.
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Per account, from any address, per realm: from the `after`-th failure within `window` seconds
# each failure makes the next attempt wait first_delay, then twice as long …, up to max_delay seconds.
ONESTOP_LOGIN_SLOWDOWN = {
    "portal": {
        "after": config("ONESTOP_LOGIN_SLOWDOWN_AFTER", 10),
        "first_delay": 2,
        "max_delay": config("ONESTOP_LOGIN_SLOWDOWN_MAX_SECONDS", 300),
        "window": 6 * 3600,
    },
    "desk": {
        "after": config("ONESTOP_DESK_LOGIN_SLOWDOWN_AFTER", 3),
        "first_delay": 5,
        "max_delay": config("ONESTOP_DESK_LOGIN_SLOWDOWN_MAX_SECONDS", 900),
        "window": 24 * 3600,
    },
}
AXES_LOCKOUT_CALLABLE = "onestop_tayninh.security.views.lockout_response"
# The database matches usernames ignoring case and accents, so must the lockout counter; a portal
# login is counted under the account its phone, e-mail, CCCD or tax code names, in any spelling.
AXES_USERNAME_CALLABLE = "onestop_tayninh.accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "onestop_tayninh.security.net.client_ip"
AXES_COOLOFF_MESSAGE = _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau.")
AXES_PERMALOCK_MESSAGE = _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng liên hệ quản trị hệ thống.")
# Reverse proxies in front of Django whose X-Forwarded-For entry is trusted (nginx: 1).
ONESTOP_TRUSTED_PROXY_COUNT = config("ONESTOP_TRUSTED_PROXY_COUNT", 0)

# Two-factor login (django-otp, TOTP + recovery codes) for officials whose role requires it
# (directory.Role.requires_two_factor), and for superusers when ONESTOP_SUPERUSER_2FA.
ONESTOP_ENFORCE_2FA = config("ONESTOP_ENFORCE_2FA", True)
ONESTOP_SUPERUSER_2FA = config("ONESTOP_SUPERUSER_2FA", True)
ONESTOP_2FA_GUARDED_PREFIXES = ["/desk/", "/api/"]
OTP_TOTP_ISSUER = "Một cửa điện tử Tây Ninh"
# An official's TOTP key is theirs alone: the desk's device pages never show it (django-otp's config
# and QR pages refuse, the key field is hidden), so no administrator can make a second copy of
# someone's authenticator. A lost phone is a new enrolment, not a copied key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy: scripts only from our own origin, plus the exact hash of the one inline
# script of django-rq's dashboard (/desk/rq/); images may be data: URLs (the 2FA QR code).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'sha256-1kZe1KRxelr3ptMPsod17Z6BDvbtm4WcufgsZGvsErM='"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# --- The HTTP API /api/v1/ (onestop_tayninh.api, README "API") --------------------------------
# Other systems of the province call it with OAuth2 client credentials; every answer, error included,
# is JSON (errors as RFC 9457 problem details). Scopes are listed in api.constants.Scope.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["onestop_tayninh.api.authentication.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["onestop_tayninh.api.permissions.HasClientScope"],
    "DEFAULT_THROTTLE_CLASSES": ["onestop_tayninh.api.throttling.ClientRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["onestop_tayninh.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "onestop_tayninh.api.pagination.NewestFirstCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "onestop_tayninh.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "onestop_tayninh.api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
    "DATETIME_FORMAT": "iso-8601",
}
# Requests per minute of one client unless its own limit (ApiClient.rate_per_minute) says otherwise.
ONESTOP_API_DEFAULT_RATE_PER_MINUTE = config("ONESTOP_API_DEFAULT_RATE_PER_MINUTE", 600)
# The largest JSON body the API reads (bytes); larger is answered 413 without being read.
ONESTOP_API_MAX_JSON_BYTES = config("ONESTOP_API_MAX_JSON_BYTES", 10 * 1024 * 1024)
# The largest hand-over package (a dossier with its files, base64) or result another installation may post.
ONESTOP_HANDOVER_MAX_BYTES = config("ONESTOP_HANDOVER_MAX_BYTES", 80 * 1024 * 1024)
OAUTH2_PROVIDER = {
    # Only client credentials: the callers are systems, not people (api.models.ApiClient).
    "ALLOWED_GRANT_TYPES": ["client-credentials"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": config("ONESTOP_API_TOKEN_SECONDS", 3600),
    "SCOPES_BACKEND_CLASS": "onestop_tayninh.api.oauth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "onestop_tayninh.api.oauth.ClientValidator",
    # Client secrets are stored hashed (the desk shows a new one once).
    # RFC 9700 (the OAuth 2.0 security BCP) in full, ahead of the library's 4.0 defaults: tokens stored
    # hashed, only in the Authorization header, no implicit or password grant, PKCE S256 required and https
    # redirects for any authorization-code client a deployment might add (ours use client credentials).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "PKCE_REQUIRED": True,
}
# Named so that the api app's migration can point at it (the library's model is swappable).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
SPECTACULAR_SETTINGS = {
    "TITLE": "API Hệ thống thông tin một cửa điện tử tỉnh Tây Ninh",
    "DESCRIPTION": (
        "API cho các hệ thống thông tin khác của tỉnh: thủ tục hành chính, hồ sơ, lịch sử xử lý, thao tác, "
        "giấy tờ, kết quả và chỉ số. Xác thực OAuth2 (client credentials); lỗi theo RFC 9457 (problem details)."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: no CDN, under the site's strict CSP (api/urls.py).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "onestop_tayninh.dossiers.constants.DossierStatus",
        "VersionStatusEnum": "onestop_tayninh.catalog.constants.VersionStatus",
        "ApplicantKindEnum": "onestop_tayninh.dossiers.constants.ApplicantKind",
        "DossierChannelEnum": "onestop_tayninh.catalog.constants.Channel",
        "EventActionEnum": "onestop_tayninh.dossiers.constants.EventAction",
        "DeliveryStatusEnum": "onestop_tayninh.webhooks.constants.DeliveryStatus",
    },
    "DISABLE_ERRORS_AND_WARNINGS": False,
}

# Virus scanning of uploads by clamd (security.antivirus); uploads are refused when it is down.
CLAMD_SOCKET = config("CLAMD_SOCKET", str(VAR_DIR / "clamav" / "clamd.sock"))
CLAMD_TIMEOUT = config("CLAMD_TIMEOUT", 30.0)

# --- Citizen accounts on the portal (onestop_tayninh.accounts) ---------------------------------
# Days an e-mail verification link stays valid.
ONESTOP_EMAIL_VERIFY_DAYS = config("ONESTOP_EMAIL_VERIFY_DAYS", 3)
# Seconds a password-reset link sent by e-mail stays valid (Django's setting; it also dies once used).
PASSWORD_RESET_TIMEOUT = config("PASSWORD_RESET_TIMEOUT", 2 * 3600)
# Password reset by SMS for accounts without e-mail: a 6-digit code, valid this many minutes,
# refused after this many wrong tries; at most ONESTOP_RESET_CODES_PER_HOUR codes per phone per hour.
ONESTOP_RESET_CODE_MINUTES = config("ONESTOP_RESET_CODE_MINUTES", 10)
ONESTOP_RESET_CODE_MAX_TRIES = config("ONESTOP_RESET_CODE_MAX_TRIES", 5)
ONESTOP_RESET_CODES_PER_HOUR = config("ONESTOP_RESET_CODES_PER_HOUR", 3)
# Pages reached without an account but with a secret in the address or the form, answered with
# `Cache-Control: no-store` like every page of a logged-in user and the whole desk (security.middleware).
ONESTOP_PRIVATE_URL_NAMES = [
    "portal:lookup",
    "portal:verify_result",
    "portal:applicant_dossier",
    "portal:applicant_rate",
    "portal:applicant_result",
    "accounts:verify_email",
    "accounts:password_reset_code",
    "accounts:password_reset_code_set",
    "accounts:password_reset_confirm",
]
# An uploaded image larger than this many pixels is refused unopened (a decompression bomb);
# a 50-megapixel phone photo passes (security.uploads).
ONESTOP_MAX_IMAGE_PIXELS = config("ONESTOP_MAX_IMAGE_PIXELS", 60_000_000)
# Photos a citizen sends on Zalo to make a dossier's PDF (imaging.photos): at most this many bytes
# each (a phone's photo is 2–6 MB), and refused unopened above this many pixels: a 12 MP phone
# photo passes with room to spare, a 50 MP full-resolution shot is asked for again, smaller, and a
# few kilobytes claiming more are a decompression bomb.
ONESTOP_PHOTO_MAX_BYTES = config("ONESTOP_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
ONESTOP_PHOTO_MAX_PIXELS = config("ONESTOP_PHOTO_MAX_PIXELS", 40_000_000)
# Fixed-window limits per client address (security.ratelimit): scope -> (requests, window seconds).
# Generous on purpose: mobile carriers put many citizens behind one address (carrier-grade NAT).
ONESTOP_RATE_LIMITS = {
    "login": (config("ONESTOP_RATELIMIT_LOGIN", 30), 600),
    # A one-stop centre's officials log in from one address, many of them at opening time.
    "desk_login": (config("ONESTOP_RATELIMIT_DESK_LOGIN", 60), 600),
    "register": (config("ONESTOP_RATELIMIT_REGISTER", 10), 3600),
    "password_reset": (config("ONESTOP_RATELIMIT_PASSWORD_RESET", 10), 3600),
    "verify_resend": (config("ONESTOP_RATELIMIT_VERIFY_RESEND", 5), 3600),
    # The applicant's pages without an account (portal.applicant_views): the signed link, the rating
    # kiosk at the desk; the typed look-up /tra-cuu/ keeps its own limits (portal.views).
    "applicant_link": (config("ONESTOP_RATELIMIT_APPLICANT_LINK", 60), 600),
    "kiosk": (config("ONESTOP_RATELIMIT_KIOSK", 120), 600),
    # Citizens' feedback (PAKN) sent from the portal, per hour; the tracker by code, per 10 minutes.
    "feedback": (config("ONESTOP_RATELIMIT_FEEDBACK", 10), 3600),
    "feedback_tracker": (config("ONESTOP_RATELIMIT_FEEDBACK_TRACKER", 30), 600),
}
# How long the signed link on a receipt (QR code) and in the result messages opens the dossier
# (status, electronic result, rating), and how long a desk's rating-kiosk link stays valid.
ONESTOP_APPLICANT_LINK_DAYS = config("ONESTOP_APPLICANT_LINK_DAYS", 730)
ONESTOP_KIOSK_TOKEN_DAYS = config("ONESTOP_KIOSK_TOKEN_DAYS", 365)
# External login providers shown on the login page, in this order, by registered code
# (accounts.login.registry.providers), e.g. "vneid" once a VNeID plugin exists. Empty: password login only.
ONESTOP_LOGIN_PROVIDERS = config("ONESTOP_LOGIN_PROVIDERS", [], list)
# The national e-ID (accounts/login/contrib/vneid), an OpenID Connect provider: the client this
# deployment registered with it, and its discovery document. `make run` points them at the local
# stand-in scripts/fake_vneid.py. The claim carrying the CCCD is named in VNeID's integration papers.
ONESTOP_VNEID_CLIENT_ID = config("ONESTOP_VNEID_CLIENT_ID", "")
ONESTOP_VNEID_CLIENT_SECRET = config("ONESTOP_VNEID_CLIENT_SECRET", "")
ONESTOP_VNEID_METADATA_URL = config("ONESTOP_VNEID_METADATA_URL", "")
ONESTOP_VNEID_CLAIM_CCCD = config("ONESTOP_VNEID_CLAIM_CCCD", "cccd")

# --- Payments (onestop_tayninh.payments; README "Thanh toán / Payments") -----------------------
# The providers offered, in order: vnpay (VNPay 2.1.0), paygov (the national payment platform, a
# port a deployment binds), counter (cash or card at the desk, recorded by the officer).
ONESTOP_PAYMENT_PROVIDERS = config("ONESTOP_PAYMENT_PROVIDERS", ["vnpay", "counter"], list)
# VNPay: the merchant's terminal code and secret, the payment page, the merchant API (querydr,
# refund, the day's list). `make run` points them at scripts/fake_vnpay.py with a sandbox secret.
ONESTOP_VNPAY_TMN_CODE = config("ONESTOP_VNPAY_TMN_CODE", "")
ONESTOP_VNPAY_SECRET = config("ONESTOP_VNPAY_SECRET", "")
ONESTOP_VNPAY_PAY_URL = config("ONESTOP_VNPAY_PAY_URL", "")
ONESTOP_VNPAY_API_URL = config("ONESTOP_VNPAY_API_URL", "")
# The national payment platform (paygov): off until a deployment is given its endpoint and keys.
ONESTOP_PAYGOV_URL = config("ONESTOP_PAYGOV_URL", "")
ONESTOP_PAYGOV_MERCHANT = config("ONESTOP_PAYGOV_MERCHANT", "")
ONESTOP_PAYGOV_SECRET = config("ONESTOP_PAYGOV_SECRET", "")
# Electronic receipts (Decree 123/2020): the form symbol, and the series pattern of a body's
# book for a year ({yy}: the year's last two digits) [check with the tax authority's registration].
ONESTOP_RECEIPT_FORM_SYMBOL = config("ONESTOP_RECEIPT_FORM_SYMBOL", "01BLP0-001")
ONESTOP_RECEIPT_SERIES = config("ONESTOP_RECEIPT_SERIES", "TN-{yy}E")
# The collecting bodies' tax code printed on the receipt ("Mã số thuế"); our data does not hold it
# yet, so a deployment sets the one its bodies share, or the line stays blank [check].
ONESTOP_RECEIPT_TAX_CODE = config("ONESTOP_RECEIPT_TAX_CODE", "")

# --- Zalo (onestop_tayninh.zalo; docs/architecture.md §6.2) -----------------------------------
# The Zalo Official Account: the app's id and the OA secret key that signs the webhook events
# (X-ZEvent-Signature), and the app's secret sent when the single-use refresh token is spent.
# While the app id or the OA secret is empty the webhook (/zalo/webhook/) answers 404.
ONESTOP_ZALO_APP_ID = config("ONESTOP_ZALO_APP_ID", "")
ONESTOP_ZALO_OA_SECRET = config("ONESTOP_ZALO_OA_SECRET", "")
ONESTOP_ZALO_APP_SECRET = config("ONESTOP_ZALO_APP_SECRET", "")
# The OA API (sending) and the OAuth server (refreshing tokens); scripts/fake_zalo.py stands in for both.
ONESTOP_ZALO_API_URL = config("ONESTOP_ZALO_API_URL", "https://openapi.zalo.me")
ONESTOP_ZALO_OAUTH_URL = config("ONESTOP_ZALO_OAUTH_URL", "https://oauth.zaloapp.com")
# ZNS (template messages to a phone number) is Zalo's business API, on its own host; the stand-in too.
ONESTOP_ZALO_ZNS_URL = config("ONESTOP_ZALO_ZNS_URL", "https://business.openapi.zalo.me")
# An event whose timestamp is further than this many seconds from our clock is refused (a replay).
ONESTOP_ZALO_SIGNATURE_WINDOW = config("ONESTOP_ZALO_SIGNATURE_WINDOW", 300)
# Seconds to wait for one answer from Zalo; a timeout fails the job, which the task runner retries.
ONESTOP_ZALO_TIMEOUT = config("ONESTOP_ZALO_TIMEOUT", 10)
# The OA's own id, shown on the desk's OA settings page (Zalo's events carry it as recipient).
ONESTOP_ZALO_OA_ID = config("ONESTOP_ZALO_OA_ID", "")
# Days after a user's last message or follow during which the OA may send consultation texts
# (Zalo: 7 [check]); after that a notice goes by ZNS, else by SMS.
ONESTOP_ZALO_CS_WINDOW_DAYS = config("ONESTOP_ZALO_CS_WINDOW_DAYS", 7)
# The OA's page that citizens open to chat (shown on the portal's Zalo page), e.g. https://zalo.me/<OA id>.
ONESTOP_ZALO_OA_URL = config("ONESTOP_ZALO_OA_URL", "")
# Hosts the citizens' photos may be downloaded from (Zalo's file servers) besides the API's own host.
ONESTOP_ZALO_ATTACHMENT_HOSTS = [
    host.strip().lower()
    for host in config("ONESTOP_ZALO_ATTACHMENT_HOSTS", "zdn.vn,zadn.vn,zalo.me,zaloapp.com").split(",")
    if host.strip()
]
# Photos a citizen may send for one document, and for one dossier (or one supplement).
ONESTOP_ZALO_MAX_PAGES_PER_DOCUMENT = config("ONESTOP_ZALO_MAX_PAGES_PER_DOCUMENT", 20)
ONESTOP_ZALO_MAX_PHOTOS = config("ONESTOP_ZALO_MAX_PHOTOS", 60)
# A photo larger than this is not downloaded (bytes).
ONESTOP_ZALO_PHOTO_MAX_BYTES = config("ONESTOP_ZALO_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# A conversation step left this long (a dossier half-sent) is dropped and its photos deleted (hours).
ONESTOP_ZALO_SUBMISSION_HOURS = config("ONESTOP_ZALO_SUBMISSION_HOURS", 72)

# --- National Public Service Portal (onestop_tayninh.national; docs/architecture.md §6.6) ----------
# Where dossier changes are pushed and catalogue changes read; scripts/fake_dvcqg.py stands in for it
# in development (make run points these at it). Binding the real portal is these four settings.
ONESTOP_DVCQG_URL = config("ONESTOP_DVCQG_URL", "http://127.0.0.1:1030")
ONESTOP_DVCQG_CLIENT_ID = config("ONESTOP_DVCQG_CLIENT_ID", "")
ONESTOP_DVCQG_SECRET = config("ONESTOP_DVCQG_SECRET", "")
# Seconds to wait for one answer; a timeout leaves the messages waiting for the next try.
ONESTOP_DVCQG_TIMEOUT = config("ONESTOP_DVCQG_TIMEOUT", 10.0)

# --- Notifications (onestop_tayninh.notifications; README "Thông báo / Notifications") ----------
# E-mail through SMTP; in development the local sink scripts/smtp_sink.py on 127.0.0.1:1025.
EMAIL_BACKEND = config("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = config("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = config("EMAIL_PORT", 1025)
EMAIL_HOST_USER = config("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = config("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = config("EMAIL_USE_SSL", False)
# Must stay well below ONESTOP_NOTIFY_LEASE_SECONDS, or a slow send could be taken for a dead one.
EMAIL_TIMEOUT = config("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = config("DEFAULT_FROM_EMAIL", "Một cửa điện tử Tây Ninh <motcua@tayninh.gov.vn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS through an HTTP gateway (JSON POST with an Idempotency-Key header); in development
# scripts/fake_sms_gateway.py on 127.0.0.1:1026.
SMS_GATEWAY_URL = config("SMS_GATEWAY_URL", "http://127.0.0.1:1026/sms")
SMS_GATEWAY_TOKEN = config("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = config("SMS_GATEWAY_TIMEOUT", 10)
# Links in messages point here.
ONESTOP_SITE_URL = config("ONESTOP_SITE_URL", "http://127.0.0.1:8000")

# --- Digital signatures of results (onestop_tayninh.signing; README "Ký số kết quả") ------------
# Which signer plugin holds the agencies' keys: "pkcs12" (a file; the demo CA's for `make run`) or
# "pkcs11" (a token or HSM, production).
ONESTOP_SIGNING_BACKEND = config("ONESTOP_SIGNING_BACKEND", "pkcs12")
ONESTOP_SIGNING_DIR = Path(config("ONESTOP_SIGNING_DIR", str(VAR_DIR / "signing" / ONESTOP_SITE)))
# PEM files of the certification authorities whose certificates sign and verify results.
ONESTOP_SIGNING_TRUST_ROOTS = config("ONESTOP_SIGNING_TRUST_ROOTS", [str(ONESTOP_SIGNING_DIR / "ca.pem")], list)
# PKCS#12: "{agency}" is replaced by the agency's code (one file per agency); without it, one file
# signs for every agency.
ONESTOP_SIGNING_PKCS12_FILE = config("ONESTOP_SIGNING_PKCS12_FILE", str(ONESTOP_SIGNING_DIR / "{agency}.p12"))
ONESTOP_SIGNING_PKCS12_PASSPHRASE = config("ONESTOP_SIGNING_PKCS12_PASSPHRASE", "")
# PKCS#11: the vendor's module, the token, its user PIN, and the labels of the key and certificate
# ("{agency}" is replaced by the agency's code; the certificate label defaults to the key's).
ONESTOP_SIGNING_PKCS11_MODULE = config("ONESTOP_SIGNING_PKCS11_MODULE", "")
ONESTOP_SIGNING_PKCS11_TOKEN_LABEL = config("ONESTOP_SIGNING_PKCS11_TOKEN_LABEL", "")
ONESTOP_SIGNING_PKCS11_PIN = config("ONESTOP_SIGNING_PKCS11_PIN", "")
ONESTOP_SIGNING_PKCS11_KEY_LABEL = config("ONESTOP_SIGNING_PKCS11_KEY_LABEL", "{agency}")
ONESTOP_SIGNING_PKCS11_CERT_LABEL = config("ONESTOP_SIGNING_PKCS11_CERT_LABEL", "")
# Channels officials are notified on (citizens: e-mail and SMS, whichever they gave).
ONESTOP_NOTIFY_OFFICIAL_CHANNELS = config("ONESTOP_NOTIFY_OFFICIAL_CHANNELS", ["desk", "email"], list)
# SMS in one form: false (default) sends every SMS without diacritics (GSM-7, 160 characters a part; the
# names and dates filled in are stripped too); true sends them fully accented (Unicode, 70 a part).
ONESTOP_SMS_ACCENTED = config("ONESTOP_SMS_ACCENTED", False)
# Who signs messages that concern no dossier (account e-mails); a dossier's messages are signed by its desk.
ONESTOP_NOTIFY_SIGNATURE = config("ONESTOP_NOTIFY_SIGNATURE", "Cổng Dịch vụ công tỉnh Tây Ninh")
# A send still "in progress" after this long is taken for a dead worker (see notifications.services).
ONESTOP_NOTIFY_LEASE_SECONDS = config("ONESTOP_NOTIFY_LEASE_SECONDS", 300)
# true: at-least-once (resend with the same Message-ID / Idempotency-Key); false: at-most-once.
ONESTOP_NOTIFY_STALE_RESEND = config("ONESTOP_NOTIFY_STALE_RESEND", True)
ONESTOP_NOTIFY_MAX_ATTEMPTS = config("ONESTOP_NOTIFY_MAX_ATTEMPTS", 6)
ONESTOP_NOTIFY_BACKOFF_SECONDS = config("ONESTOP_NOTIFY_BACKOFF_SECONDS", 60)
# Webhooks (onestop_tayninh.webhooks; README "Webhook"): subscribers' URLs must be https://; true also
# allows http:// to this machine (127.0.0.1, ::1, localhost), for development and tests only.
ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP = config("ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP", False)
# Seconds to wait for a receiver's answer; must stay well below the lease.
ONESTOP_WEBHOOKS_TIMEOUT_SECONDS = config("ONESTOP_WEBHOOKS_TIMEOUT_SECONDS", 10)
# A send still "in progress" after this long is taken for a dead worker: failed "outcome unknown" for an
# administrator to replay (at-most-once), or with STALE_RESEND true queued again with the same id.
ONESTOP_WEBHOOKS_LEASE_SECONDS = config("ONESTOP_WEBHOOKS_LEASE_SECONDS", 300)
ONESTOP_WEBHOOKS_STALE_RESEND = config("ONESTOP_WEBHOOKS_STALE_RESEND", False)
# The task outbox (core.services): a task handed to RQ this long ago and not begun (its job lost with
# Redis), or begun this long ago and not finished (its worker killed), is handed to a worker again.
ONESTOP_TASK_LEASE_SECONDS = config("ONESTOP_TASK_LEASE_SECONDS", 300)
# Attempts before a delivery is failed, and the first wait (seconds, doubling, with jitter, at most 6 hours).
ONESTOP_WEBHOOKS_MAX_ATTEMPTS = config("ONESTOP_WEBHOOKS_MAX_ATTEMPTS", 10)
ONESTOP_WEBHOOKS_BACKOFF_SECONDS = config("ONESTOP_WEBHOOKS_BACKOFF_SECONDS", 30)
# Open dossiers due within this many working hours are "due soon" (the deadline scan).
ONESTOP_DUE_SOON_WORKING_HOURS = config("ONESTOP_DUE_SOON_WORKING_HOURS", 16)

# JSON lines (core/log.py), to ONESTOP_LOG_FILE when set (`make run`: one file per process under
# var/log/), otherwise to standard error (the systemd journal in production).
LOG_LEVEL = config("LOG_LEVEL", "INFO")
ONESTOP_LOG_FILE = config("ONESTOP_LOG_FILE", "")
LOGGING = logging_config(level=LOG_LEVEL, file=ONESTOP_LOG_FILE)
configure_structlog()

# Evaluation (reports app) -------------------------------------------------------------------------
# The province's targets the dashboards compare with, in percent, by Decision 766 indicator number:
# online dossiers, electronic results, digitisation, reuse, satisfaction.
ONESTOP_EVALUATION_TARGETS = {
    code.strip(): int(value)
    for code, _eq, value in (
        item.partition("=")
        for item in config("ONESTOP_EVALUATION_TARGETS", "3.3=50,4.1=100,4.2=80,4.3=80,5.4=90").split(",")
    )
    if code.strip() and value.strip().isdigit()
}
# Seconds a dashboard's figures are kept for the next person asking the same unit, period and channel.
ONESTOP_DASHBOARD_CACHE_SECONDS = config("ONESTOP_DASHBOARD_CACHE_SECONDS", 120)
# Seconds the public service-quality page is kept in the cache (its figures change by the day).
ONESTOP_PUBLIC_QUALITY_CACHE_SECONDS = config("ONESTOP_PUBLIC_QUALITY_CACHE_SECONDS", 600)
