"""`make run` serves the demo on SQLite: the main page of each role must
work there too (the suite itself runs on PostgreSQL, where SQL features differ)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PAGES = {
    "agent@tremplin.example": [
        "/",
        "/idees/",
        "/idees/?q=ecole",
        "/petits-dejeuners/",
        "/idees/mandats/",
    ],
    "delegue@tremplin.example": [
        "/pilotage/",
        "/idees/tableau/",
        "/idees/mandats/",
        "/forums/",
        "/forums/1/tableau/",
    ],
    "jury@tremplin.example": ["/forums/1/noter/"],
    "admin@tremplin.example": ["/annuaire/", "/journal/"],
}

WALK = """
import json, sys, traceback
import django
django.setup()
from django.test import Client
from innovation.platform.models import User
from ideas.models import Idea
pages = json.loads(sys.argv[1])
idea = Idea.objects.exclude(state="draft").order_by("pk").first()
from rituals.models import Occurrence
occurrence = Occurrence.objects.order_by("pk").first()
pages["agent@tremplin.example"] += [
    f"/idees/{idea.pk}/",
    f"/petits-dejeuners/{occurrence.ritual_id}/",
    f"/petits-dejeuners/seances/{occurrence.pk}/",
]
client = Client(HTTP_HOST="127.0.0.1")
statuses = {}
for email, urls in pages.items():
    client.force_login(User.objects.get(email=email))
    for url in urls:
        try:
            statuses[email + " " + url] = client.get(url).status_code
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)
            frames = [frame for frame in frames if "/.venv/" not in frame.filename]
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            statuses[email + " " + url] = f"{error!r} at {where}"
print(json.dumps({"statuses": statuses}))
"""


def test_each_role_main_pages_work_on_the_sqlite_demo(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "innovation.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_DEBUG": "false",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("REDIS_URL", None)
    root = Path(settings.BASE_DIR)
    manage = [sys.executable, str(root / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["seed_demo"],
    ):
        subprocess.run(manage + command, cwd=root, env=env, check=True, capture_output=True)
    walked = subprocess.run(
        [sys.executable, "-c", WALK, json.dumps(PAGES)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert walked.returncode == 0, walked.stderr[-3000:]
    result = json.loads(walked.stdout.strip().splitlines()[-1])
    statuses = result["statuses"]
    assert len(statuses) == sum(map(len, PAGES.values())) + 3
    assert {page: codes for page, codes in statuses.items() if codes != 200} == {}
