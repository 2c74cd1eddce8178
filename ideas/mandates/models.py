"""Mandates (lettres de mission), their teams and signatures, follow-ups and their reminders.

They belong to the `ideas` app (label `ideas`, tables `ideas_*`, migrations in
ideas/migrations): Django finds them because ideas/models.py imports them back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovation.platform import dates
from innovation.platform.choices import display_method
from innovation.platform.models import Direction, Organisation

DEFAULT_PROTECTION_CLAUSE = (
    "Le temps libéré est compté dans la charge de travail de l'agent : ses missions "
    "habituelles et ses objectifs annuels sont ajustés en conséquence par son encadrant·e. "
    "La participation au projet ne peut lui être reprochée ni pénaliser son évaluation. "
    "L'agent peut mettre fin à sa participation à tout moment, sans préjudice, en prévenant "
    "la délégation à l'innovation. Le sponsor et la direction cliente s'engagent à recevoir "
    "l'équipe à chaque point d'étape et à lever les blocages qui relèvent d'eux."
)


class Mandate(models.Model):
    """A lettre de mission: binds a project team, a sponsor, a client direction and managers."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        AWAITING_SIGNATURES = "awaiting_signatures", _("En attente de signatures")
        ACTIVE = "active", _("Actif")
        COMPLETED = "completed", _("Terminé")
        STOPPED = "stopped", _("Arrêté")

    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.PROTECT, related_name="mandates", verbose_name=_("idée")
    )
    # The idea's organisation, copied once: every visibility filter starts from it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mandates", editable=False
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    get_state_display = display_method("state", State)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sponsored_mandates",
        verbose_name=_("sponsor"),
    )
    client_direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        related_name="client_mandates",
        verbose_name=_("direction cliente"),
    )
    client_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="directed_mandates",
        verbose_name=_("directeur·rice de la direction cliente"),
    )
    objectives = models.TextField(_("objectifs"), max_length=4000)
    resources = models.TextField(_("moyens"), max_length=3000, blank=True)
    budget = models.DecimalField(
        _("budget (euros)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    duration_reason = models.TextField(_("motif d'une durée de plus de 3 mois"), blank=True)
    protection_clause = models.TextField(
        _("clause de protection"), max_length=4000, default=DEFAULT_PROTECTION_CLAUSE
    )
    # Bumped on every change of terms: signatures count only for the version they signed.
    terms_version = models.PositiveIntegerField(_("version des conditions"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_for_signature_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(_("actif depuis le"), null=True, blank=True)
    ended_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_evaluation = models.TextField(_("évaluation de clôture"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="mandate_ends_after_start",
            ),
            # One mandate in progress per idea (a later one may follow a closed one).
            models.UniqueConstraint(
                fields=["idea"],
                condition=models.Q(state__in=["draft", "awaiting_signatures", "active"]),
                name="mandate_one_open_per_idea",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="mandate_org_state_idx"),
        ]

    def __str__(self) -> str:
        return str(self.idea)

    def get_absolute_url(self) -> str:
        return reverse("ideas:mandate_detail", args=[self.pk])

    @property
    def is_open_for_terms(self) -> bool:
        return self.state in {self.State.DRAFT, self.State.AWAITING_SIGNATURES}


class MandateEvent(models.Model):
    """Append-only history of a mandate's state: who moved it (nobody: Tremplin), when, why.

    Written by ideas.mandates.services only, in the transaction that changes the state.
    """

    # Indexed by mandate_event_history_idx, which starts with it.
    mandate = models.ForeignKey(
        Mandate, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    # Null when Tremplin itself moved the mandate (activated once every party had signed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    before = models.CharField(max_length=20, choices=Mandate.State.choices)
    after = models.CharField(max_length=20, choices=Mandate.State.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    get_before_display = display_method("before", Mandate.State)
    get_after_display = display_method("after", Mandate.State)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("étape de l'historique du mandat")
        verbose_name_plural = _("historique du mandat")
        indexes = [
            # The detail page reads one mandate's history in order.
            models.Index(fields=["mandate", "created_at", "id"], name="mandate_event_history_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id}: {self.before} → {self.after}"


class MandateMember(models.Model):
    """An agent of the project team, their manager, and the time freed for the project.

    Freed time is hours per week (a Decimal): "une demi-journée par semaine" is 3.5 h. Hours
    add up and compare directly with the hours recorded at each follow-up.
    """

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="members")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mandate_memberships",
        verbose_name=_("agent"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_mandate_memberships",
        verbose_name=_("encadrant·e (N+1)"),
    )
    freed_hours_per_week = models.DecimalField(
        _("temps libéré (heures par semaine)"), max_digits=4, decimal_places=1
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("membre de l'équipe projet")
        verbose_name_plural = _("équipe projet")
        constraints = [
            models.UniqueConstraint(fields=["mandate", "agent"], name="mandate_member_unique"),
            models.CheckConstraint(
                condition=models.Q(freed_hours_per_week__gt=0),
                name="mandate_member_freed_time_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(agent=models.F("manager")),
                name="mandate_member_manager_is_someone_else",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} ({self.freed_hours_per_week} h/sem.)"


class Signature(models.Model):
    """One party's answer to one version of a mandate's terms; never deleted."""

    class Party(models.TextChoices):
        SPONSOR = "sponsor", _("Sponsor")
        CLIENT_DIRECTOR = "client_director", _("Direction cliente")
        AGENT = "agent", _("Agent de l'équipe projet")
        MANAGER = "manager", _("Encadrant·e d'un agent")

    class Decision(models.TextChoices):
        SIGNED = "signed", _("Signé")
        DECLINED = "declined", _("Refusé")

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandate_signatures"
    )
    party = models.CharField(_("au titre de"), max_length=20, choices=Party.choices)
    terms_version = models.PositiveIntegerField()
    decision = models.CharField(_("décision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("commentaire"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    get_party_display = display_method("party", Party)
    get_decision_display = display_method("decision", Decision)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "signer", "party", "terms_version"],
                name="signature_once_per_party_and_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer} — {self.get_party_display()} v{self.terms_version}"


class FollowUp(models.Model):
    """A point d'étape, due at start + 6 weeks × number; created when the mandate starts."""

    class Indicator(models.TextChoices):
        AHEAD = "ahead", _("En avance")
        ON_TRACK = "on_track", _("Dans les temps")
        STRUGGLING = "struggling", _("En difficulté")
        BLOCKED = "blocked", _("Bloqué")

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="followups")
    number = models.PositiveSmallIntegerField(_("numéro"))
    due_on = models.DateField(_("prévu le"))
    recorded_at = models.DateTimeField(_("tenu le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    progress = models.TextField(_("avancement"), max_length=4000, blank=True)
    blockers = models.TextField(_("blocages"), max_length=3000, blank=True)
    decisions = models.TextField(_("décisions"), max_length=3000, blank=True)
    next_steps = models.TextField(_("prochaines étapes"), max_length=3000, blank=True)
    indicator = models.CharField(
        _("où en est le projet"), max_length=12, choices=Indicator.choices, blank=True
    )
    get_indicator_display = display_method("indicator", Indicator)

    class Meta:
        ordering = ["mandate", "due_on"]
        verbose_name = _("point d'étape")
        verbose_name_plural = _("points d'étape")
        constraints = [
            models.UniqueConstraint(fields=["mandate", "due_on"], name="followup_unique_due_on"),
            models.UniqueConstraint(fields=["mandate", "number"], name="followup_unique_number"),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                name="followup_open_due_idx",
                condition=models.Q(recorded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mandate} — point {self.number} ({dates.short_day(self.due_on)})"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None


class FollowUpTime(models.Model):
    """Hours an agent actually spent on the project since the previous follow-up."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="times")
    member = models.ForeignKey(MandateMember, on_delete=models.CASCADE, related_name="times")
    hours = models.DecimalField(_("heures consacrées"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("temps consacré")
        verbose_name_plural = _("temps consacrés")
        constraints = [
            models.UniqueConstraint(fields=["followup", "member"], name="followup_time_unique"),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0), name="followup_time_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} : {self.hours} h"


class FollowUpReminder(models.Model):
    """One reminder of one kind for one follow-up: the row that makes it sent exactly once.

    The sweep inserts it (ON CONFLICT DO NOTHING), claims it with SKIP LOCKED, writes the
    notifications and marks it sent in the same transaction, with a guarded UPDATE.
    """

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", _("Point d'étape à venir")
        DUE = "due", _("Point d'étape du jour")
        OVERDUE = "overdue", _("Point d'étape en retard")
        OVERDUE_AGAIN = "overdue_again", _("Point d'étape toujours en retard")

    class State(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENT = "sent", _("envoyé")
        SKIPPED = "skipped", _("sans objet")

    # Indexed by the unique (followup, kind) constraint, which starts with it.
    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("relance de point d'étape")
        verbose_name_plural = _("relances de points d'étape")
        constraints = [
            models.UniqueConstraint(fields=["followup", "kind"], name="followup_reminder_once"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="followup_reminder_todo_idx",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup} — {self.get_kind_display()}"
