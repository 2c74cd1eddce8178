"""Test settings: the real settings, overriding only what makes tests fast and observable."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tremplin")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from innovation.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".run" / "test-media"  # noqa: F405
# Tests call the domain functions and the sweep directly; the integration test
# starts a real worker on Redis for the broker path.
CELERY_TASK_ALWAYS_EAGER = False

# Lets several test runs share one PostgreSQL server (helpers, xdist adds its own suffix).
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", "test_tremplin")}  # noqa: F405
