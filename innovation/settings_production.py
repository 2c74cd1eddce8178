"""Production settings: the same file, with the secure defaults switched on.

Used by `manage.py check --deploy` in CI and by docker-compose; every value still comes
from the environment (see .env.example).
"""

import os

os.environ.setdefault("DJANGO_SECURE", "1")

from innovation.settings import *  # noqa: E402, F403

if SECRET_KEY.startswith("dev-only"):  # noqa: F405
    raise RuntimeError("DJANGO_SECRET_KEY must be set in production.")
