"""Breakfast rituals: a recurring series, its dates, and who has a seat."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from innovation.platform import dates
from innovation.platform.choices import display_method
from innovation.platform.models import Organisation


class Ritual(models.Model):
    """A recurring series: every `interval_days` from the first date, at a set time and place."""

    class Kind(models.TextChoices):
        BREAKFAST = "breakfast", _("Petit-déjeuner de l'innovation")
        PASSION = "passion", _("Partage ma passion")
        OTHER = "other", _("Autre rendez-vous")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")
        SUNDAY = 6, _("dimanche")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="rituals",
        verbose_name=_("collectivité"),
    )
    title = models.CharField(_("titre"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.BREAKFAST)
    description = models.TextField(_("présentation"), max_length=3000, blank=True)
    starts_on = models.DateField(_("à partir du"))
    interval_days = models.PositiveSmallIntegerField(_("intervalle (jours)"), default=14)
    weekday = models.PositiveSmallIntegerField(
        _("jour de la semaine"), choices=Weekday.choices, default=Weekday.THURSDAY
    )
    start_time = models.TimeField(_("heure de début"), default=datetime.time(8, 30))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=60)
    place = models.CharField(_("lieu"), max_length=250)
    capacity = models.PositiveIntegerField(_("nombre de places"), default=20)
    closes_hours_before = models.PositiveSmallIntegerField(
        _("clôture des inscriptions (heures avant le début)"), default=24
    )
    shared_with = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="shared_rituals",
        verbose_name=_("ouvert aussi aux agents de"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "title"]
        verbose_name = _("série de rendez-vous")
        verbose_name_plural = _("séries de rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_days__gt=0), name="ritual_interval_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="ritual_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="ritual_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="ritual_weekday_valid"
            ),
        ]

    get_kind_display = display_method("kind", Kind)
    get_weekday_display = display_method("weekday", Weekday)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rituals:detail", args=[self.pk])

    def rhythm(self) -> str:
        """'Chaque jeudi à 8 h 30', 'Tous les 10 jours à 12 h 00'."""
        values = {
            "weekday": self.get_weekday_display(),
            "time": dates.hour(self.start_time),
            "n": self.interval_days,
            "weeks": self.interval_days // 7,
        }
        if self.interval_days == 7:
            return gettext("Chaque %(weekday)s à %(time)s") % values
        if self.interval_days % 7 == 0:
            return gettext("Un %(weekday)s sur %(weeks)s, à %(time)s") % values
        return (
            ngettext(
                "Tous les jours à %(time)s", "Tous les %(n)s jours à %(time)s", self.interval_days
            )
            % values
        )

    def first_date(self) -> datetime.date:
        """The first date on or after `starts_on` that falls on the chosen weekday."""
        shift = (self.weekday - self.starts_on.weekday()) % 7
        return self.starts_on + datetime.timedelta(days=shift)


class Occurrence(models.Model):
    """One date of a ritual. `original_date` is the date the rule generated: it never changes,
    so generating again never duplicates a date the delegate moved or cancelled."""

    ritual = models.ForeignKey(Ritual, on_delete=models.CASCADE, related_name="occurrences")
    original_date = models.DateField(_("date prévue par la série"))
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    # Blank / NULL: the ritual's value applies.
    place = models.CharField(_("lieu"), max_length=250, blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presentations",
        verbose_name=_("présenté par"),
    )
    idea = models.ForeignKey(
        "ideas.Idea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presentations",
        verbose_name=_("projet présenté"),
    )
    topic = models.CharField(_("sujet libre"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    # Bumped on every change a calendar must pick up (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        constraints = [
            models.UniqueConstraint(
                fields=["ritual", "original_date"], name="occurrence_unique_original_date"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gt=0),
                name="occurrence_capacity_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["ritual", "starts_at"], name="occurrence_ritual_start_idx"),
            models.Index(
                fields=["starts_at"],
                name="occurrence_to_remind_idx",
                condition=models.Q(reminded_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ritual.title} — {dates.short_moment(self.starts_at)}"

    def get_absolute_url(self) -> str:
        return reverse("rituals:occurrence", args=[self.pk])

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def effective_place(self) -> str:
        return self.place or self.ritual.place

    @property
    def effective_capacity(self) -> int:
        return self.capacity or self.ritual.capacity

    @property
    def registration_closes_at(self) -> datetime.datetime:
        return self.starts_at - datetime.timedelta(hours=self.ritual.closes_hours_before)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_past(self, now: datetime.datetime | None = None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        """Registration is possible: not cancelled and not yet closed."""
        return not self.is_cancelled and (now or timezone.now()) < self.registration_closes_at

    @property
    def subject(self) -> str:
        """What is presented: the project's title, else the free topic."""
        idea = self.idea if self.idea_id else None
        return idea.title if idea is not None else self.topic


class Registration(models.Model):
    """A seat (confirmed) or a place in line (waiting); cancelled rows stay as history."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscrit·e")
        WAITING = "waiting", _("En liste d'attente")
        CANCELLED = "cancelled", _("Désinscrit·e")

    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ritual_registrations"
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    # Arrival order: rows are inserted while the occurrence row is locked, so the id sequence
    # follows the order in which people got the lock; created_at is shown, id breaks ties.
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("présent·e"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user"],
                condition=~models.Q(status="cancelled"),
                name="registration_one_active_per_person",
            ),
        ]
        indexes = [
            models.Index(
                fields=["occurrence", "status", "created_at", "id"],
                name="registration_queue_idx",
            ),
        ]

    get_status_display = display_method("status", Status)

    def __str__(self) -> str:
        return f"{self.user} — {self.occurrence} ({self.get_status_display()})"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The private key in a person's calendar feed URLs (calendar apps cannot log in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clé d'agenda")
        verbose_name_plural = _("clés d'agenda")

    def __str__(self) -> str:
        return f"{self.user}"


class RegistrationEvent(models.Model):
    """Append-only history of a registration's status: who moved it, when; a promotion from
    the waiting list has no actor (Tremplin did it when a seat freed)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Blank: the registration was created by this event.
    before = models.CharField(max_length=10, choices=Registration.Status.choices, blank=True)
    after = models.CharField(max_length=10, choices=Registration.Status.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    get_before_display = display_method("before", Registration.Status)
    get_after_display = display_method("after", Registration.Status)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("étape de l'historique d'inscription")
        verbose_name_plural = _("historique des inscriptions")

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.before} → {self.after}"
