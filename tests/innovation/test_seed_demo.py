"""`manage.py seed_demo`: idempotent demo data that is consistent with the domain rules.

Only `call_command` and model checks: no test client, so the URLs (and views) are not needed.
"""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

from ideas.models import Campaign, Challenge, Comment, Idea, Vote
from innovation.platform.models import Notification, Organisation, Role, RoleGrant, User
from innovation.platform.outbox import DeliveryState
from innovation.site.demo import campaigns, directory
from rituals.models import Occurrence, Registration, Ritual
from rituals.permissions import may_present
from rituals.recurrence import HORIZON_DAYS, rule_dates

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {
    "agent@tremplin.example": {Role.AGENT},
    "encadrant@tremplin.example": {Role.AGENT, Role.MANAGER},
    "directeur@tremplin.example": {Role.AGENT, Role.DIRECTOR},
    "sponsor@tremplin.example": {Role.SPONSOR},
    "jury@tremplin.example": {Role.JUROR},
    "delegue@tremplin.example": {Role.AGENT, Role.DELEGATE},
    "admin@tremplin.example": {Role.ADMIN, Role.DELEGATE},
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the two apps (M2M tables included), in key order."""
    rows = {}
    for label in ("innovation", "ideas"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return rows


def test_running_twice_creates_and_changes_nothing():
    first_output = seed()
    first = snapshot()
    second_output = seed()
    second = snapshot()

    assert {label: len(r) for label, r in second.items()} == {
        label: len(r) for label, r in first.items()
    }
    assert second == first
    assert "Créé" in first_output
    assert "Rien à faire" in second_output


def test_running_again_on_a_later_day_changes_nothing():
    seed()
    first = snapshot()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12)):
        output = seed()
    assert snapshot() == first
    assert "Rien à faire" in output


def test_prints_accounts_password_and_url():
    output = seed()
    for email in DEMO_EMAILS:
        assert email in output
    assert "delegue.nord@tremplin.example" in output
    assert "tremplin-demo" in output
    assert "http://127.0.0.1:8000/" in output


def test_every_demo_account_logs_in_with_its_roles():
    seed()
    somme = Organisation.objects.get(slug="cd-somme")
    for email, roles in DEMO_EMAILS.items():
        user = authenticate(username=email, password=directory.PASSWORD)
        assert user is not None, email
        assert user.organisation == somme
        held = set(
            RoleGrant.objects.filter(user=user, organisation=somme).values_list("role", flat=True)
        )
        assert held == roles, email
    admin = User.objects.get(email="admin@tremplin.example")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(pk=admin.pk).exists()
    nord = Organisation.objects.get(slug="cd-nord")
    assert RoleGrant.objects.filter(
        user__email="delegue.nord@tremplin.example", organisation=nord, role=Role.DELEGATE
    ).exists()
    for user in User.objects.all():
        assert authenticate(username=user.email, password=directory.PASSWORD), user.email


def test_a_changed_password_works_again_after_a_new_run():
    seed()
    agent = User.objects.get(email="agent@tremplin.example")
    agent.set_password("autre-chose-123")
    agent.save()
    seed()
    assert authenticate(username=agent.email, password=directory.PASSWORD) is not None


def test_counters_match_rows_and_nobody_votes_for_their_own_idea():
    seed()
    ideas = Idea.objects.annotate(
        real_votes=Count("votes", distinct=True),
        visible_comments=Count(
            "comments", filter=Q(comments__hidden_at__isnull=True), distinct=True
        ),
    )
    for idea in ideas:
        assert idea.vote_count == idea.real_votes, idea.title
        assert idea.comment_count == idea.visible_comments, idea.title
    assert Vote.objects.exists()
    assert not Vote.objects.filter(voter=F("idea__author")).exists()
    for vote in Vote.objects.select_related("idea"):
        authors = {vote.idea.author_id, *vote.idea.coauthors.values_list("pk", flat=True)}
        assert vote.voter_id not in authors
        assert RoleGrant.objects.filter(
            user_id=vote.voter_id, organisation_id=vote.idea.organisation_id, role=Role.AGENT
        ).exists()
    assert not Vote.objects.filter(idea__state=Idea.State.DRAFT).exists()
    assert Comment.objects.filter(hidden_at__isnull=False).exists()


def test_histories_are_consistent_with_states():
    seed()
    pipeline = pytest.importorskip("ideas.pipeline")
    for idea in Idea.objects.prefetch_related("events"):
        events = list(idea.events.all())
        assert events[0].before == "" and events[0].after == Idea.State.DRAFT
        assert events[0].actor_id == idea.author_id
        for previous, event in zip(events, events[1:], strict=False):
            assert event.before == previous.after, idea.title
            assert event.created_at >= previous.created_at, idea.title
            assert event.after in pipeline.allowed_next(event.before), idea.title
            if event.after in pipeline.REASON_REQUIRED:
                assert event.reason, idea.title
        assert events[-1].after == idea.state, idea.title
        assert events[-1].created_at <= timezone.now()
        if idea.state == Idea.State.DRAFT:
            assert idea.submitted_at is None
        else:
            assert idea.submitted_at == events[1].created_at
            assert events[1].actor_id == idea.author_id
            assert idea.follows.filter(user_id=idea.author_id).exists()
        if idea.state in (Idea.State.DRAFT, Idea.State.SUBMITTED):
            assert idea.support == ""


def test_demo_content_matches_the_seeds():
    seed()
    slugs = set(Organisation.objects.values_list("slug", flat=True))
    assert {"cd-somme", "cd-nord", "cd-oise", "cd-pas-de-calais", "cd-val-d-oise"} <= slugs
    assert {"isere", "pau", "dunkerque"} <= slugs

    somme_call = Campaign.objects.get(title=campaigns.SOMME_CAMPAIGN)
    assert somme_call.is_open()
    assert list(somme_call.organisations.values_list("slug", flat=True)) == ["cd-somme"]
    forum = Campaign.objects.get(title=campaigns.FORUM_CAMPAIGN)
    assert forum.organisations.count() == 5

    agent_ideas = Idea.objects.filter(author__email="agent@tremplin.example", campaign=somme_call)
    assert set(agent_ideas.values_list("state", flat=True)) == {
        Idea.State.DRAFT,
        Idea.State.SUBMITTED,
    }
    challenge = Challenge.objects.get()
    assert challenge.author.email == "directeur@tremplin.example"
    assert challenge.ideas.exists()

    assert 15 <= Idea.objects.count() <= 25
    somme_states = set(
        Idea.objects.filter(organisation__slug="cd-somme").values_list("state", flat=True)
    )
    assert len(somme_states) >= 6
    # The demo's past is told as it would have been (notifications), but no e-mail leaves.
    assert Notification.objects.exists()
    assert not Notification.objects.exclude(delivery_state=DeliveryState.SKIPPED).exists()
    assert mail.outbox == []


def test_ideas_keep_what_visitors_did_and_counters_follow():
    seed()
    idea = Idea.objects.get(title="Rappeler les usagers qui n'ont pas pu joindre le standard")
    voter = User.objects.get(email="jury@tremplin.example")
    Vote.objects.create(idea=idea, voter=voter)
    Idea.objects.filter(pk=idea.pk).update(state=Idea.State.QUALIFIED)
    seed()
    idea.refresh_from_db()
    assert idea.state == Idea.State.QUALIFIED
    assert idea.vote_count == idea.votes.count()
    assert idea.votes.filter(voter=voter).exists()


def test_the_forums_delegate_of_two_collectivites_logs_in_with_both_roles():
    # Seated on the demo forum's jury (juries/demo.py): she scores neither one's pitches.
    seed()

    user = authenticate(username="sylvie.carpentier@tremplin.example", password="tremplin-demo")

    assert user is not None
    assert user.organisation.slug == "cd-oise"
    assert set(RoleGrant.objects.filter(user=user).values_list("organisation__slug", "role")) == {
        ("cd-oise", Role.JUROR),
        ("cd-oise", Role.DELEGATE),
        ("cd-val-d-oise", Role.DELEGATE),
    }


# Columns that say when something is planned, not when it happened: a date to come is fine.
PLANNED = {("rituals.Occurrence", "starts_at")}
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "moment",
    [
        # A Friday: the next breakfast is in thirteen days, its registrations before today.
        datetime.datetime(2026, 3, 13, 10, 0, tzinfo=PARIS),
        # A breakfast Thursday, before it starts; the series spans the change of time.
        datetime.datetime(2026, 10, 29, 7, 45, tzinfo=PARIS),
        # A Monday night, Isère's first date tomorrow.
        datetime.datetime(2026, 6, 1, 23, 30, tzinfo=PARIS),
    ],
)
def test_nothing_of_the_demo_is_dated_after_the_seed(moment):
    with time_machine.travel(moment, tick=False):
        seed()
        now = timezone.now()
    late = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            key = (model._meta.label, field.name)
            if isinstance(field, models.DateTimeField) and key not in PLANNED:
                count = model.objects.filter(**{f"{field.name}__gt": now}).count()
                if count:
                    late[key] = count
    assert late == {}
    # And the demo still has a date to come, with people registered for it.
    assert Registration.objects.filter(occurrence__starts_at__gt=now).exists()


def test_demo_series_are_written_as_the_rituals_services_write_them():
    seed()
    for ritual in Ritual.objects.select_related("created_by"):
        # Created by a delegate of its collectivité, before its first date.
        assert RoleGrant.objects.filter(
            user=ritual.created_by, organisation=ritual.organisation, role=Role.DELEGATE
        ).exists()
        occurrences = list(ritual.occurrences.order_by("original_date"))
        assert ritual.created_at < occurrences[0].starts_at
        # Its dates are the rule's, every one added by the creation or the nightly job.
        assert [o.original_date for o in occurrences] == rule_dates(
            ritual, ritual.starts_on, occurrences[-1].original_date
        )
        for occurrence in occurrences:
            added = timezone.localtime(occurrence.created_at)
            assert occurrence.created_at == ritual.created_at or added.time() == datetime.time(
                2, 41
            )
            assert (occurrence.original_date - added.date()).days <= HORIZON_DAYS
        # Each registration made before the registrations closed, with its first history line.
        for registration in Registration.objects.filter(occurrence__ritual=ritual).select_related(
            "occurrence"
        ):
            occurrence = registration.occurrence
            assert occurrence.created_at < registration.created_at
            assert registration.created_at < occurrence.registration_closes_at
            assert list(
                registration.events.values_list("before", "after", "actor_id", "created_at")
            ) == [("", registration.status, registration.user_id, registration.created_at)]
        # The programme set by the delegate before anyone registered, as the service allows.
        programmed = [o for o in occurrences if o.presenter_id]
        assert programmed
        for occurrence in programmed:
            assert may_present(occurrence.presenter, ritual)
            assert occurrence.idea is None or occurrence.idea.state != Idea.State.DRAFT
            if occurrence.attendance_marked_at is None:
                first = occurrence.registrations.order_by("created_at").first()
                assert occurrence.created_at < occurrence.updated_at < first.created_at
    marked = Occurrence.objects.get(attendance_marked_at__isnull=False)
    assert marked.attendance_marked_at == marked.starts_at + datetime.timedelta(hours=2)
    assert marked.ritual.title == "Petit-déjeuner de l'innovation"


def test_calls_and_the_challenge_are_posted_before_they_open_by_people_allowed_to():
    seed()
    for call in Campaign.objects.prefetch_related("organisations"):
        assert timezone.localtime(call.created_at).date() < call.opens_on, call.title
    somme_call = Campaign.objects.get(title=campaigns.SOMME_CAMPAIGN)
    assert RoleGrant.objects.filter(
        user=somme_call.created_by, organisation__slug="cd-somme", role=Role.DELEGATE
    ).exists()
    challenge = Challenge.objects.get()
    assert RoleGrant.objects.filter(
        user=challenge.author, organisation=challenge.organisation, role=Role.DIRECTOR
    ).exists()
    assert timezone.localtime(challenge.created_at).date() == (
        timezone.localdate() - datetime.timedelta(days=15)
    )
