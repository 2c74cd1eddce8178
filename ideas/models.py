"""Campaigns, challenges, ideas and what agents do around them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovation.platform.choices import display_method
from innovation.platform.models import Direction, Organisation


class Theme(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self) -> str:
        return self.name


class CampaignQuerySet(models.QuerySet):
    def open_on(self, today: datetime.date) -> CampaignQuerySet:
        """The calls taking ideas on `today`: `Campaign.is_open` as a query (a test holds the
        two equal)."""
        return self.filter(opens_on__lte=today, closes_on__gte=today)


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
    # Protection for the shy: the campaign's ideas may name their authors to the delegates
    # only (each author chooses, Idea.author_hidden; ideas.permissions.can_see_author).
    allows_hidden_authors = models.BooleanField(
        _("Autoriser les idées dont l'auteur·rice n'est connu·e que des délégué·es"),
        default=False,
        help_text=_(
            "Chaque auteur·rice choisit : les autres agents lisent « Auteur·rice masqué·e » "
            "partout où son nom figurerait."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

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


class ChallengeQuerySet(models.QuerySet):
    def open_on(self, today: datetime.date) -> ChallengeQuerySet:
        """The challenges still taking answers on `today`: `Challenge.is_open` as a query (a
        test holds the two equal)."""
        return self.filter(models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=today))


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

    objects = ChallengeQuerySet.as_manager()

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
    # A draft needs only its title: what a submitted idea must say is checked when it is
    # submitted (ideas.services.missing_for_submission). The form enforces these lengths with
    # a message and a counter; nothing ever cuts a text to fit.
    title = models.CharField(_("titre"), max_length=150)
    irritant = models.TextField(_("irritant observé sur le terrain"), max_length=8000, blank=True)
    proposal = models.TextField(_("proposition"), max_length=10000, blank=True)
    beneficiaries = models.CharField(
        _("à qui cela profite"), max_length=10, choices=Beneficiaries.choices, blank=True
    )
    expected_impact = models.TextField(_("impact attendu"), max_length=5000, blank=True)
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
    # Only in a campaign that allows it (ideas.services): the authors and co-authors are then
    # named to them and to the delegates alone (ideas.permissions.can_see_author).
    author_hidden = models.BooleanField(
        _("Ne montrer mon nom qu'aux délégué·es"),
        default=False,
        help_text=_(
            "Possible dans un appel à idées qui le permet : les autres agents lisent "
            "« Auteur·rice masqué·e » à la place de votre nom et de celui de vos "
            "co-auteur·rices."
        ),
    )
    state = models.CharField(
        _("étape"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    support = models.CharField(
        _("accompagnement"), max_length=12, choices=Support.choices, blank=True
    )
    vote_count = models.PositiveIntegerField(_("soutiens"), default=0)
    comment_count = models.PositiveIntegerField(_("commentaires"), default=0)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled on PostgreSQL only (French, accent-insensitive); see ideas.search.
    search_vector = SearchVectorField(null=True, editable=False)

    # One label translated per call, not every label of the field (innovation.platform.choices).
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

    get_before_display = display_method("before", Idea.State)
    get_after_display = display_method("after", Idea.State)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("étape de l'historique")
        verbose_name_plural = _("historique")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.before} → {self.after}"


class Vote(models.Model):
    """An agent's support for an idea (« soutien », the product's word; the code says vote)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("soutien")
        verbose_name_plural = _("soutiens")
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


# Django finds an app's models through its models module: the mandate models live in
# ideas/mandates/models.py (app label `ideas`, same tables) and are imported back here.
from ideas.mandates.models import (  # noqa: E402, F401
    DEFAULT_PROTECTION_CLAUSE,
    FollowUp,
    FollowUpReminder,
    FollowUpTime,
    Mandate,
    MandateEvent,
    MandateMember,
    Signature,
)
