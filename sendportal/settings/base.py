"""Settings shared by every environment. Everything that differs comes from
environment variables (see README, "Configuration")."""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sendportal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "feedback",
    "actionplan",
    "charter",
    "reports",
    "opendata",
    "participation",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A kept public page for a visitor with no session, with the headers the
    # middleware below gave it when it was made (core.pagecache).
    "core.pagecache.KeptPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.two_factor.TwoFactorMiddleware",
    "core.two_factor.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A kept staff page, once the person and their messages are known (core.pagecache).
    "core.pagecache.KeptStaffPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's own: building the header costs about 0.2 ms a response
    # (in-process, against 0.06 ms for a copy kept between responses), too
    # little for anyone to notice, so no subclass leans on its private names.
    "csp.middleware.CSPMiddleware",
    # Before any view reads a value (and inside the header middleware, so its
    # 400 page has them): Postgres cannot store NUL bytes.
    "core.middleware.RejectNulBytesMiddleware",
    # Public pages write each glossary abbreviation out at its first use
    # (directory.plainwords); inside CommonMiddleware, which sets the length.
    "directory.plainwords.PlainWordsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# Pages whose abbreviations are left as they are: staff work in them daily.
PLAIN_WORDS_SKIP_PREFIXES = ["/staff/", "/django-admin/", "/static/", "/media/"]

ROOT_URLCONF = "sendportal.urls"
WSGI_APPLICATION = "sendportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.branding",
            ],
        },
    },
]

# One database for every app. With no DATABASE_URL, a SQLite file, so that
# anyone can try the portal with nothing installed.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "core.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.password_validation.RepeatedOrSequentialCharactersValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "home"

# Against password guessing: five wrong tries for one account, from any
# addresses, lock that account out for an hour; five wrong tries from one
# address, against any accounts, lock that address out. (Separate entries:
# axes locks when either count reaches the limit.)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The sign-in form names the e-mail field "username", as Django's form does.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
# Who the client is (core.http.client_address): X-Forwarded-For is read only
# when the connection comes from one of TRUSTED_PROXIES (addresses or CIDR
# ranges of the load balancers in front); TRUSTED_PROXY_COUNT, when set, is how
# many of them add to the header. With none trusted, the connection's address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Password-reset requests per hour, per address and per account. Over either,
# the same "check your e-mail" page is shown and nothing is sent.
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env_int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", 10)
PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = env_int("PASSWORD_RESET_PER_ACCOUNT_PER_HOUR", 3)
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Only what the browser needs: the compiled GOV.UK Frontend build, our
# scripts and images. Sass sources and the build script stay out of collectstatic.
STATICFILES_DIRS = [
    ("dist", BASE_DIR / "static" / "dist"),
    ("js", BASE_DIR / "static" / "js"),
    ("images", BASE_DIR / "static" / "images"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Generated and uploaded files (report PDFs, board packs, evidence, survey
# imports) go to S3-compatible object storage when a bucket is named, so any
# web machine can serve what a worker on another made; otherwise to MEDIA_ROOT.
# Every object is private: the portal streams each file through its own view,
# after its own permission check, and never hands out a bucket address.
# Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or boto3's usual
# chain (an instance role) when they are not set.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, …
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "location": env_str("AWS_LOCATION"),  # a folder in a shared bucket
            "default_acl": "private",
            "file_overwrite": False,  # as on disk: a new name, never another's file
            "querystring_auth": True,  # any .url is signed and short-lived, never public
            "querystring_expire": 60,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Redis is the Celery broker and, unless CACHE_REDIS_URL names another, the
# cache. In production the cache has a Redis of its own, with a memory limit
# and least-recently-used eviction (docker-compose.yml's "cache"), and the
# broker one that never evicts: a cache flood must never push out a job.
REDIS_URL = env_str("REDIS_URL")
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", REDIS_URL)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing one redis-py client per pool (core.cache says why).
            "BACKEND": "core.cache.ReusedClientRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "sendportal",
            # A cache that does not answer must not hold a family's request:
            # give up fast (the rate limiter then fails open).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # What can be made again (pages, forms, fragments, figures) is read through a
    # cache that answers "not cached" when Redis is down (core.cache).
    CACHES["derived"] = {**CACHES["default"], "BACKEND": "core.cache.FailSoftRedisCache"}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "LOCATION": "sendportal"}}
    CACHES["derived"] = CACHES["default"]  # one store: same LOCATION
CACHES["template_fragments"] = CACHES["derived"]
# Whole staff pages, kept for each person in each web process's own memory
# (never in Redis: they hold what families wrote) until a table they read is
# written (core.pagecache.cache_staff_page, core.changes). 0 turns it off.
STAFF_PAGE_CACHE_SECONDS = env_int("STAFF_PAGE_CACHE_SECONDS", 300)
STAFF_PAGE_CACHE_ENTRIES = env_int("STAFF_PAGE_CACHE_ENTRIES", 200)  # per web process
CACHES["staff_pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                         "LOCATION": "staff-pages", "TIMEOUT": STAFF_PAGE_CACHE_SECONDS,
                         "OPTIONS": {"MAX_ENTRIES": STAFF_PAGE_CACHE_ENTRIES}}

# A long kept public page (LONG_PAGE_BYTES and over: a plan of many measures,
# the open data's CSV files) is also held in each web process's own memory,
# so that each answer reads only the generations from Redis, not the whole
# page again (core.pagecache.KeptPageMiddleware). Public content only; at
# most LONG_PAGE_ENTRIES pages a process, each for LONG_PAGE_SECONDS.
LONG_PAGE_BYTES = env_int("LONG_PAGE_BYTES", 64 * 1024)
LONG_PAGE_ENTRIES = env_int("LONG_PAGE_ENTRIES", 16)
LONG_PAGE_SECONDS = env_int("LONG_PAGE_SECONDS", 60)
CACHES["long_pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": "long-public-pages", "TIMEOUT": LONG_PAGE_SECONDS,
                        "OPTIONS": {"MAX_ENTRIES": LONG_PAGE_ENTRIES}}

# Public pages (home, archive, feed, charter, action plan, open data) are
# kept whole in the cache for visitors who are not signed in, until a table
# they read is written (core.pagecache, core.changes). 0 turns it off.
# docs/caching.md maps every cache below.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600)
# The home page's figures are recomputed by beat this often (seconds): they
# are at most this old, whatever is written.
HOME_FIGURES_REFRESH_SECONDS = env_int("HOME_FIGURES_REFRESH_SECONDS", 600)
# Kept apart from a page, until a table they are made from is written; 0 keeps none.
DASHBOARD_FIGURES_CACHE_SECONDS = env_int("DASHBOARD_FIGURES_CACHE_SECONDS", 600)
REPORT_ITEMS_CACHE_SECONDS = env_int("REPORT_ITEMS_CACHE_SECONDS", 600)
# Rendered form HTML, keyed on the form, its values and every choice it offers.
FORM_HTML_CACHE_SECONDS = env_int("FORM_HTML_CACHE_SECONDS", 3600)

# Celery. With no broker configured, tasks run in-process (eagerly) so the
# portal works with no services at all; they still run only after commit.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
# A task is acknowledged when it has finished, so a worker that dies mid-task
# leaves it to be delivered again; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long a task taken by a worker that then died waits before another
# worker gets it (acks are late, so nothing is lost).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
# Publishing must not hang a family's request when the broker is down: try
# briefly, then leave the work pending for beat to pick up (core.tasks).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
# A job (core.jobs) sent to a worker and neither finished nor being worked on
# (its advisory lock free) this long is taken to be lost, and is sent again.
RESUME_STALE_AFTER_SECONDS = env_int("RESUME_STALE_AFTER_SECONDS", 90)
# The minute jobs' interval; the production-stack tests shorten it.
CELERY_BEAT_MINUTE = float(env_int("CELERY_BEAT_MINUTE_SECONDS", 60))
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": CELERY_BEAT_MINUTE},
    # Every background job (core.jobs) still pending: the broker was down
    # when it was enqueued, its back-off after a failed try ran out, or its
    # worker died (taken up again after RESUME_STALE_AFTER_SECONDS, 90 s,
    # well before the broker's visibility timeout would hand it back).
    "core-dispatch-jobs": {"task": "core.jobs.dispatch", "schedule": CELERY_BEAT_MINUTE / 2},
    "feedback-apply-retention": {
        "task": "feedback.tasks.apply_retention", "schedule": 6 * 60 * 60.0,
    },
    "reports-refresh-home-figures": {
        "task": "reports.tasks.refresh_home_figures",
        "schedule": float(HOME_FIGURES_REFRESH_SECONDS),
    },
    # "Waiting for your approval" e-mails are jobs (core-dispatch-jobs re-sends
    # any whose enqueue was lost); the digest goes once a day.
    "core-send-approval-digests": {
        "task": "core.tasks.send_approval_digests", "schedule": 24 * 60 * 60.0,
    },
    # "Did it make a difference?": asked once, some weeks after a "we did".
    "feedback-ask-difference": {
        "task": "feedback.tasks.ask_difference", "schedule": 6 * 60 * 60.0,
    },
    # Hourly, but each owner hears at most once per action, kind and ISO week.
    "actionplan-send-reminders": {
        "task": "actionplan.tasks.send_reminders", "schedule": 60 * 60.0,
    },
}

# E-mail. With no EMAIL_HOST, messages are printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# A relay that does not answer must not hold a worker for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SEND feedback <send-feedback@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# GOV.UK Notify (core.notify), for councils and NHS bodies: with an API key,
# e-mails go through Notify's generic template (subject ((subject)), body
# ((body))) instead of SMTP, and text messages can be sent with an SMS
# template (body ((body))). Without a key, nothing changes: SMTP as above.
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)
# How often beat asks Notify what became of messages still on their way.
NOTIFY_STATUS_REFRESH_SECONDS = env_int("NOTIFY_STATUS_REFRESH_SECONDS", 300)
NOTIFY_EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
if NOTIFY_API_KEY:
    if not NOTIFY_EMAIL_TEMPLATE_ID:
        raise ImproperlyConfigured("NOTIFY_API_KEY is set: NOTIFY_EMAIL_TEMPLATE_ID must name "
                                   "a Notify e-mail template with ((subject)) and ((body))")
    EMAIL_BACKEND = NOTIFY_EMAIL_BACKEND
    CELERY_BEAT_SCHEDULE["core-refresh-notify-statuses"] = {
        "task": "core.tasks.refresh_notify_statuses",
        "schedule": float(NOTIFY_STATUS_REFRESH_SECONDS),
    }

# The council's brand. The colour and font are compiled into the stylesheet
# (static/build.mjs reads the same variables); names and logo are used in pages.
SERVICE_NAME = env_str("SERVICE_NAME", "SEND: You said, we did")
ORGANISATION_NAME = env_str("ORGANISATION_NAME", "Gloucestershire Local Area")
BRAND_COLOUR = env_str("BRAND_COLOUR", "#1d5d90")
BRAND_LOGO_URL = env_str("BRAND_LOGO_URL")
# The font stack the stylesheet is compiled with (static/build.mjs reads the
# same variable, with the same default); charts drawn on the server use it too.
BRAND_FONT_STACK = env_str(
    "BRAND_FONT_STACK",
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif')
if "gds transport" in BRAND_FONT_STACK.lower() or any(c in BRAND_FONT_STACK for c in ";{}<>"):
    # As static/build.mjs refuses it for the stylesheet.
    raise ImproperlyConfigured("BRAND_FONT_STACK must be a plain font-family list and not "
                               "GDS Transport")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "send-feedback@example.org")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Feedback: the response target, and how long contact details are kept after
# feedback is closed (UK GDPR storage limitation).
FEEDBACK_RESPONSE_WORKING_DAYS = env_int("FEEDBACK_RESPONSE_WORKING_DAYS", 20)
FEEDBACK_CONTACT_RETENTION_DAYS = env_int("FEEDBACK_CONTACT_RETENTION_DAYS", 90)
# Answered feedback that nobody closes is closed this long after the answer, so
# its contact details do not stay for ever (retention counts from closure).
FEEDBACK_AUTO_CLOSE_DAYS = env_int("FEEDBACK_AUTO_CLOSE_DAYS", 60)
# "Tell me when something changes" (feedback/progress.py). At most one
# message per family in this many hours, changes gathered into it.
PROGRESS_MESSAGE_GAP_HOURS = env_int("PROGRESS_MESSAGE_GAP_HOURS", 24)
# Contact details kept for progress: while a linked action is open, then at
# most this many days after the last linked action ended (12 months).
PROGRESS_CONTACT_RETENTION_DAYS = env_int("PROGRESS_CONTACT_RETENTION_DAYS", 365)

# The participation register (participation/): consent is asked again every
# REGISTER_RENEWAL_DAYS; an entry not renewed REGISTER_LAPSE_DAYS after that
# is erased by the retention run.
REGISTER_RENEWAL_DAYS = env_int("REGISTER_RENEWAL_DAYS", 365)
REGISTER_LAPSE_DAYS = env_int("REGISTER_LAPSE_DAYS", 30)
# What people gave with "I'd like to take part" is erased this long after the
# opportunity closed.
INTEREST_RETENTION_DAYS = env_int("INTEREST_RETENTION_DAYS", 90)
# The parts of the county asked about (slug, name): Gloucestershire's districts.
PARTICIPATION_AREAS = [
    ("cheltenham", "Cheltenham"), ("cotswold", "Cotswold"), ("forest-of-dean", "Forest of Dean"),
    ("gloucester", "Gloucester"), ("stroud", "Stroud"), ("tewkesbury", "Tewkesbury"),
    ("outside", "Outside the county"),
]
# "Did it make a difference?" is asked this many weeks after a "we did".
PROGRESS_DIFFERENCE_WEEKS = env_int("PROGRESS_DIFFERENCE_WEEKS", 4)
# How long the way back to the private page in a message works (the private
# link itself always works); the question's link lasts as long.
PROGRESS_LINK_MAX_AGE_DAYS = env_int("PROGRESS_LINK_MAX_AGE_DAYS", 90)
# Who answers feedback when the family did not say which organisation it is
# about: an organisation slug. Empty means the first local authority.
FEEDBACK_DEFAULT_ORGANISATION = env_str("FEEDBACK_DEFAULT_ORGANISATION")
# A failed e-mail is tried again after 2, 4, 8, 16 times this (capped at an
# hour), five tries in all; the production-stack tests shorten it.
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60)
# Submissions from one address per hour before the form asks them to wait.
FEEDBACK_RATE_LIMIT_PER_HOUR = env_int("FEEDBACK_RATE_LIMIT_PER_HOUR", 20)
# Open data (/api/): requests from one address per hour (a 304 counts too).
OPEN_DATA_RATE_LIMIT_PER_HOUR = env_int("OPEN_DATA_RATE_LIMIT_PER_HOUR", 3600)

# Content Security Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Staff sessions end after 30 minutes without a request (core.two_factor.IdleTimeoutMiddleware
# moves the expiry on as they work).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)

# Two-factor sign-in (django-otp, TOTP): anyone may turn it on; these roles must.
STAFF_TWO_FACTOR_REQUIRED_ROLES = env_list("STAFF_TWO_FACTOR_REQUIRED_ROLES", ["administrator"])
OTP_TOTP_ISSUER = SERVICE_NAME  # the name people see beside the code in their app

# Sessions (staff only: who is signed in, whether their second step is owed,
# when they were last seen) are Django's own cached_db sessions: kept in the
# database, which is the truth, with a copy in the fail-soft cache that each
# staff page reads instead of a query (a kept staff page costs 25% less: 1.70
# -> 1.28 ms of CPU in bench/profile_page.py). With Redis down or the copy
# evicted, the database answers. A sign-out whose cache copy Redis cannot
# confirm gone ends every session of that person (core.signals,
# User.session_generation), so a copy that outlives an outage opens nothing.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "derived"

# Every response: browser features the portal never uses are switched off.
PERMISSIONS_POLICY_DENY = [
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "browsing-topics", "interest-cohort",
]
# Pages with personal data: never stored by a browser or a shared cache.
NO_STORE_PATH_PREFIXES = ["/staff/", "/django-admin/"]

# Theme suggestions (feedback.suggest): the folder holding the model's
# weights/ and tokenizers/ (empty: the installed wordllama package, whose
# wheel carries them). Nothing is ever downloaded.
SUGGEST_MODEL_DIR = env_str("SUGGEST_MODEL_DIR", "")

# Logs carry ids and references, never what a family wrote or their contact
# details. Keep it that way in every logger call. Secrets that are addresses
# (tracking, pulse and reset links) are redacted from every line as well.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django logs the whole request on errors; its POST data can hold what
        # a family typed, so 4xx/5xx details stay at WARNING without bodies.
        "django.request": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Its warnings repeat Notify's error message; core.notify logs the
        # status and error class, which is all the portal keeps.
        "notifications_python_client": {"level": "ERROR"},
    },
}
