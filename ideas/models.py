"""Campaigns, challenges, ideas and what agents do around them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovation.choices import display_method
from innovation.models import Direction, Organisation


class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """An appel à idées, over one or several organisations."""

    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"))
    organisations = models.ManyToManyField(
        Organisation, related_name="campaigns", verbose_name=_("collectivités")
    )
    themes = models.ManyToManyField(Theme, blank=True, verbose_name=_("thèmes"))
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("appel à idées")
        verbose_name_plural = _("appels à idées")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class Challenge(models.Model):
    """A concrete problem posted by a director, which ideas can answer."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="challenges"
    )
    direction = models.ForeignKey(
        Direction, on_delete=models.SET_NULL, null=True, blank=True, related_name="challenges"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("problème à résoudre"))
    closes_on = models.DateField(_("réponses jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("défi")
        verbose_name_plural = _("défis")

    def __str__(self) -> str:
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.closes_on is None or today <= self.closes_on


class Idea(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposée")
        QUALIFIED = "qualified", _("Qualifiée")
        SELECTED = "selected", _("Sélectionnée")
        ACCOMPANIED = "accompanied", _("Accompagnée")
        EXPERIMENTING = "experimenting", _("En expérimentation")
        DEPLOYED = "deployed", _("Déployée")
        NOT_RETAINED = "not_retained", _("Non retenue")
        REDIRECTED = "redirected", _("Réorientée")
        ABANDONED = "abandoned", _("Abandonnée")

    class Support(models.TextChoices):
        AUTONOMOUS = "autonomous", _("Autonome")
        INTERNAL = "internal", _("Accompagnement interne")
        EXTERNAL = "external", _("Accompagnement externe")

    class Beneficiaries(models.TextChoices):
        AGENTS = "agents", _("Les agents")
        USERS = "users", _("Les usagers du service public")
        BOTH = "both", _("Les agents et les usagers")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("collectivité")
    )
    direction = models.ForeignKey(
        Direction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("direction"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("auteur·rice"),
    )
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coauthored_ideas",
        verbose_name=_("co-auteur·rices"),
    )
    title = models.CharField(_("titre"), max_length=150)
    irritant = models.TextField(_("irritant observé sur le terrain"), max_length=4000)
    proposal = models.TextField(_("proposition"), max_length=6000)
    beneficiaries = models.CharField(
        _("à qui cela profite"), max_length=10, choices=Beneficiaries.choices
    )
    expected_impact = models.TextField(_("impact attendu"), max_length=3000)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("thème")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("appel à idées"),
    )
    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("défi"),
    )
    state = models.CharField(
        _("étape"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    support = models.CharField(
        _("accompagnement"), max_length=12, choices=Support.choices, blank=True
    )
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("commentaires"), default=0)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled on PostgreSQL only (French, accent-insensitive); see ideas.search.
    search_vector = SearchVectorField(null=True, editable=False)

    # One label translated per call, not every label of the field (innovation.choices).
    get_state_display = display_method("state", State)
    get_support_display = display_method("support", Support)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        verbose_name = _("idée")
        verbose_name_plural = _("idées")
        indexes = [
            # INCLUDE: the dashboard's counts per step, direction, campaign and support are
            # index-only scans (docs/performance.md).
            models.Index(
                fields=["organisation", "state"],
                name="idea_org_state_idx",
                include=["direction", "campaign", "support"],
            ),
            models.Index(fields=["-vote_count", "-id"], name="idea_top_votes_idx"),
            # The board: per organisation and step, the most recently moved first.
            models.Index(
                fields=["organisation", "state", "-updated_at"], name="idea_board_recent_idx"
            ),
            # The idea list's default order, with every column its visibility rule and its
            # usual filters read: the ids of a page, however deep, come from an index-only
            # scan (ideas.selectors.page_ids) instead of reading each skipped idea's row.
            models.Index(
                fields=["-submitted_at", "-created_at", "-id"],
                name="idea_recent_visible_idx",
                include=[
                    "state",
                    "organisation",
                    "campaign",
                    "author",
                    "direction",
                    "theme",
                    "support",
                ],
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", args=[self.pk])

    @property
    def is_editable_state(self) -> bool:
        return self.state in {self.State.DRAFT, self.State.SUBMITTED}

    @property
    def is_public(self) -> bool:
        return self.state != self.State.DRAFT


class IdeaEvent(models.Model):
    """Append-only history of an idea's journey: who moved it, when, and why."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    before = models.CharField(max_length=20, choices=Idea.State.choices, blank=True)
    after = models.CharField(max_length=20, choices=Idea.State.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    get_after_display = display_method("after", Idea.State)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("étape de l'historique")
        verbose_name_plural = _("historique")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.before} → {self.after}"


class Vote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "voter"], name="vote_one_per_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.idea_id}"


class Follow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="follow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} suit {self.idea_id}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(_("commentaire"), max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(_("motif de masquage"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.idea_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class Attachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.original_name


# --- Mandates and follow-ups (services: ideas.mandates, ideas.followups) -------------------

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
        Idea, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("idée")
    )
    # The idea's organisation, copied once: every visibility filter starts from it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mandates", editable=False
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
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
        return f"{self.mandate} — point {self.number} ({self.due_on:%d/%m/%Y})"

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
