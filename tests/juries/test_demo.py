"""The demo forum: ready for jury@ to score, with a delegate of two collectivités on the jury
and a recorded recusal, and left alone by later runs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from innovation.platform.models import Notification, Role, RoleGrant
from juries.models import Criterion, Forum, ForumEvent, Juror, Recusal, Score


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
    assert Juror.objects.filter(forum=forum).count() == 6
    assert Recusal.objects.count() == 1
    assert list(Score.objects.order_by("pk").values_list("pk", "value", "updated_at")) == before


@pytest.mark.django_db
def test_demo_seats_a_delegate_of_two_collectivites_who_scores_neither(client):
    output = seed()
    forum = Forum.objects.get()
    seat = Juror.objects.select_related("user").get(
        forum=forum, user__email="sylvie.carpentier@tremplin.example"
    )

    delegate_of = set(
        RoleGrant.objects.filter(user=seat.user, role=Role.DELEGATE).values_list(
            "organisation__slug", flat=True
        )
    )
    client.login(username=seat.user.email, password="tremplin-demo")
    page = client.get(reverse("juries:score", args=[forum.pk]))
    states = {}
    for line in page.context["lines"]:
        states.setdefault(line["pitch"].organisation.slug, set()).add(line["state"])
    scored = set(
        Score.objects.filter(juror=seat).values_list("pitch__organisation__slug", flat=True)
    )

    assert delegate_of == {"cd-oise", "cd-val-d-oise"}
    assert states["cd-oise"] == states["cd-val-d-oise"] == {"conflict"}
    assert states["cd-nord"] == {"done", "todo"}  # she scored the first Nord pitch
    assert states["cd-somme"] == states["cd-pas-de-calais"] == {"todo"}
    # The pitch on stage is an Oise one: no form for her.
    assert page.context["current"].organisation.slug == "cd-oise"
    assert page.context["current_form"] is None
    assert scored == {"cd-nord"}
    assert "sylvie.carpentier@" in output


@pytest.mark.django_db
def test_demo_records_that_jury_withdrew_from_one_pitch(client):
    seed()
    forum = Forum.objects.get()
    recusal = Recusal.objects.select_related("juror__user", "pitch__organisation").get()

    client.login(username="jury@tremplin.example", password="tremplin-demo")
    page = client.get(reverse("juries:score", args=[forum.pk]))
    line = next(line for line in page.context["lines"] if line["pitch"] == recusal.pitch)

    assert recusal.juror.user.email == "jury@tremplin.example"
    assert recusal.pitch.organisation.slug == "cd-val-d-oise"
    assert recusal.reason == "Un proche fait partie de l'équipe projet."
    assert line["state"] == "recused"
    assert "Un proche fait partie de l&#x27;équipe projet." in page.content.decode()


@pytest.mark.django_db
def test_demo_forum_was_opened_by_the_service_and_its_history_says_so():
    seed()
    forum = Forum.objects.get()

    events = list(ForumEvent.objects.filter(forum=forum).select_related("actor"))

    assert [(e.before, e.after) for e in events] == [(Forum.Stage.PREPARING, Forum.Stage.OPEN)]
    assert RoleGrant.objects.filter(
        user=events[0].actor, organisation__slug="cd-somme", role=Role.DELEGATE
    ).exists()
    assert forum.current_pitch.organisation.slug == "cd-oise"
    assert not Notification.objects.filter(kind="forum_scoring_open").exists()
