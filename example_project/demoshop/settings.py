"""Settings of the demo shop: what a shop adds to use django-talonone, and demo plumbing.

Everything a test or a second demo needs to move is read from the environment: where the
data lives (``SHOP_DATABASE``, ``SHOP_DEMO_DIR``), where Talon.One is
(``TALONONE_BASE_URL``, ``TALONONE_API_KEY``) and the broker (``REDIS_URL``).
"""

from __future__ import annotations

import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = Path(os.environ.get("SHOP_DEMO_DIR", BASE_DIR.parent / ".demo"))

# Demo only: a real shop reads its secret key from the environment and never ships one.
SECRET_KEY = os.environ.get("SHOP_SECRET_KEY", "demo-shop-not-a-secret")
DEBUG = os.environ.get("SHOP_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    # Before the admin: its admin/index.html adds the outbox status panel to the index.
    "django_talonone",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "catalog",
    "cart",
    "orders",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demoshop.urls"
WSGI_APPLICATION = "demoshop.wsgi.application"

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
                "cart.context_processors.cart_size",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SHOP_DATABASE", str(BASE_DIR / "db.sqlite3")),
        # The shop, the worker and beat write to one file: wait for the lock instead of
        # failing at once.
        "OPTIONS": {"timeout": 20},
    }
}
if django.VERSION >= (5, 1):
    # Take the write lock up front, so two writers never deadlock upgrading a read lock,
    # and let readers go on while a writer works.
    DATABASES["default"]["OPTIONS"].update(
        transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []  # demo logins are demo/demo, admin/admin
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:products"
LOGOUT_REDIRECT_URL = "catalog:products"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

SHOP_CURRENCY_SYMBOL = "$"
# The shop sells in two currencies, each through its own Talon.One Application (the first
# is the default Application). The price list is the same figures in both: a real shop
# keeps a price per currency, which its cart adapter reports.
SHOP_CURRENCIES = {"USD": "$", "EUR": "€"}
# The Talon.One referral campaign whose codes shoppers hand out ("Refer a friend" in the
# emulator's default campaigns).
SHOP_REFERRAL_CAMPAIGN_ID = 2

# django-talonone: the emulator `make demo` starts, with its fixed demo key.
TALONONE = {
    "BASE_URL": os.environ.get("TALONONE_BASE_URL", "http://127.0.0.1:9100"),
    "API_KEY": os.environ.get("TALONONE_API_KEY", "demo-api-key"),
    "CURRENCY": "USD",
    # Carts in EUR go to the EUR Application (its own key and campaigns).
    "APPLICATIONS": {
        "eur": {
            "API_KEY": os.environ.get("TALONONE_EUR_API_KEY", "demo-eur-api-key"),
            "CURRENCY": "EUR",
        }
    },
    # The cart page waits at most this long for promotions before showing full prices.
    "TIMEOUT": (1.0, 3.0),
    # The session attribute the demo's "spend points" rule reads (demo_campaigns.json).
    "LOYALTY_POINTS_ATTRIBUTE": "pointsToSpend",
    # The secret Talon.One's webhooks carry (basic auth password): set your own.
    "NOTIFICATION_SECRETS": [
        os.environ.get("SHOP_NOTIFICATION_SECRET", "demo-notification-secret-not-for-production")
    ],
}

# The shop and the Celery worker share one cache, so a wallet the worker invalidates (an
# order's close delivered) is invalidated for the shop too. A real shop uses Redis here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DEMO_DIR / "cache"),
    }
}
# Each wallet read that misses the cache costs a Talon.One call: limit how often one
# shopper may ask.
REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"talonone-wallet": "60/minute"}}

# Celery: Redis when REDIS_URL is set, else a broker made of folders (see demoshop/celery.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    BROKER_DIR = DEMO_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    # kombu's folder transport, but a message shows up in the queue only once it is whole.
    CELERY_BROKER_TRANSPORT = "demoshop.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "talonone-sweep-outbox": {"task": "talonone.sweep_outbox", "schedule": 60.0},
    # Notifications left waiting (a lost message, a worker that died mid-way).
    "talonone-sweep-notifications": {"task": "talonone.sweep_notifications", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DEMO_DIR / "celerybeat-schedule")
# Beat sleeps at most this long, so Ctrl-C stops the worker within seconds.
CELERY_BEAT_MAX_LOOP_INTERVAL = 2

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Celery logs its own records; this shows what django-talonone sends and retries.
    "loggers": {"django_talonone": {"handlers": ["console"], "level": "INFO"}},
}
