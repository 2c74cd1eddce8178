"""The delegates' dashboard: counts over the pipeline, computed in SQL, in a fixed number of
queries whatever the number of ideas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.models import FollowUp, Idea, IdeaEvent, Mandate
from ideas.permissions import pipeline_organisation_ids
from innovation.platform.models import Organisation, User
from rituals.models import Occurrence
from rituals.selectors import with_counts

TOP_DIRECTIONS = 20
RECENT_EVENTS = 20
EXPORT_EVENTS = 1000
STATE_LABELS = dict(Idea.State.choices)
SUPPORT_LABELS = dict(Idea.Support.choices)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation


@dataclass(frozen=True)
class CountRow:
    label: StrOrPromise
    count: int
    key: str = ""
    detail: str = ""


@dataclass
class Dashboard:
    organisations: list[Organisation]
    selected: Organisation | None
    funnel: list[CountRow] = field(default_factory=list)
    by_direction: list[CountRow] = field(default_factory=list)
    by_campaign: list[CountRow] = field(default_factory=list)
    by_support: list[CountRow] = field(default_factory=list)
    events: list[IdeaEvent] = field(default_factory=list)
    overdue_followups: list = field(default_factory=list)
    overdue_count: int = 0
    next_breakfasts: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.funnel)

    @property
    def submitted_total(self) -> int:
        """Ideas past the draft stage: the base of every other table."""
        return sum(row.count for row in self.funnel if row.key != Idea.State.DRAFT)

    @property
    def funnel_max(self) -> int:
        return max((row.count for row in self.funnel), default=0)


def dashboard_organisations(user: User) -> list[Organisation]:
    """Organisations whose pipeline this person runs."""
    return list(Organisation.objects.filter(pk__in=pipeline_organisation_ids(user)))


def pipeline_ideas(organisation_ids: Iterable[int]) -> QuerySet[Idea]:
    return Idea.objects.filter(organisation__in=list(organisation_ids))


# Every count here is COUNT(*), never COUNT(id): the id is not in the covering index
# `idea_org_state_idx` (organisation, state INCLUDE direction, campaign, support), and counting
# it would send PostgreSQL to the table for each idea instead of an index-only scan.


def funnel(ideas: QuerySet[Idea]) -> list[CountRow]:
    """Ideas per step, every step shown in pipeline order, even when empty."""
    counts = dict(
        ideas.order_by().values("state").annotate(count=Count("*")).values_list("state", "count")
    )
    return [CountRow(label, counts.get(state, 0), key=state) for state, label in Idea.State.choices]


def by_direction(
    ideas: QuerySet[Idea], *, limit: int | None = TOP_DIRECTIONS, with_organisation: bool = False
) -> list[CountRow]:
    rows = (
        ideas.exclude(state=Idea.State.DRAFT)
        .order_by()
        .values("direction_id", "direction__name", "direction__organisation__name")
        .annotate(count=Count("*"))
        .order_by("-count", "direction__name")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        CountRow(
            row["direction__name"] or _("Sans direction"),
            row["count"],
            key=str(row["direction_id"] or ""),
            detail=(row["direction__organisation__name"] or "") if with_organisation else "",
        )
        for row in rows
    ]


def by_campaign(ideas: QuerySet[Idea]) -> list[CountRow]:
    rows = (
        ideas.exclude(state=Idea.State.DRAFT)
        .order_by()
        .values("campaign_id", "campaign__title")
        .annotate(count=Count("*"))
        .order_by("-count", "campaign__title")
    )
    return [
        CountRow(
            row["campaign__title"] or _("Hors appel à idées"),
            row["count"],
            key=str(row["campaign_id"] or ""),
        )
        for row in rows
    ]


def by_support(ideas: QuerySet[Idea]) -> list[CountRow]:
    """Ideas per level of support, in the order of the choices, then 'not set yet'."""
    counts = dict(
        ideas.exclude(state=Idea.State.DRAFT)
        .order_by()
        .values("support")
        .annotate(count=Count("*"))
        .values_list("support", "count")
    )
    rows = [
        CountRow(label, counts.get(value, 0), key=value) for value, label in Idea.Support.choices
    ]
    rows.append(CountRow(_("Non précisé"), counts.get("", 0), key=""))
    return rows


def recent_events(organisation_ids: Iterable[int], limit: int = RECENT_EVENTS) -> list[IdeaEvent]:
    """The latest moves in the pipeline, drafts excepted (they belong to their authors)."""
    return list(
        IdeaEvent.objects.filter(idea__organisation__in=list(organisation_ids))
        .exclude(idea__state=Idea.State.DRAFT)
        .select_related("idea", "actor")
        .only(
            "before",
            "after",
            "reason",
            "created_at",
            "idea__id",
            "idea__title",
            "actor__id",
            "actor__email",
            "actor__first_name",
            "actor__last_name",
        )
        .order_by("-created_at", "-id")[:limit]
    )


def _overdue(organisation_ids: Iterable[int]):
    return FollowUp.objects.filter(
        mandate__organisation__in=list(organisation_ids),
        mandate__state=Mandate.State.ACTIVE,
        recorded_at__isnull=True,
        due_on__lt=timezone.localdate(),
    )


def overdue_followups(organisation_ids: Iterable[int], limit: int = 10) -> tuple[list, int]:
    """Follow-ups not held by their date, the oldest first, and how many there are in all
    (one query: the total rides along as a window count)."""
    rows = list(
        _overdue(organisation_ids)
        .annotate(total=Window(Count("pk")))
        .select_related("mandate__idea")
        .order_by("due_on", "pk")[:limit]
    )
    return rows, (rows[0].total if rows else 0)


def next_breakfasts(organisation_ids: Iterable[int], limit: int = 5) -> list:
    """The coming dates of the organisations' rituals, with their seats taken."""
    return list(
        with_counts(
            Occurrence.objects.filter(
                ritual__organisation__in=list(organisation_ids),
                cancelled_at__isnull=True,
                starts_at__gte=timezone.now(),
            )
        )
        .select_related("ritual", "presenter", "idea")
        .order_by("starts_at", "pk")[:limit]
    )


def _scope(
    user: User, organisation_id: int | None, organisations: list[Organisation] | None
) -> tuple[list[Organisation], Organisation | None, list[int]]:
    if organisations is None:
        organisations = dashboard_organisations(user)
    selected = next((o for o in organisations if o.pk == organisation_id), None)
    scope = [selected.pk] if selected else [o.pk for o in organisations]
    return organisations, selected, scope


def build_dashboard(
    user: User,
    organisation_id: int | None = None,
    *,
    organisations: list[Organisation] | None = None,
) -> Dashboard:
    """Everything the dashboard page shows, for one or all of the delegate's organisations."""
    organisations, selected, scope = _scope(user, organisation_id, organisations)
    ideas = pipeline_ideas(scope)
    overdue, overdue_total = overdue_followups(scope)
    return Dashboard(
        organisations=organisations,
        selected=selected,
        funnel=funnel(ideas),
        by_direction=by_direction(ideas, with_organisation=len(scope) > 1),
        by_campaign=by_campaign(ideas),
        by_support=by_support(ideas),
        events=recent_events(scope),
        overdue_followups=overdue,
        overdue_count=overdue_total,
        next_breakfasts=next_breakfasts(scope),
    )


# --- CSV export: the same tables, for a spreadsheet.

EXPORT_TABLES = ("etapes", "directions", "appels", "accompagnement", "activite")


def export_table(
    user: User,
    table: str,
    organisation_id: int | None = None,
    *,
    organisations: list[Organisation] | None = None,
) -> tuple[list[str], Iterator[list]]:
    """Header and rows of one dashboard table; the direction list is complete, not cut at 20."""
    _organisations, _selected, scope = _scope(user, organisation_id, organisations)
    ideas = pipeline_ideas(scope)
    if table == "activite":
        header = [_("Date"), _("Idée"), _("Par"), _("Avant"), _("Après"), _("Motif")]
        events = recent_events(scope, limit=EXPORT_EVENTS)
        return header, (
            [
                timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M"),
                event.idea.title,
                event.actor.get_full_name() if event.actor else "",
                str(STATE_LABELS.get(event.before, "")),
                str(STATE_LABELS.get(event.after, "")),
                event.reason,
            ]
            for event in events
        )
    count = _("Nombre d'idées")
    if table == "etapes":
        return [_("Étape"), count], ([row.label, row.count] for row in funnel(ideas))
    if table == "directions":
        rows = by_direction(ideas, limit=None, with_organisation=True)
        return [_("Direction"), _("Organisation"), count], (
            [row.label, row.detail, row.count] for row in rows
        )
    if table == "appels":
        return [_("Appel à idées"), count], ([row.label, row.count] for row in by_campaign(ideas))
    if table == "accompagnement":
        return [_("Accompagnement"), count], ([row.label, row.count] for row in by_support(ideas))
    raise ValueError(table)
