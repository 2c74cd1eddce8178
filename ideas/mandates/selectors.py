"""Read models of the mandate pages: what each page needs, in few queries. Lists start from
`permissions.visible_mandates`; the helpers about one mandate take one the page may show."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from ideas.mandates import permissions as perms
from ideas.mandates.models import FollowUp, Mandate, MandateEvent, MandateMember, Signature
from ideas.mandates.transitions import OPEN_STATES
from ideas.models import Idea
from ideas.permissions import visible_ideas
from innovation.platform import dates
from innovation.platform.models import User
from innovation.platform.web import url_prefix

PARTY_ORDER = [party for party, _label in Signature.Party.choices]


def overview(user: User, today: datetime.date, state: str = "") -> QuerySet[Mandate]:
    """The mandates of the overview and of its export: what `visible_mandates` lets this
    person see (in one state, if given), each with its next open follow-up and team size,
    overdue ones first. Subqueries per mandate rather than joins: a join of members and
    follow-ups would multiply every sum over either."""
    queryset = perms.visible_mandates(user)
    if state:
        queryset = queryset.filter(state=state)
    next_due = (
        FollowUp.objects.filter(mandate=OuterRef("pk"), recorded_at__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return overdue_first(
        queryset.select_related("idea", "organisation", "sponsor", "client_direction").annotate(
            next_due=Subquery(next_due),
            team_size=per_mandate(MandateMember, "mandate", Count("pk")),
        ),
        today,
    )


def per_mandate(
    model: type[Model], link: str, aggregate: Aggregate, *, zero: int | Decimal = 0, **filters
) -> Coalesce:
    """`aggregate` over the rows of `model` that belong to each mandate (`zero` when none)."""
    rows = (
        model._default_manager.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(rows), Value(zero))


def overdue_first(queryset: QuerySet[Mandate], today: datetime.date) -> QuerySet[Mandate]:
    """The overview's order, on mandates annotated with `next_due`: active ones past their
    next follow-up first, then by that date."""
    return queryset.annotate(
        overdue=Case(
            When(state=Mandate.State.ACTIVE, next_due__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-overdue", F("next_due").asc(nulls_last=True), "-created_at", "-pk")


def members_of(mandate: Mandate) -> list[MandateMember]:
    return list(mandate.members.select_related("agent", "manager"))


def party_rows(mandate: Mandate, members: list[MandateMember], signatures: list[Signature]):
    """Each required party of the current terms, with their answer if any."""
    current = {
        (s.signer_id, s.party): s for s in signatures if s.terms_version == mandate.terms_version
    }
    people = {
        mandate.sponsor_id: mandate.sponsor,
        mandate.client_director_id: mandate.client_director,
    }
    for member in members:
        people[member.agent_id] = member.agent
        people[member.manager_id] = member.manager
    required = sorted(
        perms.required_parties(mandate, members),
        key=lambda pair: (PARTY_ORDER.index(pair[1]), str(people[pair[0]])),
    )
    return [
        {
            "person": people[user_id],
            "party": Signature.Party(party).label,
            "signature": current.get((user_id, party)),
        }
        for user_id, party in required
    ]


def pending_signatures(user: User) -> list[dict]:
    """What this person is asked to sign: mandates awaiting their answer (one query when
    there are none, three otherwise)."""
    if not user.is_authenticated:
        return []
    candidates = (
        Mandate.objects.filter(perms.party_condition(user), state=Mandate.State.AWAITING_SIGNATURES)
        .select_related("idea", "organisation")
        # What tells the parties and what the list shows: the query runs on every overview.
        .only(
            "state",
            "terms_version",
            "sponsor",
            "client_director",
            "idea__title",
            "organisation__name",
            "organisation__short_name",
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=MandateMember.objects.only("mandate", "agent", "manager").order_by("pk"),
            ),
            Prefetch(
                "signatures",
                queryset=Signature.objects.filter(signer=user),
                to_attr="my_signatures",
            ),
        )
        .order_by("sent_for_signature_at", "pk")
    )
    result = []
    for mandate in candidates:
        members = list(mandate.members.all())
        answered = {
            s.party for s in mandate.my_signatures if s.terms_version == mandate.terms_version
        }
        todo = [p for p in perms.parties_of(user, mandate, members) if p not in answered]
        if todo:
            result.append({"mandate": mandate, "parties": [Signature.Party(p).label for p in todo]})
    return result


def overview_rows(mandates: Iterable[Mandate]) -> list[dict]:
    """The overview's cells, worked out once per row here rather than through a dozen
    template lookups, filters and `{% url %}` each: 25 rows took 2.7 ms of CPU that way,
    1.1 ms this way (preparation included)."""
    detail = url_prefix("ideas:mandate_detail")
    labels = {value: str(label) for value, label in Mandate.State.choices}
    return [
        {
            "pk": mandate.pk,
            "url": f"{detail}{mandate.pk}/",
            "title": mandate.idea.title,
            "organisation": str(mandate.organisation),
            "state": mandate.state,
            "state_label": labels[mandate.state],
            # The next follow-up matters while the mandate runs.
            "next_due": dates.day(mandate.next_due)  # type: ignore[attr-defined]  # annotated by the queryset
            if mandate.state == Mandate.State.ACTIVE and mandate.next_due  # type: ignore[attr-defined]  # annotated by the queryset
            else "",
            "overdue": mandate.overdue,  # type: ignore[attr-defined]  # annotated by the queryset
            "sponsor": mandate.sponsor.get_full_name(),
            "client_direction": str(mandate.client_direction),
            "period": f"{dates.short_day(mandate.starts_on)} – {dates.short_day(mandate.ends_on)}",
            "team_size": mandate.team_size,  # type: ignore[attr-defined]  # annotated by the queryset
        }
        for mandate in mandates
    ]


def draftable_ideas(user: User) -> QuerySet[Idea]:
    """Ideas this delegate may draft a mandate for: selected or accompanied, in an
    organisation they run, with no mandate in progress."""
    return (
        visible_ideas(user)
        .filter(
            state__in=perms.MANDATE_IDEA_STATES,
            organisation__in=perms.delegate_organisation_ids(user),
        )
        .exclude(mandates__state__in=OPEN_STATES)
        .select_related("organisation")
        .order_by("title")
    )


def state_history(mandate: Mandate) -> list[MandateEvent]:
    """The mandate's changes of state, oldest first, with who made them (one query)."""
    return list(mandate.events.select_related("actor"))


# --- The home page's blocks (assembled in innovation/site/home.py) -----------------------------

# How far ahead a team sees the follow-ups it is to hold.
FOLLOWUP_NOTICE_DAYS = 14


def _delegated_mandates(user: User) -> QuerySet[Mandate]:
    """The visible mandates the person runs as a delegate (not those they are a party to)."""
    return perms.visible_mandates(user).filter(
        organisation__in=perms.delegate_organisation_ids(user)
    )


def overdue_followups_of(user: User, today: datetime.date, limit: int) -> tuple[list, int]:
    """Follow-ups of the active mandates the person runs, not held by their date, the oldest
    first, and how many in all (one query: the total rides along as a window count)."""
    rows = list(
        FollowUp.objects.filter(
            mandate__in=_delegated_mandates(user).filter(state=Mandate.State.ACTIVE).values("pk"),
            recorded_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("mandate__idea")
        .only("number", "due_on", "mandate__id", "mandate__idea__title")
        .annotate(total=Window(Count("pk")))
        .order_by("due_on", "pk")[:limit]
    )
    return rows, (rows[0].total if rows else 0)


def mandates_to_send_or_signed(user: User, limit: int) -> list[Mandate]:
    """The mandates the person runs that are still being agreed: drafts to send first, then
    those awaiting signatures, the longest waiting first (one query)."""
    return list(
        _delegated_mandates(user)
        .filter(state__in=(Mandate.State.DRAFT, Mandate.State.AWAITING_SIGNATURES))
        .select_related("idea")
        .only("state", "created_at", "sent_for_signature_at", "idea__title")
        .order_by(
            Case(When(state=Mandate.State.DRAFT, then=Value(0)), default=Value(1)),
            F("sent_for_signature_at").asc(nulls_first=True),
            "created_at",
            "pk",
        )[:limit]
    )


def followups_to_hold(user: User, today: datetime.date, limit: int) -> list[FollowUp]:
    """The follow-ups of the active mandates whose team the person is on, late or due within
    FOLLOWUP_NOTICE_DAYS (`permissions.can_hold_followups`: team members), soonest first (one
    query)."""
    # Being on the team makes a party to the mandate (`permissions.party_condition`): what
    # this reads is inside `visible_mandates` by construction, without its other branches.
    teams = MandateMember.objects.filter(agent=user, mandate__state=Mandate.State.ACTIVE)
    return list(
        FollowUp.objects.filter(
            mandate_id__in=teams.values("mandate_id"),
            recorded_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=FOLLOWUP_NOTICE_DAYS),
        )
        .select_related("mandate__idea")
        .only("number", "due_on", "mandate__id", "mandate__idea__title")
        .order_by("due_on", "pk")[:limit]
    )


def mandates_of_direction(user: User, limit: int) -> list[Mandate]:
    """The open mandates the person sees whose client direction is theirs or that they answer
    for as client director, the latest first (one query)."""
    mine = Q(client_director=user)
    if user.direction_id:
        mine |= Q(client_direction_id=user.direction_id)
    return list(
        perms.visible_mandates(user)
        .filter(mine, state__in=OPEN_STATES)
        .select_related("idea", "client_direction")
        .only("state", "starts_on", "ends_on", "idea__title", "client_direction__name")
        .order_by("-created_at", "-pk")[:limit]
    )


def freed_time_of_agents(user: User, limit: int) -> list[MandateMember]:
    """The agents of active mandates the person manages or sponsors, with the time freed
    for them each week (one query). Only the promised time: the time actually spent is for
    the agent, their manager and the delegates (`permissions.can_see_time_of`)."""
    return list(
        MandateMember.objects.filter(
            Q(manager=user) | Q(mandate__sponsor=user),
            mandate__in=perms.visible_mandates(user)
            .filter(state=Mandate.State.ACTIVE)
            .values("pk"),
        )
        .select_related("agent", "mandate__idea")
        .only(
            "freed_hours_per_week",
            "agent__first_name",
            "agent__last_name",
            "agent__email",
            "mandate__id",
            "mandate__ends_on",
            "mandate__idea__title",
        )
        .order_by("mandate__ends_on", "agent__last_name", "pk")[:limit]
    )
