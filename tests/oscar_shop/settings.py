"""An oscar shop wired to Talon.One with settings only (SQLite, emulator in-process).

Used by ``tests/oscar`` (``pytest tests/oscar --ds=tests.oscar_shop.settings``)."""

from oscar import INSTALLED_APPS as OSCAR_APPS
from oscar.defaults import *  # noqa: F403  (oscar's documented defaults)

SECRET_KEY = "oscar-tests-only-not-secret"
DEBUG = False
USE_TZ = True
SITE_ID = 1
INSTALLED_APPS = [
    *OSCAR_APPS,
    "django_talonone",
    "django_talonone.contrib.oscar",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django_talonone.contrib.oscar.vouchers.TalonOneVoucherMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
ROOT_URLCONF = "tests.oscar_shop.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "django_talonone.contrib.oscar.codes.talonone_codes",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
STATIC_URL = "/static/"
OSCAR_DEFAULT_CURRENCY = "USD"
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending": ("Paid", "Cancelled"),
    "Paid": ("Shipped", "Cancelled"),
    "Shipped": (),
    "Cancelled": ("Paid",),
}

TALONONE = {
    "BASE_URL": "http://127.0.0.1:9100",
    "API_KEY": "test-api-key",
    "OSCAR": {"CANCELLED_STATUSES": ["Cancelled"], "REFUND_EVENT_TYPES": ["refund"]},
}
CELERY_BROKER_URL = "memory://"
