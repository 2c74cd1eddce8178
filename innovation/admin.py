from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from innovation.forms import AdminUserChangeForm, AdminUserCreationForm
from innovation.models import (
    Direction,
    Notification,
    Organisation,
    PasswordResetMail,
    RoleGrant,
    User,
)
from innovation.outbox import DeliveryState


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "organisation"]
    list_filter = ["organisation"]
    list_select_related = ["parent", "organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation", "parent"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "granted_at"]
    readonly_fields = ["granted_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Identité"),
            {"fields": ("first_name", "last_name", "job_title", "organisation", "direction")},
        ),
        (
            _("Droits techniques"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "organisation",
                    "direction",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [RoleGrantInline]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "role_grants__role", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]
    autocomplete_fields = ["organisation", "direction"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "granted_at"]
    list_filter = ["role", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


class ReadFilter(admin.SimpleListFilter):
    title = _("lecture")
    parameter_name = "lue"

    def lookups(self, request, model_admin):
        return [("oui", _("lue")), ("non", _("non lue"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(read_at__isnull=False)
        if self.value() == "non":
            return queryset.filter(read_at__isnull=True)
        return queryset


DELIVERY_FIELDS = [
    "delivery_state",
    "delivery_attempts",
    "delivery_due_at",
    "delivery_lease_until",
    "delivery_sent_at",
]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """A log to look into, not to write: rows come from the domain functions."""

    list_display = [
        "subject",
        "recipient",
        "kind",
        "created_at",
        "read_at",
        "delivery_state",
        "delivery_attempts",
    ]
    list_filter = ["delivery_state", ReadFilter, "kind", "created_at"]
    list_select_related = ["recipient"]
    search_fields = ["subject", "recipient__email", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["retry_email"]
    readonly_fields = [
        "recipient",
        "kind",
        "subject",
        "body",
        "url",
        "dedupe_key",
        "created_at",
        "read_at",
        *DELIVERY_FIELDS,
    ]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Renvoyer l'e-mail (remettre en file d'envoi)"))
    def retry_email(self, request, queryset):
        # The periodic sweep picks pending rows up; nothing is sent from the request.
        count = queryset.filter(delivery_state=DeliveryState.FAILED).update(
            delivery_state=DeliveryState.PENDING, delivery_attempts=0, delivery_due_at=None
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail remis en file d'envoi.",
                "%(count)d e-mails remis en file d'envoi.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PasswordResetMail)
class PasswordResetMailAdmin(admin.ModelAdmin):
    """Whether a reset e-mail went, for support; it holds no link (made when sent)."""

    list_display = ["user", "created_at", "delivery_state", "delivery_attempts", "delivery_sent_at"]
    list_filter = ["delivery_state", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["user", "created_at", *DELIVERY_FIELDS]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
