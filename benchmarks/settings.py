"""Benchmark settings (`make bench`): production settings on plain HTTP over loopback.

Everything stays as in production (DEBUG off, cached templates, manifest static files, the
same middleware, persistent connections) except what needs HTTPS in front: the SSL redirect,
secure cookies and HSTS. Adds this dev-only app (`seed_scale`, the bare baseline view
`/bench/baseline/`), and an in-memory Celery broker so that a timed operation enqueueing
e-mails measures our code, not a broker.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tremplin_bench")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "bench-only-not-a-secret-7d1f3a9c5e2b8046f1a3c5e7b9d2f4a6c8e0b2d4"
)
os.environ.setdefault("LOG_LEVEL", "WARNING")

from innovation.settings_production import *  # noqa: E402, F403

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
STATIC_ROOT = RUN_DIR / "bench" / "static"  # noqa: F405
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
ROOT_URLCONF = "benchmarks.urls"
