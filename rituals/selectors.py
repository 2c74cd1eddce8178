"""What the ritual pages need, each in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ideas.models import Idea
from innovation.models import User
from rituals import permissions
from rituals.models import Occurrence, Registration, Ritual

S = Registration.Status
SUGGESTED_STATES = (Idea.State.ACCOMPANIED, Idea.State.EXPERIMENTING)
SUGGESTIONS = 8
FEED_PAST_DAYS = 90


def with_counts(queryset: QuerySet[Occurrence]) -> QuerySet[Occurrence]:
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=S.CONFIRMED)),
        waiting_count=Count("registrations", filter=Q(registrations__status=S.WAITING)),
        attended_count=Count(
            "registrations",
            filter=Q(registrations__status=S.CONFIRMED, registrations__attended=True),
        ),
    )


def ritual_list(user: User) -> QuerySet[Ritual]:
    """Visible rituals with their organisation and their next date."""
    next_date = (
        Occurrence.objects.filter(
            ritual=OuterRef("pk"), starts_at__gt=timezone.now(), cancelled_at__isnull=True
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        permissions.visible_rituals(user)
        .select_related("organisation")
        .annotate(next_starts_at=Subquery(next_date))
        .order_by("-active", "organisation__name", "title")
    )


def ritual_for_page(user: User, pk: int) -> Ritual:
    queryset = (
        permissions.visible_rituals(user)
        .select_related("organisation")
        .prefetch_related("shared_with")
    )
    return get_object_or_404(queryset, pk=pk)


def occurrence_rows(ritual: Ritual) -> QuerySet[Occurrence]:
    """Occurrences of a ritual ready for a table (ritual, presenter, project, counts)."""
    return with_counts(ritual.occurrences.select_related("ritual", "presenter", "idea"))


def upcoming(ritual: Ritual, now: datetime.datetime) -> list[Occurrence]:
    return list(occurrence_rows(ritual).filter(starts_at__gt=now).order_by("starts_at"))


def past(ritual: Ritual, now: datetime.datetime) -> QuerySet[Occurrence]:
    return occurrence_rows(ritual).filter(starts_at__lte=now).order_by("-starts_at")


def my_registrations(user: User, occurrences: list[Occurrence]) -> dict[int, Registration]:
    """The person's active registration per occurrence, with their place in line (one query)."""
    ids = [occurrence.pk for occurrence in occurrences]
    if not ids or not user.is_authenticated:
        return {}
    ahead = (
        Registration.objects.filter(
            occurrence=OuterRef("occurrence"),
            status=S.WAITING,
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values("n")
    )
    registrations = (
        Registration.objects.filter(user=user, occurrence_id__in=ids)
        .exclude(status=S.CANCELLED)
        .annotate(ahead=Subquery(ahead))
    )
    mine = {}
    for registration in registrations:
        registration.position = (registration.ahead or 0) + 1
        mine[registration.occurrence_id] = registration
    return mine


def occurrence_for_page(user: User, pk: int) -> Occurrence:
    queryset = with_counts(
        permissions.visible_occurrences(user)
        .select_related("ritual", "ritual__organisation", "presenter", "idea")
        .prefetch_related("ritual__shared_with")
    )
    return get_object_or_404(queryset, pk=pk)


def registrants(occurrence: Occurrence) -> list[Registration]:
    """Confirmed then waiting people, each in arrival order."""
    rows = list(
        occurrence.registrations.exclude(status=S.CANCELLED).select_related(
            "user", "user__organisation", "user__direction"
        )
    )
    rows.sort(key=lambda r: (r.status != S.CONFIRMED, r.created_at, r.pk))
    return rows


def suggestions(ritual: Ritual) -> list[Idea]:
    """Projects under way (accompanied or experimenting) not presented or programmed yet at any
    occurrence, oldest first."""
    programmed = Occurrence.objects.filter(idea__isnull=False, cancelled_at__isnull=True).values(
        "idea_id"
    )
    return list(
        Idea.objects.filter(
            organisation__in=permissions.audience_ids(ritual), state__in=SUGGESTED_STATES
        )
        .exclude(pk__in=programmed)
        .select_related("author", "organisation")
        .order_by("submitted_at", "created_at", "pk")[:SUGGESTIONS]
    )


def feed_occurrences(ritual: Ritual, now: datetime.datetime) -> list[Occurrence]:
    since = now - datetime.timedelta(days=FEED_PAST_DAYS)
    return list(
        ritual.occurrences.filter(starts_at__gte=since)
        .select_related("ritual", "presenter", "idea")
        .order_by("starts_at")
    )


def personal_feed(user: User, now: datetime.datetime) -> list[Registration]:
    """The person's active registrations of recent and future dates, still visible to them."""
    since = now - datetime.timedelta(days=FEED_PAST_DAYS)
    return list(
        Registration.objects.filter(
            user=user,
            occurrence__starts_at__gte=since,
            occurrence__in=permissions.visible_occurrences(user),
        )
        .exclude(status=S.CANCELLED)
        .select_related(
            "occurrence", "occurrence__ritual", "occurrence__presenter", "occurrence__idea"
        )
        .order_by("occurrence__starts_at")
    )
