"""Settings for CMS, read from the environment with safe local defaults.

Production is the same module with different environment variables; see
docs/deployment.md. No app code reads settings at import time.
"""

import datetime as dt
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from clinic.core.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the running clinic writes (SQLite database, private files, the
# generated local secret key) lives here, outside anything served publicly.
VAR_DIR = Path(env_str("CMS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _local_secret_key() -> str:
    """A random per-checkout key, so a local install never runs on a known key."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _local_oidc_key() -> str:
    """A per-checkout RSA key for signing id_tokens, generated once like the secret key."""
    path = VAR_DIR / "oidc_rsa_key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written aside and linked into place: concurrent first starts agree on one key.
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        try:
            path.hardlink_to(tmp)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text()


SECRET_KEY = env_secret("SECRET_KEY") or _local_secret_key()
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, for superusers who passed the second factor (clinic.staff.admin_site).
    "clinic.staff.admin_apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # The seed's plain tokens, kept only so that accounts/0003 can move them into knox.
    "rest_framework.authtoken",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "clinic.core",
    "clinic.accounts",
    "clinic.patients",
    "clinic.doctors",
    "clinic.appointments",
    "clinic.records",
    "clinic.labs",
    "clinic.otp",
    "clinic.notifications",
    "clinic.waitlist",
    "clinic.audit",
    "clinic.staff",
    "clinic.api",
    "clinic.fhir",
    "clinic.portal",
    "clinic.workspace",
    "clinic.smart",  # before oauth2_provider: its consent template overrides the toolkit's
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.core.request_limits.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the staff login's second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions end after STAFF_IDLE_MINUTES without a request of theirs.
    "clinic.staff.middleware.StaffIdleTimeoutMiddleware",
    "clinic.core.cache_control.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the acting user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.core.middleware.DatabaseUnavailableMiddleware",
    # Last: gives a locked-out login its 429 and Retry-After (clinic.accounts.login).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# History is read-only in the admin: a record's state moves only through its services.
SIMPLE_HISTORY_REVERT_DISABLED = True
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.core.context_processors.clinic",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at
    # BEGIN so two bookings queue instead of failing with "database is locked".
    # Connections persist as on PostgreSQL: opening one (file, WAL, schema) cost
    # more than a whole API read (docs/benchmarks.md).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: every login form with a request is checked for lockout.
    "clinic.accounts.backends.LockoutBackend",
    "clinic.accounts.backends.EmailOrUsernameBackend",
]
# Login limits (clinic.accounts.login): axes locks an account for one client
# address after AXES_FAILURE_LIMIT wrong passwords, counting in the database;
# THROTTLE_LOGIN_ACCOUNT is the higher ceiling per account from anywhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURES_PER_CLIENT", 10)
AXES_COOLOFF_TIME = dt.timedelta(seconds=env_int("LOGIN_LOCKOUT_SECONDS", 3600))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "clinic.accounts.login.account_key"
AXES_CLIENT_IP_CALLABLE = "clinic.accounts.login.client_ip_of"
AXES_LOCKOUT_CALLABLE = "clinic.accounts.login.lockout_response"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Attempts while locked are not recorded: they would push the owner's unlock further out.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "login", "ip_address", "email"]
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# Idle timeout: the session cookie is renewed on every request and dies after
# this many idle seconds.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Staff (the workspace at /clinic/): a session nobody used for this long ends, and
# the sign-in asks for the password and the authenticator code again.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 15)
# How long the second step of the staff sign-in (the code) may follow the password.
STAFF_SIGNIN_STEP_SECONDS = env_int("STAFF_SIGNIN_STEP_SECONDS", 300)
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "CMS Clinic")

# --- Locale -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("CLINIC_TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Static and private files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
# Without collectstatic (local start, tests) WhiteNoise serves from the apps;
# an empty STATIC_ROOT keeps it from warning about a missing folder.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not STATIC_MANIFEST:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# No MEDIA_URL on purpose: private files are only reachable through signed URLs.

S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_secret("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY") or None,
            # Empty for buckets with ACLs disabled (AWS's default "bucket owner
            # enforced"): they refuse ACL headers and keep objects private anyway.
            "default_acl": env_str("S3_DEFAULT_ACL", "private") or None,
            "querystring_auth": True,
            "querystring_expire": env_int("FILE_URL_TTL_SECONDS", 300),
            "file_overwrite": False,
            "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
            # SigV4 presigned URLs (X-Amz-Expires): SigV2 is refused by newer regions.
            "signature_version": "s3v4",
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_URL_TTL_SECONDS = env_int("FILE_URL_TTL_SECONDS", 300)
PICTURE_MAX_BYTES = env_int("PICTURE_MAX_BYTES", 5 * 1024 * 1024)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 15 * 1024 * 1024)
# JSON bodies are small; uploads go through FILE_UPLOAD_* and the limits above.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Any request body: the largest upload plus its form fields; more is a 413, unread.
MAX_REQUEST_BYTES = env_int(
    "MAX_REQUEST_BYTES", max(PICTURE_MAX_BYTES, DOCUMENT_MAX_BYTES) + 1024 * 1024
)

# --- Cache --------------------------------------------------------------------
# How many processes and machines serve the site (gunicorn's WEB_CONCURRENCY):
# `check --deploy` refuses stores that they would not share (clinic/core/checks.py).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 1)
APP_SERVERS = env_int("CMS_APP_SERVERS", 1)
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clinic.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering costs a request half a second, not a worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Files, not per-process memory: every gunicorn worker on the machine must see the
    # same login and OTP counts and the same cached doctors (clinic/doctors/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinic.accounts.authentication.PatientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "clinic.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["clinic.api.renderers.OrjsonRenderer"],
    "EXCEPTION_HANDLER": "clinic.api.exception_handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {
        # Keyed on what is tried (the account; OTP addresses: OTP_SENDS_PER_HOUR) ...
        # (a ceiling of wrong passwords per account from all clients together; one
        # client alone is locked after LOGIN_FAILURES_PER_CLIENT) ...
        "login_account": env_str("THROTTLE_LOGIN_ACCOUNT", "50/hour"),
        # ... plus per-client limits generous enough for a front desk behind one IP.
        "login_client": env_str("THROTTLE_LOGIN_CLIENT", "1000/hour"),
        "signup_client": env_str("THROTTLE_SIGNUP_CLIENT", "1000/hour"),
        "otp_client": env_str("THROTTLE_OTP_CLIENT", "200/hour"),
        "otp_verify_client": env_str("THROTTLE_OTP_VERIFY_CLIENT", "200/hour"),
    },
}
# How long an Idempotency-Key's first answer is kept (clinic/api/idempotency.py).
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# API tokens (django-rest-knox): stored as SHA-512 digests, one per login
# (device), expiring after API_TOKEN_TTL_DAYS; `Authorization: Token <token>`.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# SMART on FHIR apps (django-oauth-toolkit, clinic/smart/, docs/smart.md): the
# authorization code grant with PKCE (S256 only) for apps that
# a clinic registers in the admin; a patient consents in the portal.
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    # RFC 9700: S256 only, no implicit or password grant, no token in a query string.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # ... `iss` in the authorization response, tokens stored hashed, a replayed refresh
    # token revokes the family, https redirect URIs only.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "SCOPES_BACKEND_CLASS": "clinic.smart.scopes.SmartScopes",
    "OAUTH2_VALIDATOR_CLASS": "clinic.smart.validator.SmartOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("SMART_ACCESS_TOKEN_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("SMART_REFRESH_TOKEN_DAYS", 90) * 24 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    # OpenID Connect: an RS256-signed id_token (with SMART's `fhirUser`) for `openid`.
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": env_secret("OIDC_RSA_PRIVATE_KEY") or _local_oidc_key(),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CMS patient API",
    "DESCRIPTION": "The clinic management system's token-authenticated patient API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Email, SMS and tasks -------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CMS Clinic <clinic@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

USE_TWILIO = env_bool("USE_TWILIO", False)
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "clinic.notifications.backends.sms_twilio.TwilioSmsBackend"
    if USE_TWILIO
    else "clinic.notifications.backends.sms_console.ConsoleSmsBackend",
)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_secret("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_BASE_URL = env_str("TWILIO_BASE_URL")  # only for tests against a stand-in
if USE_TWILIO and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER):
    raise ImproperlyConfigured(
        "USE_TWILIO=1 needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
    )
# The clinic's country: national numbers (the seed API's ten digits) are read in it,
# and patients' phones are stored in E.164 (django-phonenumber-field).
PHONE_REGION = env_str("PHONE_REGION", env_str("PHONE_DEFAULT_REGION", "IN"))
PHONE_DEFAULT_REGION = PHONE_REGION  # the older name, still read by notifications
PHONENUMBER_DEFAULT_REGION = PHONE_REGION
PHONENUMBER_DB_FORMAT = "E164"

OTP_TTL_SECONDS = env_int("OTP_TTL_SECONDS", 10 * 60)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5)
OTP_SEND_COOLDOWN_SECONDS = env_int("OTP_SEND_COOLDOWN_SECONDS", 60)
OTP_SENDS_PER_HOUR = env_int("OTP_SENDS_PER_HOUR", 5)
RESET_TOKEN_TTL_SECONDS = env_int("RESET_TOKEN_TTL_SECONDS", 15 * 60)

# "immediate" runs tasks in-process (the embedded default); "database" queues
# them in PostgreSQL for `manage.py db_worker` processes (see docs/notifications.md).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_BACKEND],
    }
}
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
# Done outbox events and sent/skipped messages are deleted after this many days
# (`manage.py prune_outbox`, daily); pending and failed ones are kept.
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 30)

# --- The clinic -----------------------------------------------------------------
CLINIC = {
    "NAME": env_str("CLINIC_NAME", "CMS Family Clinic"),
    "ADDRESS": env_str("CLINIC_ADDRESS", "12 MG Road, Bengaluru 560001"),
    "PHONE": env_str("CLINIC_PHONE", "+91 80 4000 1234"),
    "EMAIL": env_str("CLINIC_EMAIL", "frontdesk@cms-clinic.example"),
    "SPECIALTIES": env_list(
        "CLINIC_SPECIALTIES",
        ["General Medicine", "Pediatrics", "Cardiology", "Dermatology", "Orthopedics"],
    ),
}
# How far ahead a patient may book.
BOOKING_HORIZON_DAYS = env_int("BOOKING_HORIZON_DAYS", 90)
# How many upcoming appointments one patient may hold at a time.
MAX_ACTIVE_BOOKINGS = env_int("MAX_ACTIVE_BOOKINGS", 8)
# How long a freed slot is held for the waiting patient it is offered to (minutes;
# a fraction is allowed, e.g. for tests).
WAITLIST_HOLD_MINUTES = float(env_str("WAITLIST_HOLD_MINUTES", "15"))
# Where patients reach the portal: links in emails and SMS are absolute URLs on it.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security -------------------------------------------------------------------
# HTTPS=1 behind TLS: redirect, secure cookies and HSTS.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health check over plain HTTP and count a redirect as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every page (django-csp): scripts and styles only from
# our own static files, never inline; no plugins, no framing, forms post only
# here. Views that serve files set their own stricter policy (clinic/core/downloads.py).
# data: images are Bootstrap's and Swagger UI's SVG icons inside their CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
