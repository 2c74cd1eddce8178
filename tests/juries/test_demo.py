"""The demo forum: ready for jury@ to score, and left alone by later runs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from juries.models import Criterion, Forum, Juror, Score


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_forum_is_open_with_a_mixed_jury_and_a_weighted_grid(client):
    output = seed()

    forum = Forum.objects.get(title="1er forum Innovations interdépartemental")
    assert forum.stage == Forum.Stage.OPEN
    assert (forum.date.month, forum.date.day) == (11, 28)
    assert sorted(forum.organisations.values_list("slug", flat=True)) == [
        "cd-nord",
        "cd-oise",
        "cd-pas-de-calais",
        "cd-somme",
        "cd-val-d-oise",
    ]
    assert list(Criterion.objects.filter(forum=forum).values_list("weight", flat=True)) == [
        3,
        2,
        2,
        1,
    ]
    assert set(Juror.objects.filter(forum=forum).values_list("college", flat=True)) == {
        "elected",
        "agent",
        "director",
    }
    assert forum.pitches.count() == 10
    assert Score.objects.filter(forum=forum).exists()
    assert f"/forums/{forum.pk}/" in output

    client.login(username="jury@tremplin.example", password="tremplin-demo")
    page = client.get(reverse("juries:score", args=[forum.pk]))
    assert page.status_code == 200
    assert page.context["current_form"] is not None


@pytest.mark.django_db
def test_second_run_leaves_the_forum_and_its_scores_alone():
    seed()
    forum = Forum.objects.get()
    before = list(Score.objects.order_by("pk").values_list("pk", "value", "updated_at"))

    seed()

    assert Forum.objects.count() == 1
    assert Juror.objects.filter(forum=forum).count() == 5
    assert list(Score.objects.order_by("pk").values_list("pk", "value", "updated_at")) == before
