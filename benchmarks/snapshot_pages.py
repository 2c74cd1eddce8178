"""Render pages of the scale data as their users see them, one HTML file each, so that two
versions of the code can be compared page by page (`diff -r`).

    .venv/bin/python benchmarks/snapshot_pages.py OUT_DIR [--urls-from FILE] [ROLE:URL ...]

Without URLs, the benchmark's pages and a few more of each role. CSRF tokens are replaced by
a fixed text; nothing else is touched. Run it once per version, each on its own copy of the
same data (the older code on a database migrated back to its own schema).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = {"agent": "agent.0", "delegue": "delegue.00", "jure": "jure.01"}
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def default_pages() -> list[tuple[str, str]]:
    from django.utils import timezone

    from ideas.models import Campaign, Challenge, Idea, Mandate
    from innovation.platform.models import User
    from juries.models import Forum
    from rituals.models import Ritual

    agent = User.objects.get(email=f"agent.0@{os.environ.get('SCALE_DOMAIN', 'scale.example')}")
    org = agent.organisation_id
    ideas = Idea.objects.filter(organisation_id=org).exclude(state=Idea.State.DRAFT)
    popular = ideas.order_by("-vote_count", "-pk").first()
    quiet = ideas.order_by("comment_count", "pk").first()
    commented = ideas.order_by("-comment_count", "-pk").first()
    closed = Forum.objects.filter(stage=Forum.Stage.CLOSED).latest("pk")
    opened = Forum.objects.filter(stage=Forum.Stage.OPEN).latest("pk")
    ritual = Ritual.objects.filter(organisation_id=org).order_by("pk").first()
    occurrence = ritual.occurrences.filter(starts_at__gt=timezone.now()).order_by("starts_at")[0]
    past = ritual.occurrences.filter(starts_at__lt=timezone.now()).order_by("-starts_at")[0]
    mandate = Mandate.objects.filter(organisation_id=org).order_by("pk").first()
    campaign = Campaign.objects.filter(organisations=org).order_by("pk").first()
    challenge = Challenge.objects.filter(organisation_id=org).order_by("pk").first()
    theme = ideas.exclude(theme=None).values_list("theme_id", flat=True).first()
    pages = [
        ("agent", "/"),
        ("agent", "/idees/"),
        ("agent", "/idees/?page=2"),
        ("agent", "/idees/?page=40"),
        ("agent", "/idees/?q=ecole"),
        ("agent", "/idees/?q=ecole&page=3"),
        ("agent", f"/idees/?state=qualified&state=selected&theme={theme}&ordering=-vote_count"),
        ("agent", "/idees/?ordering=title"),
        ("agent", f"/idees/{popular.pk}/"),
        ("agent", f"/idees/{quiet.pk}/"),
        ("agent", f"/idees/{commented.pk}/"),
        ("agent", "/idees/appels/"),
        ("agent", f"/idees/appels/{campaign.pk}/"),
        ("agent", f"/idees/defis/{challenge.pk}/"),
        ("agent", "/idees/proposer/"),
        ("agent", "/notifications/"),
        ("agent", "/profil/"),
        ("agent", "/petits-dejeuners/"),
        ("agent", f"/petits-dejeuners/{ritual.pk}/"),
        ("agent", f"/petits-dejeuners/seances/{occurrence.pk}/"),
        ("agent", "/petits-dejeuners/agenda/"),
        ("agent", "/forums/"),
        ("agent", "/idees/mandats/"),
        ("delegue", "/"),
        ("delegue", "/idees/tableau/"),
        ("delegue", f"/idees/tableau/?theme={theme}"),
        ("delegue", "/pilotage/"),
        ("delegue", f"/pilotage/?organisation={org}"),
        ("delegue", f"/idees/{popular.pk}/"),
        ("delegue", f"/idees/{commented.pk}/"),
        ("delegue", "/forums/"),
        ("delegue", f"/forums/{closed.pk}/"),
        ("delegue", f"/forums/{closed.pk}/tableau/"),
        ("delegue", f"/forums/{closed.pk}/resultats/"),
        ("delegue", f"/forums/{opened.pk}/"),
        ("delegue", f"/forums/{opened.pk}/tableau/"),
        ("delegue", f"/forums/{opened.pk}/chrono/"),
        ("delegue", f"/petits-dejeuners/{ritual.pk}/"),
        ("delegue", f"/petits-dejeuners/seances/{occurrence.pk}/"),
        ("delegue", f"/petits-dejeuners/seances/{past.pk}/presences/"),
        ("delegue", "/idees/mandats/"),
        ("delegue", f"/idees/mandats/{mandate.pk}/"),
        ("jure", f"/forums/{opened.pk}/noter/"),
        ("jure", f"/forums/{closed.pk}/resultats/"),
    ]
    return pages


def file_name(role: str, url: str) -> str:
    return f"{role}{re.sub(r'[^A-Za-z0-9]+', '_', url)}.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("pages", nargs="*", help="ROLE:URL")
    parser.add_argument("--urls-from", help="A file of ROLE:URL lines.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from scenario import session_for

    from benchmarks.management.commands.seed_scale import DOMAIN
    from innovation.platform.models import User

    pages = [tuple(item.split(":", 1)) for item in args.pages]
    if args.urls_from:
        pages += [
            tuple(line.strip().split(":", 1))
            for line in Path(args.urls_from).read_text().splitlines()
            if line.strip()
        ]
    pages = pages or default_pages()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    clients = {}
    for role, url in pages:
        if role not in clients:
            user = User.objects.get(email=f"{ACCOUNTS[role]}@{DOMAIN}")
            clients[role] = Client(HTTP_HOST="127.0.0.1")
            clients[role].cookies[settings.SESSION_COOKIE_NAME] = session_for(user)
        response = clients[role].get(url)
        body = CSRF.sub(r"\1CSRF\2", response.content.decode())
        (out / file_name(role, url)).write_text(f"<!-- {response.status_code} -->\n{body}")
        print(f"{response.status_code} {role} {url}")


if __name__ == "__main__":
    main()
