"""Follow-ups every six weeks: due dates, recording one, and the reminder sweep.

Due dates are local dates computed from the mandate's fixed start (start + 6 weeks × n, up
to its end): a late follow-up never shifts the next ones. Reminders go out at a local hour in
Europe/Paris; the moments are aware datetimes built with zoneinfo, so they stay at 9:00
local time on either side of a daylight-saving change.

Exactly once, whatever happens to beat or the workers: PostgreSQL holds one
`FollowUpReminder` row per (follow-up, kind), inserted with ON CONFLICT DO NOTHING; a sweep
claims pending rows with SELECT … FOR UPDATE SKIP LOCKED, writes the notifications (whose
dedupe key is unique per recipient) and marks the row sent with a guarded UPDATE, all in one
transaction. A sweep that dies before committing leaves everything pending for the next one;
one that committed has written notification rows that `innovation.send_pending_emails` sends
once. Nothing is ever scheduled ahead in the broker.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.mandates import permissions as perms
from ideas.mandates.models import (
    FollowUp,
    FollowUpReminder,
    FollowUpTime,
    Mandate,
    MandateMember,
)
from innovation.platform import dates
from innovation.platform.models import Role, RoleGrant, User
from innovation.platform.notifications import Message, Recipient, notify, notify_many
from innovation.platform.sql import insert_ignoring_conflicts
from innovation.platform.web import url_prefix

INTERVAL_WEEKS = 6
Kind = FollowUpReminder.Kind
ESCALATIONS = (Kind.OVERDUE, Kind.OVERDUE_AGAIN)
MAX_HOURS_PER_FOLLOWUP = Decimal("500")


# --- Dates --------------------------------------------------------------------------------


def due_dates(starts_on: datetime.date, ends_on: datetime.date) -> list[datetime.date]:
    """Every start + 6 weeks × n (n ≥ 1) up to and including the end."""
    dates = []
    number = 1
    while (day := starts_on + datetime.timedelta(weeks=INTERVAL_WEEKS * number)) <= ends_on:
        dates.append(day)
        number += 1
    return dates


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_moment(day: datetime.date, hour: int | None = None) -> datetime.datetime:
    """`day` at the reminder hour, Paris time, as an aware datetime (DST handled by zoneinfo)."""
    hour = settings.FOLLOWUP_REMINDER_HOUR if hour is None else hour
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=local_zone())


def reminder_moments(due_on: datetime.date) -> dict[str, datetime.datetime]:
    """When each kind of reminder of a follow-up due on `due_on` goes out."""
    days = datetime.timedelta
    return {
        Kind.UPCOMING: local_moment(due_on - days(settings.FOLLOWUP_REMINDER_LEAD_DAYS)),
        Kind.DUE: local_moment(due_on),
        Kind.OVERDUE: local_moment(due_on + days(settings.FOLLOWUP_OVERDUE_DAYS)),
        Kind.OVERDUE_AGAIN: local_moment(due_on + days(settings.FOLLOWUP_OVERDUE_AGAIN_DAYS)),
    }


def is_stale(
    kind: str,
    due_on: datetime.date,
    now: datetime.datetime,
    moments: dict[str, datetime.datetime] | None = None,
) -> bool:
    """An announcement whose moment has been overtaken is pointless (beat was down): "upcoming"
    once the due moment has come, "due" once the first escalation has. Escalations always go.
    `moments`: `reminder_moments(due_on)` when the caller has it already."""
    moments = moments or reminder_moments(due_on)
    if kind == Kind.UPCOMING:
        return moments[Kind.DUE] <= now
    if kind == Kind.DUE:
        return moments[Kind.OVERDUE] <= now
    return False


def create_followups(mandate: Mandate) -> int:
    """Create the follow-up rows of a mandate (idempotent: unique per due date); returns
    how many the mandate has."""
    rows = [
        FollowUp(mandate=mandate, number=number, due_on=day)
        for number, day in enumerate(due_dates(mandate.starts_on, mandate.ends_on), start=1)
    ]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return FollowUp.objects.filter(mandate=mandate).count()


# --- Promised versus used ------------------------------------------------------------------


@dataclass
class TimeBalance:
    member: MandateMember | None
    promised_per_week: Decimal
    promised_to_date: Decimal
    promised_total: Decimal
    used: Decimal

    @property
    def ratio(self) -> int | None:
        """Used as a percentage of what was promised so far."""
        if not self.promised_to_date:
            return None
        return int((self.used / self.promised_to_date * 100).quantize(Decimal("1")))


def _weeks(start: datetime.date, end: datetime.date) -> Decimal:
    return Decimal(max((end - start).days, 0)) / Decimal(7)


def time_balances(
    mandate: Mandate,
    members: list[MandateMember],
    used_by_member: dict[int, Decimal],
    today: datetime.date | None = None,
) -> tuple[list[TimeBalance], TimeBalance]:
    """Per agent and for the whole mandate: hours promised (so far, in total) and used."""
    today = today or timezone.localdate()
    elapsed = _weeks(mandate.starts_on, min(max(today, mandate.starts_on), mandate.ends_on))
    total_weeks = _weeks(mandate.starts_on, mandate.ends_on)
    tenth = Decimal("0.1")
    rows = []
    for member in members:
        per_week = member.freed_hours_per_week
        rows.append(
            TimeBalance(
                member=member,
                promised_per_week=per_week,
                promised_to_date=(per_week * elapsed).quantize(tenth, ROUND_HALF_UP),
                promised_total=(per_week * total_weeks).quantize(tenth, ROUND_HALF_UP),
                used=used_by_member.get(member.pk, Decimal(0)),
            )
        )
    total = TimeBalance(
        member=None,
        promised_per_week=sum((r.promised_per_week for r in rows), Decimal(0)),
        promised_to_date=sum((r.promised_to_date for r in rows), Decimal(0)),
        promised_total=sum((r.promised_total for r in rows), Decimal(0)),
        used=sum((r.used for r in rows), Decimal(0)),
    )
    return rows, total


# --- Recording a follow-up -----------------------------------------------------------------

# In the order the form shows them.
RECORD_FIELDS = ("indicator", "progress", "blockers", "decisions", "next_steps")


@transaction.atomic
def record_followup(
    followup: FollowUp, *, actor: User, data: dict, hours: dict[int, Decimal]
) -> FollowUp:
    """Hold a follow-up: progress, blockers, decisions, next steps, indicator, time spent."""
    mandate = Mandate.objects.select_for_update().get(pk=followup.mandate_id)
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    followup.mandate = mandate
    members = list(mandate.members.select_related("agent"))
    if not perms.can_hold_followups(actor, mandate, members):
        raise PermissionDenied
    if mandate.state != Mandate.State.ACTIVE:
        raise ValidationError(
            _(
                "Ce mandat n'est pas actif (%(state)s) : on ne peut pas y enregistrer de point "
                "d'étape."
            )
            % {"state": mandate.get_state_display()}
        )
    errors: dict[str, str] = {}
    if not (data.get("progress") or "").strip():
        errors["progress"] = _("Décrivez l'avancement depuis le dernier point d'étape.")
    if data.get("indicator") not in FollowUp.Indicator.values:
        errors["indicator"] = _("Indiquez où en est le projet.")
    for member in members:
        value = hours.get(member.pk)
        if value is None:
            errors[f"hours_{member.pk}"] = _("Indiquez le temps consacré (0 si aucun).")
        elif value < 0 or value > MAX_HOURS_PER_FOLLOWUP:
            errors[f"hours_{member.pk}"] = _(
                "Le temps consacré est un nombre d'heures entre 0 et %(max)s."
            ) % {"max": MAX_HOURS_PER_FOLLOWUP}
    if errors:
        raise ValidationError(errors)
    first_time = not followup.is_recorded
    for field in RECORD_FIELDS:
        setattr(followup, field, (data.get(field) or "").strip())
    if first_time:
        followup.recorded_at = timezone.now()
    followup.recorded_by = actor
    followup.save()
    for member in members:
        FollowUpTime.objects.update_or_create(
            followup=followup, member=member, defaults={"hours": hours[member.pk]}
        )
    # Reminders not yet sent are now pointless (the sweep checks too).
    FollowUpReminder.objects.filter(followup=followup, state=FollowUpReminder.State.PENDING).update(
        state=FollowUpReminder.State.SKIPPED
    )
    if first_time:
        notify(
            [
                mandate.sponsor,
                *delegates_by_organisation([mandate.organisation_id]).get(
                    mandate.organisation_id, []
                ),
                *(m.agent for m in members),
            ],
            kind="followup_recorded",
            subject=_("Point d'étape n°%(number)s tenu : « %(title)s »")
            % {"number": followup.number, "title": mandate.idea.title},
            body=_("Où en est le projet : %(indicator)s.\n\nAvancement : %(progress)s")
            % {
                "indicator": followup.get_indicator_display(),
                "progress": followup.progress[:1000],
            },
            url=mandate.get_absolute_url() + f"#point-{followup.number}",
            exclude=actor,
        )
    return followup


# --- The reminder sweep --------------------------------------------------------------------


def _delegate_grants(organisation_ids):
    return RoleGrant.objects.filter(
        organisation_id__in=list(organisation_ids), role=Role.DELEGATE, user__is_active=True
    )


def delegates_by_organisation(organisation_ids) -> dict[int, list[User]]:
    """Active delegates of each organisation, in one query."""
    result: dict[int, list[User]] = defaultdict(list)
    for grant in _delegate_grants(organisation_ids).select_related("user"):
        result[grant.organisation_id].append(grant.user)
    return result


# The sweep handles thousands of rows: it reads plain tuples, not model instances, and
# computes each date's moments, wording and formatted date once.


def plan_reminders(now: datetime.datetime) -> int:
    """Insert the reminder rows whose moment has come (ON CONFLICT DO NOTHING)."""
    horizon = timezone.localtime(now).date() + datetime.timedelta(
        days=settings.FOLLOWUP_REMINDER_LEAD_DAYS
    )
    candidates = list(
        FollowUp.objects.filter(
            recorded_at__isnull=True, mandate__state=Mandate.State.ACTIVE, due_on__lte=horizon
        )
        .exclude(reminders__kind=Kind.OVERDUE_AGAIN)
        .values_list("pk", "due_on")
    )
    # Skip the pairs that exist: an INSERT that conflicts with a row another sweeper has
    # claimed (updated, not yet committed) would wait for that sweeper; a SELECT does not.
    existing = set(
        FollowUpReminder.objects.filter(
            followup_id__in=[followup_id for followup_id, _due in candidates]
        ).values_list("followup_id", "kind")
    )
    moments_by_day: dict[datetime.date, dict[str, datetime.datetime]] = {}
    rows = []
    for followup_id, due_on in candidates:
        if due_on not in moments_by_day:
            moments_by_day[due_on] = reminder_moments(due_on)
        moments = moments_by_day[due_on]
        for kind, moment in moments.items():
            if moment > now or (followup_id, kind) in existing:
                continue
            stale = is_stale(kind, due_on, now, moments)
            state = FollowUpReminder.State.SKIPPED if stale else FollowUpReminder.State.PENDING
            rows.append((followup_id, kind, state, now))
    if connection.vendor == "postgresql":
        insert_ignoring_conflicts(
            FollowUpReminder, ("followup_id", "kind", "state", "created_at"), rows
        )
    else:
        FollowUpReminder.objects.bulk_create(
            [
                FollowUpReminder(followup_id=followup_id, kind=kind, state=state, created_at=at)
                for followup_id, kind, state, at in rows
            ],
            ignore_conflicts=True,
        )
    return len(rows)


def _wordings() -> dict[str, tuple[str, str]]:
    """Subject and body of each kind of reminder, in the active language."""
    escalation = _(
        "Le point d'étape n°%(number)s du mandat « %(title)s », prévu le %(date)s, n'a pas "
        "été enregistré (%(late)s jours de retard). En tant que sponsor ou délégation à "
        "l'innovation, vous pouvez aider l'équipe à le tenir."
    )
    return {
        Kind.UPCOMING: (
            _("Point d'étape le %(date)s : « %(title)s »"),
            _(
                "Le point d'étape n°%(number)s du mandat « %(title)s » est prévu le %(date)s. "
                "Préparez l'avancement, les blocages, les décisions à prendre et le temps "
                "réellement consacré au projet par chaque agent."
            ),
        ),
        Kind.DUE: (
            _("Point d'étape aujourd'hui : « %(title)s »"),
            _(
                "Le point d'étape n°%(number)s du mandat « %(title)s » est prévu aujourd'hui. "
                "Enregistrez-le dans Tremplin une fois tenu."
            ),
        ),
        Kind.OVERDUE: (_("Point d'étape en retard : « %(title)s »"), escalation),
        Kind.OVERDUE_AGAIN: (_("Point d'étape toujours en retard : « %(title)s »"), escalation),
    }


def process_pending_reminders(now: datetime.datetime, limit: int = 200) -> int:
    """Claim pending reminders (SKIP LOCKED), notify, mark sent; returns how many were sent."""
    return _process(now, limit)[1]


RECIPIENT_FIELDS = ("pk", "is_active", "email")
FOLLOWUP_FIELDS = (
    "pk", "number", "due_on", "recorded_at", "mandate_id", "mandate__state",
    "mandate__organisation_id", "mandate__idea__title", "mandate__sponsor_id",
)  # fmt: skip


def _recipients(followups: list[dict]) -> tuple[dict, dict, dict]:
    """Who hears about this batch's follow-ups, as `Recipient`s: each mandate's team, each
    sponsor, each organisation's active delegates (three queries)."""
    mandate_ids = {followup["mandate_id"] for followup in followups}
    team: dict[int, list[Recipient]] = defaultdict(list)
    for mandate_id, *person in MandateMember.objects.filter(mandate_id__in=mandate_ids).values_list(
        "mandate_id", *(f"agent__{field}" for field in RECIPIENT_FIELDS)
    ):
        team[mandate_id].append(Recipient(*person))
    sponsor_ids = {followup["mandate__sponsor_id"] for followup in followups}
    sponsors = {
        row[0]: Recipient(*row)
        for row in User.objects.filter(pk__in=sponsor_ids - {None}).values_list(*RECIPIENT_FIELDS)
    }
    delegates: dict[int, list[Recipient]] = defaultdict(list)
    for organisation_id, *person in _delegate_grants(
        {followup["mandate__organisation_id"] for followup in followups}
    ).values_list("organisation_id", *(f"user__{field}" for field in RECIPIENT_FIELDS)):
        delegates[organisation_id].append(Recipient(*person))
    return team, sponsors, delegates


def _process(now: datetime.datetime, limit: int) -> tuple[int, int]:
    """One batch in one transaction; returns (rows claimed, reminders sent)."""
    with transaction.atomic():
        reminders = list(
            FollowUpReminder.objects.select_for_update(skip_locked=True)
            .filter(state=FollowUpReminder.State.PENDING)
            .order_by("created_at", "pk")
            .values_list("pk", "followup_id", "kind")[:limit]
        )
        if not reminders:
            return 0, 0
        followups = {
            row["pk"]: row
            for row in FollowUp.objects.filter(
                pk__in={followup_id for _pk, followup_id, _kind in reminders}
            ).values(*FOLLOWUP_FIELDS)
        }
        team, sponsors, delegates = _recipients(list(followups.values()))
        wordings = _wordings()
        today = timezone.localtime(now).date()
        # Per due date, once: its wording ("lundi 16 février 2026") and reminder moments.
        days: dict[datetime.date, tuple[str, dict[str, datetime.datetime]]] = {}
        # The prefix every follow-up's address shares.
        followup_prefix = url_prefix("ideas:followup_record")
        # The whole batch is written in a few statements (not a few per reminder): the rows
        # are claimed, so updating them together is the same as one by one.
        skipped, to_send, messages = [], [], []
        for pk, followup_id, kind in reminders:
            followup = followups[followup_id]
            due_on = followup["due_on"]
            if due_on not in days:
                days[due_on] = (dates.long_day(due_on), reminder_moments(due_on))
            date, moments = days[due_on]
            if (
                followup["recorded_at"] is not None
                or followup["mandate__state"] != Mandate.State.ACTIVE
                or is_stale(kind, due_on, now, moments)
            ):
                skipped.append(pk)
                continue
            told = delegates[followup["mandate__organisation_id"]]
            if kind in ESCALATIONS:
                recipients = [sponsors.get(followup["mandate__sponsor_id"]), *told]
            else:
                recipients = [*team[followup["mandate_id"]], *told]
            values = {
                "title": followup["mandate__idea__title"],
                "number": followup["number"],
                "date": date,
                "late": (today - due_on).days,
            }
            subject, body = wordings[kind]
            messages.append(
                Message(
                    recipients,
                    kind=f"followup_{kind}",
                    subject=subject % values,
                    body=body % values,
                    url=f"{followup_prefix}{followup_id}/",
                    dedupe_key=f"followup:{followup_id}:{kind}",
                )
            )
            to_send.append(pk)
        pending = FollowUpReminder.objects.filter(state=FollowUpReminder.State.PENDING)
        if skipped:
            pending.filter(pk__in=skipped).update(state=FollowUpReminder.State.SKIPPED)
        sent = 0
        if to_send:
            notify_many(messages)
            sent = pending.filter(pk__in=to_send).update(
                state=FollowUpReminder.State.SENT, sent_at=now
            )
    return len(reminders), sent


def send_followup_reminders(now: datetime.datetime | None = None, batch: int = 1000) -> int:
    """The periodic sweep: plan what is due, then send it batch by batch."""
    now = now or timezone.now()
    plan_reminders(now)
    total = 0
    while True:
        # Fewer rows than asked: nothing left, or the rest is locked by another sweeper.
        claimed, sent = _process(now, batch)
        total += sent
        if claimed < batch:
            return total
