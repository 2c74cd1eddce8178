"""Organisations, directions, people, their roles, notifications and password reset mails."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from innovation.platform.choices import display_method
from innovation.platform.outbox import TODO_STATES, OutboxItem


class Organisation(models.Model):
    class Kind(models.TextChoices):
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")
        EPCI = "epci", _("EPCI (communauté, métropole)")
        COMMUNE = "commune", _("Commune")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(_("nom court"), max_length=60, blank=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")

    def __str__(self) -> str:
        return self.short_name or self.name


class Direction(models.Model):
    """A department inside an organisation; directions form a tree."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="directions"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("direction")
        verbose_name_plural = _("directions")
        constraints = [
            models.UniqueConstraint(
                "organisation", "parent", Lower("name"), name="direction_unique_name_per_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; logs in with their e-mail address."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    job_title = models.CharField(_("fonction"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("collectivité"),
    )
    direction = models.ForeignKey(
        Direction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("direction"),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @cached_property
    def role_map(self) -> dict[int, frozenset[str]]:
        """Roles per organisation id, read once per request (the person's grants: a revoked
        role is refused at the very next request)."""
        return role_map_of(self.role_grants.values_list("organisation_id", "role"))

    def forget_roles(self) -> None:
        """Read the grants again at the next `role_map`: after granting or revoking a role
        to this very object (a request sees its own grants as they were when it began)."""
        self.__dict__.pop("role_map", None)

    @cached_property
    def unread_notification_count(self) -> int:
        """Shown in the menu of every page."""
        return self.notifications.filter(read_at__isnull=True).count()


def role_map_of(grants) -> dict[int, frozenset[str]]:
    """`User.role_map` from (organisation id, role) pairs."""
    roles: dict[int, set[str]] = {}
    for organisation_id, role in grants:
        roles.setdefault(organisation_id, set()).add(role)
    return {org_id: frozenset(values) for org_id, values in roles.items()}


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Encadrant·e (N+1)")
    DIRECTOR = "director", _("Directeur·rice")
    SPONSOR = "sponsor", _("Sponsor / commanditaire")
    JUROR = "juror", _("Membre du jury")
    DELEGATE = "delegate", _("Délégué·e à l'innovation")
    ADMIN = "admin", _("Administrateur·rice")


class RoleGrant(models.Model):
    """A role held by a person on one organisation."""

    # Both indexed by the unique constraint and the index below, which start with them.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_grants", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="role_grants", db_index=False
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    get_role_display = display_method("role", Role)

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="rolegrant_unique"
            ),
        ]
        # "The delegates (sponsors, jurors…) of these organisations": every agent holds a
        # grant, so without it the lookup reads the whole table.
        indexes = [models.Index(fields=["organisation", "role"], name="rolegrant_org_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"


class Notification(OutboxItem):
    """Something a person should know: shown in the app, and sent by e-mail once (through
    the outbox: `innovation.platform.outbox`)."""

    outbox_message = "innovation.platform.notifications.render_email"
    outbox_related = ("recipient",)

    # Indexed by the unread and dedupe indexes below, which start with it.
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=50)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    # Stops the same reminder or event from creating two rows (and so two e-mails). NULL, not
    # "", for notifications that need no such guard: NULLs never collide in the constraint.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutboxItem.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_unique_dedupe_key"
            ),
        ]
        indexes = [
            *OutboxItem.Meta.indexes,
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class PasswordResetMail(OutboxItem):
    """A password reset e-mail to send: who asked, and when. Never the link nor its token:
    the worker makes them when it sends (`innovation.platform.password_reset`)."""

    outbox_message = "innovation.platform.password_reset.render_email"
    outbox_related = ("user",)

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("personne")
    )

    class Meta(OutboxItem.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("courriel de mot de passe")
        verbose_name_plural = _("courriels de mot de passe")
        constraints = [
            # A second request while the first e-mail has not gone adds nothing: that e-mail,
            # made when it is sent, carries a valid link.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(delivery_state__in=TODO_STATES),
                name="passwordresetmail_one_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """Append-only trail of what matters for trust: logins, denials, decisions, exports.

    Rows are written by innovation.platform.audit.record and never changed; the detail holds ids and
    short labels, not names or e-mail addresses (which live on the person's row, and go
    with it when the person is pseudonymised), except the e-mail typed in a failed login.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur·rice"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collectivité"),
    )
    target_type = models.CharField(_("objet"), max_length=40, blank=True)
    target_id = models.CharField(_("identifiant"), max_length=40, blank=True)
    detail = models.JSONField(_("détail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("événement du journal")
        verbose_name_plural = _("journal d'audit")
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="audit_org_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
