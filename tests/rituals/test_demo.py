"""The rituals part of `manage.py seed_demo`: consistent with the seeds, and idempotent."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from ideas.models import Idea
from rituals import selectors
from rituals.models import Occurrence, Registration, Ritual

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in apps.get_app_config("rituals").get_models(include_auto_created=True)
    }


def test_demo_rituals_match_the_seeds_and_runs_again_change_nothing():
    seed()
    first = snapshot()
    second_output = seed()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12)):
        later_output = seed()

    assert snapshot() == first
    assert "Rien à faire" in second_output
    assert "Rien à faire" in later_output

    breakfast = Ritual.objects.get(organisation__slug="cd-somme")
    assert (
        breakfast.title,
        breakfast.interval_days,
        breakfast.get_weekday_display(),
        breakfast.start_time,
        breakfast.duration_minutes,
        breakfast.capacity,
        breakfast.place,
    ) == (
        "Petit-déjeuner de l'innovation",
        14,
        "jeudi",
        datetime.time(8, 30),
        60,
        20,
        "Salle du conseil, Hôtel du Département, Amiens",
    )
    # Past and coming as the demo splits them, by date: on a breakfast day, the date of the
    # day is neither (from 8:30 it has started but nobody has ticked who came yet).
    today = timezone.localdate()
    past = breakfast.occurrences.filter(original_date__lt=today).order_by("-starts_at").first()
    assert past.attendance_marked_at is not None
    assert past.registrations.filter(attended=True).count() == 4
    upcoming = breakfast.occurrences.filter(original_date__gt=today).order_by("starts_at")
    assert upcoming.count() >= 4
    following = upcoming.first()
    assert following.presenter.email == "sandrine.roussel@tremplin.example"
    assert following.idea.state == Idea.State.ACCOMPANIED
    assert following.registrations.filter(status=Registration.Status.CONFIRMED).count() == 3
    assert not following.registrations.filter(user__email="agent@tremplin.example").exists()
    assert {timezone.localtime(o.starts_at).time() for o in breakfast.occurrences.all()} == {
        datetime.time(8, 30)
    }

    assert [idea.title for idea in selectors.suggestions(breakfast)] == [
        "Des cantines aux restaurants scolaires : 48 collèges en réseau"
    ]

    passion = Ritual.objects.get(organisation__slug="isere")
    assert (passion.kind, passion.title) == (Ritual.Kind.PASSION, "Partage ma passion")
    assert Occurrence.objects.filter(ritual=passion).exclude(topic="").count() == 1
