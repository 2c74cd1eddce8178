"""Forums: a pitch contest over several organisations, its jury, its grid and its scores."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovation.platform.choices import display_method
from innovation.platform.models import Organisation


class Forum(models.Model):
    class Stage(models.TextChoices):
        PREPARING = "preparing", _("En préparation")
        OPEN = "open", _("Notation ouverte")
        CLOSED = "closed", _("Notation close, délibération")
        PUBLISHED = "published", _("Palmarès publié")

    title = models.CharField(_("titre"), max_length=200)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("heure du premier pitch"), default=datetime.time(14, 0))
    place = models.CharField(_("lieu"), max_length=200)
    organisations = models.ManyToManyField(
        Organisation, related_name="forums", verbose_name=_("collectivités participantes")
    )
    # The organisation whose delegates created the forum; they keep running it.
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="organised_forums",
        verbose_name=_("collectivité organisatrice"),
    )
    quota = models.PositiveSmallIntegerField(_("idées par collectivité"), default=3)
    laureate_count = models.PositiveSmallIntegerField(_("nombre de lauréats"), default=8)
    pitch_minutes = models.PositiveSmallIntegerField(_("durée du pitch (minutes)"), default=3)
    question_minutes = models.PositiveSmallIntegerField(
        _("durée des questions du jury (minutes)"), default=4
    )
    stage = models.CharField(
        _("étape"), max_length=12, choices=Stage.choices, default=Stage.PREPARING
    )
    # Optional weighting by college: each college's mean counts by its weight.
    college_weighting = models.BooleanField(_("pondérer par collège"), default=False)
    weight_elected = models.PositiveSmallIntegerField(_("poids du collège des élus"), default=1)
    weight_agent = models.PositiveSmallIntegerField(_("poids du collège des agents"), default=1)
    weight_director = models.PositiveSmallIntegerField(
        _("poids du collège des directeurs généraux"), default=1
    )
    current_pitch = models.ForeignKey(
        "Pitch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pitch sur scène"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="forum_quota_positive"),
            models.CheckConstraint(
                condition=Q(laureate_count__gte=1), name="forum_laureates_positive"
            ),
            models.CheckConstraint(condition=Q(pitch_minutes__gte=1), name="forum_pitch_positive"),
        ]

    get_stage_display = display_method("stage", Stage)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("juries:detail", args=[self.pk])

    @property
    def slot_minutes(self) -> int:
        return self.pitch_minutes + self.question_minutes

    @property
    def scores_revealed(self) -> bool:
        return self.stage in {self.Stage.CLOSED, self.Stage.PUBLISHED}

    def college_weights(self) -> dict[str, int] | None:
        if not self.college_weighting:
            return None
        return {
            Juror.College.ELECTED: self.weight_elected,
            Juror.College.AGENT: self.weight_agent,
            Juror.College.DIRECTOR: self.weight_director,
        }


class ForumEvent(models.Model):
    """Append-only history of a forum's stages: who moved it, when, and why.

    Written by `juries.services` in the transaction that moves the forum (the only writer of
    `Forum.stage`), shown to those who prepare the forum."""

    # Indexed by the index below, which starts with it.
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    before = models.CharField(max_length=12, choices=Forum.Stage.choices)
    after = models.CharField(max_length=12, choices=Forum.Stage.choices)
    reason = models.TextField(_("motif"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    get_before_display = display_method("before", Forum.Stage)
    get_after_display = display_method("after", Forum.Stage)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("étape de l'historique du forum")
        verbose_name_plural = _("historique du forum")
        indexes = [
            models.Index(fields=["forum", "created_at", "id"], name="forumevent_forum_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.forum_id}: {self.before} → {self.after}"


class Criterion(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("critère"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    weight = models.DecimalField(_("poids"), max_digits=5, decimal_places=2, default=1)
    scale_min = models.SmallIntegerField(_("note minimale"), default=0)
    scale_max = models.SmallIntegerField(_("note maximale"), default=10)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="criterion_scale_ordered"
            ),
            models.UniqueConstraint(fields=["forum", "name"], name="criterion_unique_name"),
            # Target of the composite foreign key that keeps a score inside its forum.
            models.UniqueConstraint(fields=["id", "forum"], name="criterion_id_forum"),
        ]

    def __str__(self) -> str:
        return self.name


class Juror(models.Model):
    class College(models.TextChoices):
        ELECTED = "elected", _("Élus")
        AGENT = "agent", _("Agents")
        DIRECTOR = "director", _("Directeurs généraux")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="juror_seats"
    )
    # The juror's own organisation: they never score a pitch from it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("collectivité")
    )
    college = models.CharField(_("collège"), max_length=10, choices=College.choices)
    is_president = models.BooleanField(_("président·e du jury"), default=False)

    class Meta:
        ordering = ["-is_president", "college", "id"]
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [
            models.UniqueConstraint(fields=["forum", "user"], name="juror_unique_per_forum"),
            models.UniqueConstraint(
                fields=["forum"], condition=Q(is_president=True), name="juror_one_president"
            ),
            models.UniqueConstraint(fields=["id", "forum"], name="juror_id_forum"),
            models.UniqueConstraint(fields=["id", "organisation"], name="juror_id_organisation"),
        ]

    get_college_display = display_method("college", College)

    def __str__(self) -> str:
        return str(self.user)


class Pitch(models.Model):
    """An idea put forward by its organisation, on the forum's programme."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="pitches")
    idea = models.ForeignKey("ideas.Idea", on_delete=models.PROTECT, related_name="pitches")
    # Copied from the idea when it is put forward: the conflict-of-interest rule reads it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("ordre de passage"), default=0)
    put_forward_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    laureate = models.BooleanField(_("lauréat"), default=False)
    # Why deliberation departed from the ranking for this pitch (shown on the palmarès).
    laureate_reason = models.TextField(_("motif de la délibération"), blank=True, max_length=1000)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pitch")
        verbose_name_plural = _("pitchs")
        constraints = [
            models.UniqueConstraint(fields=["forum", "idea"], name="pitch_unique_idea"),
            models.UniqueConstraint(fields=["id", "forum"], name="pitch_id_forum"),
            models.UniqueConstraint(fields=["id", "organisation"], name="pitch_id_organisation"),
        ]

    def __str__(self) -> str:
        return self.idea.title


class Score(models.Model):
    """One juror's mark for one criterion of one pitch.

    `forum`, `juror_organisation` and `pitch_organisation` repeat what the juror and the pitch
    say; composite foreign keys (see the migration) make them impossible to falsify, so the
    check constraint below refuses a pitch of the organisation copied on the seat. The rest of
    the conflict-of-interest rule (the person's current organisation, the roles they hold
    elsewhere, their recusals) reads other tables: a trigger enforces it
    (migration 0004, the same rule as `permissions.conflicts`).
    """

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    juror = models.ForeignKey(Juror, on_delete=models.RESTRICT, related_name="scores")
    pitch = models.ForeignKey(Pitch, on_delete=models.RESTRICT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.RESTRICT, related_name="scores")
    juror_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    pitch_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pitch", "criterion"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "pitch", "criterion"], name="score_unique_per_criterion"
            ),
            models.CheckConstraint(
                condition=~Q(juror_organisation=F("pitch_organisation")),
                name="score_no_own_organisation",
            ),
        ]
        indexes = [models.Index(fields=["forum", "juror"], name="score_forum_juror_idx")]

    def __str__(self) -> str:
        return f"{self.juror_id}/{self.pitch_id}/{self.criterion_id}: {self.value}"


class ScoreEvent(models.Model):
    """Append-only history of a score: each value it took, who gave it, when."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    before = models.SmallIntegerField(null=True, blank=True)
    after = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("historique de note")
        verbose_name_plural = _("historique des notes")

    def __str__(self) -> str:
        return f"{self.score_id}: {self.before} → {self.after}"


class JurorNote(models.Model):
    """A juror's private comment on a pitch; only they read it, before and after closing."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="notes")
    pitch = models.ForeignKey(Pitch, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(_("commentaire privé"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("commentaire privé")
        verbose_name_plural = _("commentaires privés")
        constraints = [
            models.UniqueConstraint(fields=["juror", "pitch"], name="jurornote_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.juror_id}/{self.pitch_id}"


class Recusal(models.Model):
    """A juror's declaration that they withdraw from one pitch (« se déporter »).

    A declaration, not a setting: nothing undoes it. The juror's marks for the pitch, if any,
    are deleted when it is made, and the database refuses any new one (migration 0004).
    `forum` repeats what the juror and the pitch say; composite foreign keys (migration 0003)
    keep the three in one forum.
    """

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    # A juror who withdrew from a pitch stays on the jury (see services.remove_juror).
    # Indexed by the unique constraint, which starts with it.
    juror = models.ForeignKey(
        Juror, on_delete=models.RESTRICT, related_name="recusals", db_index=False
    )
    # A pitch taken off the programme (only before scoring opens) takes its recusals with it.
    pitch = models.ForeignKey(Pitch, on_delete=models.CASCADE, related_name="recusals")
    reason = models.TextField(_("motif"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("déport")
        verbose_name_plural = _("déports")
        constraints = [
            models.UniqueConstraint(fields=["juror", "pitch"], name="recusal_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.juror_id}/{self.pitch_id}"
