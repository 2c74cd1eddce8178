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
# Tasks queued after commit run in-process, so no test leaves messages behind in Redis;
# tests/integration switches this off and starts a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True

# Lets several test runs share one PostgreSQL server (helpers, xdist adds its own suffix).
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", "test_tremplin")}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns otherwise)
# django-axes wants the request in every authenticate() call, which client.login() and
# factories don't give; tests/innovation/test_hardening.py switches it back on.
AXES_ENABLED = False
# The dev-only benchmark app, for tests/benchmarks/test_seed_scale.py (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
