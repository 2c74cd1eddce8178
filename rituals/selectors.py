"""What the ritual pages need, each in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ideas.models import Idea
from innovation.platform.models import Organisation, User
from rituals import permissions
from rituals.models import Occurrence, Registration, RegistrationEvent, Ritual

S = Registration.Status
SUGGESTED_STATES = (Idea.State.ACCOMPANIED, Idea.State.EXPERIMENTING)
SUGGESTIONS = 8
FEED_PAST_DAYS = 90
RITUAL_PAGE_FIELDS = (
    "id",
    "organisation_id",
    "title",
    "kind",
    "description",
    "interval_days",
    "weekday",
    "start_time",
    "duration_minutes",
    "place",
    "capacity",
    "closes_hours_before",
    "active",
)
OCCURRENCE_ROW_FIELDS = (
    "id",
    "ritual_id",
    "starts_at",
    "place",
    "capacity",
    "topic",
    "cancelled_at",
    "cancel_reason",
    "attendance_marked_at",
    "presenter__first_name",
    "presenter__last_name",
    "presenter__email",
    "idea__title",
)


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
    """A visible series (else 404), with the organisations it is open to."""
    queryset = (
        permissions.visible_rituals(user)
        .select_related("organisation")
        .prefetch_related("shared_with")
    )
    return get_object_or_404(queryset, pk=pk)


def ritual_for_detail(user: User, pk: int) -> Ritual:
    """A visible series (else 404) with what its page shows of its organisations (names)."""
    organisations = Organisation.objects.only("name", "short_name")
    queryset = (
        permissions.visible_rituals(user)
        .select_related("organisation")
        .only(*RITUAL_PAGE_FIELDS, "organisation__name", "organisation__short_name")
        .prefetch_related(Prefetch("shared_with", queryset=organisations))
    )
    return get_object_or_404(queryset, pk=pk)


def page_rows(ritual: Ritual) -> QuerySet[Occurrence]:
    """Occurrences of a ritual for its page: only the columns shown, counts in SQL. The
    ritual comes from the related manager (no join); presenter and project by name only."""
    return with_counts(
        ritual.occurrences.select_related("presenter", "idea").only(*OCCURRENCE_ROW_FIELDS)
    )


def my_registrations(user: User, occurrences: list[Occurrence]) -> dict[int, Registration]:
    """The person's active registration per occurrence, with their place in line (one query)."""
    ids = [occurrence.pk for occurrence in occurrences]
    if not ids or not user.is_authenticated:
        return {}
    registrations = (
        Registration.objects.filter(user=user, occurrence_id__in=ids)
        .exclude(status=S.CANCELLED)
        .only("id", "occurrence_id", "user_id", "status", "created_at")
        .annotate(ahead=Subquery(_places_ahead()))
    )
    mine: dict[int, Registration] = {}
    for registration in registrations:
        registration.position = (registration.ahead or 0) + 1  # type: ignore[attr-defined]  # an attribute for the page, not a field
        mine[registration.occurrence_id] = registration
    return mine


def occurrence_for_page(user: User, pk: int) -> Occurrence:
    """A visible occurrence (else 404) with its counts, series (and the organisations it is
    open to), presenter and project: two queries."""
    queryset = with_counts(
        permissions.visible_occurrences(user)
        .select_related("ritual", "ritual__organisation", "presenter", "idea")
        .prefetch_related("ritual__shared_with")
    )
    return get_object_or_404(queryset, pk=pk)


def occurrence_for_detail(user: User, pk: int) -> Occurrence:
    """`occurrence_for_page` with only the columns the occurrence page shows."""
    queryset = (
        with_counts(permissions.visible_occurrences(user))
        .select_related("ritual", "ritual__organisation", "presenter", "idea")
        .only(
            *OCCURRENCE_ROW_FIELDS,
            "duration_minutes",
            *(f"ritual__{name}" for name in RITUAL_PAGE_FIELDS),
            "ritual__organisation__name",
            "ritual__organisation__short_name",
        )
        .prefetch_related(Prefetch("ritual__shared_with", queryset=Organisation.objects.only("pk")))
    )
    return get_object_or_404(queryset, pk=pk)


def _places_ahead() -> QuerySet:
    """Waiting registrations of the same occurrence that arrived before the outer one."""
    return (
        Registration.objects.filter(occurrence=OuterRef("occurrence"), status=S.WAITING)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values("n")
    )


def registrants(occurrence: Occurrence) -> list[Registration]:
    """Confirmed then waiting people, each in arrival order."""
    rows = list(
        occurrence.registrations.exclude(status=S.CANCELLED)
        .select_related("user", "user__organisation", "user__direction")
        .only(
            "id",
            "occurrence_id",
            "user_id",
            "status",
            "created_at",
            "promoted_at",
            "attended",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__organisation_id",
            "user__direction_id",
            "user__organisation__name",
            "user__organisation__short_name",
            "user__direction__name",
        )
    )
    rows.sort(key=lambda r: (r.status != S.CONFIRMED, r.created_at, r.pk))
    return rows


def registration_history(occurrence: Occurrence) -> list[RegistrationEvent]:
    """Every status change of the occurrence's registrations, cancelled ones included, oldest
    first, with the person and who acted (one query). For its managers only."""
    return list(
        RegistrationEvent.objects.filter(registration__occurrence=occurrence)
        .select_related("registration__user", "actor")
        .only(
            "id",
            "registration_id",
            "actor_id",
            "before",
            "after",
            "reason",
            "created_at",
            "registration__user_id",
            "registration__user__first_name",
            "registration__user__last_name",
            "registration__user__email",
            "actor__first_name",
            "actor__last_name",
            "actor__email",
        )
        .order_by("created_at", "id")
    )


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
        .select_related("author")
        .only(
            "id",
            "title",
            "state",
            "author__first_name",
            "author__last_name",
            "author__email",
            # What ideas.permissions.can_see_author reads (the name may be hidden).
            "author_hidden",
            "author_id",
            "organisation_id",
        )
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


# --- The home page's blocks (assembled in innovation/site/home.py) -----------------------------


def _coming(user: User, now: datetime.datetime) -> QuerySet[Occurrence]:
    return permissions.visible_occurrences(user).filter(
        cancelled_at__isnull=True, starts_at__gte=now
    )


def occurrences_to_programme(user: User, now: datetime.datetime, limit: int) -> list[Occurrence]:
    """The coming dates of the series the person runs (`permissions.can_manage_ritual`: the
    delegates of its organisation) that have neither a presenter nor a subject yet, the
    soonest first (one query)."""
    return list(
        _coming(user, now)
        .filter(
            ritual__organisation__in=permissions.ritual_organisation_ids(user),
            presenter__isnull=True,
            idea__isnull=True,
            topic="",
        )
        .select_related("ritual")
        .only("id", "starts_at", "place", "ritual__title", "ritual__place")
        .order_by("starts_at", "pk")[:limit]
    )


def next_occurrence(user: User, now: datetime.datetime) -> Occurrence | None:
    """The next breakfast the person may come to, with their registration's status as
    `my_status` (None when not registered) (one query; no seat counts, whose GROUP BY over
    every column cost more than the rest of the block)."""
    mine = Registration.objects.filter(occurrence=OuterRef("pk"), user=user).exclude(
        status=S.CANCELLED
    )
    return (
        _coming(user, now)
        .select_related("ritual", "presenter", "idea")
        .only(
            "id",
            "starts_at",
            "place",
            "topic",
            "ritual__title",
            "ritual__place",
            "presenter__first_name",
            "presenter__last_name",
            "presenter__email",
            "idea__title",
        )
        .annotate(my_status=Subquery(mine.values("status")[:1]))
        .order_by("starts_at", "pk")
        .first()
    )
