"""Settings for the test suite."""

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_talonone",
    "tests.shop",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The suite's default: the in-process emulator (tests override this where they need to).
TALONONE = {"BASE_URL": "http://127.0.0.1:9100", "API_KEY": "test-api-key"}
CELERY_BROKER_URL = "memory://"
