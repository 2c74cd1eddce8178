"""What the ritual pages need, each in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ideas.models import Idea
from innovation.models import Organisation, User
from innovation.permissions import member_organisation_ids
from rituals import permissions
from rituals.models import Occurrence, Registration, Ritual

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


# --- Per-request checks of the cached pages ------------------------------------------------
# The series and occurrence pages are cached (views.py); what runs on every request is the
# access check and the person's own registrations. Written in SQL because the ORM spends more
# time building these nested queries than the whole cached page takes to serve. The visibility
# condition is `permissions.visible_rituals` (own organisation, or shared with one of the
# person's organisations, from their live role grants); tests/rituals/test_pages_cache.py
# checks both agree.

_VISIBLE_RITUAL = """
    (r.organisation_id = ANY(%(organisations)s) OR EXISTS (
        SELECT 1 FROM rituals_ritual_shared_with s
        WHERE s.ritual_id = r.id AND s.organisation_id = ANY(%(organisations)s)))
"""
# Active registration of the person, with the number of waiting people who came before.
_MINE = """
    SELECT g.occurrence_id, g.status, (
        SELECT count(*) FROM rituals_registration w
        WHERE w.occurrence_id = g.occurrence_id AND w.status = %(waiting)s
          AND (w.created_at < g.created_at OR (w.created_at = g.created_at AND w.id < g.id))
    ) AS ahead
    FROM rituals_registration g
    WHERE g.user_id = %(user)s AND g.occurrence_id = ANY(%(occurrences)s)
      AND g.status <> %(cancelled)s
"""


def _params(user: User, **extra) -> dict:
    return {
        "organisations": sorted(member_organisation_ids(user)),
        "user": user.pk,
        "waiting": S.WAITING.value,
        "cancelled": S.CANCELLED.value,
        **extra,
    }


def _mine_row(status: str, ahead: int | None) -> dict:
    return {"status": status, "position": (ahead or 0) + 1}


def _sql_fast_path() -> bool:
    """The statements above are PostgreSQL's (arrays); SQLite (the demo) takes the ORM's
    equivalent, slower and portable."""
    return connection.vendor == "postgresql"


def ritual_organisation_id(user: User, pk: int) -> int:
    """Access check for the series page, on every request: the ritual's organisation if the
    person may see it, else 404."""
    if not user.is_authenticated:
        raise Http404
    if not _sql_fast_path():
        return get_object_or_404(
            permissions.visible_rituals(user).values_list("organisation_id", flat=True), pk=pk
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.organisation_id FROM rituals_ritual r "
            f"WHERE r.id = %(pk)s AND {_VISIBLE_RITUAL}",
            _params(user, pk=pk),
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return row[0]


def my_places(user: User, occurrence_ids: list[int]) -> dict[int, dict]:
    """The person's active registration per occurrence: {"status", "position"} (one query)."""
    if not occurrence_ids or not user.is_authenticated:
        return {}
    if not _sql_fast_path():
        rows = Occurrence.objects.filter(pk__in=occurrence_ids).only("pk")
        return {
            pk: {"status": registration.status, "position": registration.position}
            for pk, registration in my_registrations(user, list(rows)).items()
        }
    with connection.cursor() as cursor:
        cursor.execute(_MINE, _params(user, occurrences=list(occurrence_ids)))
        return {pk: _mine_row(status, ahead) for pk, status, ahead in cursor.fetchall()}


def occurrence_access(user: User, pk: int) -> dict:
    """Access check for the occurrence page, on every request, with what is personal on it:
    the ritual's organisation, whether the person may register (the ritual's audience) and
    their own registration. 404 when not visible. One query."""
    if not user.is_authenticated:
        raise Http404
    if not _sql_fast_path():
        occurrence = get_object_or_404(
            permissions.visible_occurrences(user).select_related("ritual"), pk=pk
        )
        return {
            "organisation_id": occurrence.ritual.organisation_id,
            "can_register": permissions.can_register(user, occurrence),
            "mine": my_places(user, [pk]).get(pk),
        }
    sql = f"""
        SELECT r.organisation_id, mine.status, mine.ahead, ARRAY(
            SELECT s.organisation_id FROM rituals_ritual_shared_with s WHERE s.ritual_id = r.id
        )
        FROM rituals_occurrence o
        JOIN rituals_ritual r ON r.id = o.ritual_id
        LEFT JOIN ({_MINE}) mine ON true
        WHERE o.id = %(pk)s AND {_VISIBLE_RITUAL}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(user, pk=pk, occurrences=[pk]))
        row = cursor.fetchone()
    if row is None:
        raise Http404
    organisation_id, status, ahead, shared = row
    # permissions.can_register: one of the person's organisations is in the ritual's audience.
    audience = {organisation_id, *shared}
    return {
        "organisation_id": organisation_id,
        "can_register": bool(member_organisation_ids(user) & audience),
        "mine": _mine_row(status, ahead) if status else None,
    }


def ritual_for_cache(pk: int) -> Ritual:
    """The series with what its page shows of its organisations (names only)."""
    return (
        Ritual.objects.select_related("organisation")
        .only(*RITUAL_PAGE_FIELDS, "organisation__name", "organisation__short_name")
        .prefetch_related(
            Prefetch("shared_with", queryset=Organisation.objects.only("name", "short_name"))
        )
        .get(pk=pk)
    )


def ritual_for_page(user: User, pk: int) -> Ritual:
    queryset = (
        permissions.visible_rituals(user)
        .select_related("organisation")
        .prefetch_related("shared_with")
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


def _places_ahead() -> QuerySet[Registration]:
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


def occurrence_for_cache(pk: int) -> Occurrence:
    """One occurrence with its counts, series (and its organisations), presenter and project;
    only the columns the page shows."""
    return (
        with_counts(Occurrence.objects.filter(pk=pk))
        .select_related("ritual", "ritual__organisation", "presenter", "idea")
        .only(
            *OCCURRENCE_ROW_FIELDS,
            "duration_minutes",
            *(f"ritual__{name}" for name in RITUAL_PAGE_FIELDS),
            "ritual__organisation__name",
            "ritual__organisation__short_name",
        )
        .prefetch_related(Prefetch("ritual__shared_with", queryset=Organisation.objects.only("pk")))
        .get()
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
        .only("id", "title", "state", "author__first_name", "author__last_name", "author__email")
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
