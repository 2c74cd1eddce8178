from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from innovation.platform import roles
from innovation.platform.forms import AdminUserChangeForm, AdminUserCreationForm
from innovation.platform.models import (
    Direction,
    Notification,
    Organisation,
    PasswordResetMail,
    RoleGrant,
    User,
)
from innovation.platform.outbox import DeliveryState


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


class RoleGrantInlineForm(forms.ModelForm):
    """A grant is given or taken back, never edited: a held role's row can only be deleted
    (a change of role is a withdrawal and a new grant, each in the audit trail)."""

    class Meta:
        model = RoleGrant
        fields = ["organisation", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("organisation", "role"):
                self.fields[name].disabled = True


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    form = RoleGrantInlineForm
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

    def delete_model(self, request, obj):
        # Each role taken back through the service first, so the trail says so; the person's
        # other rows go as Django's admin deletes them.
        for grant in obj.role_grants.all():
            roles.revoke_role(grant, actor=request.user, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            self.delete_model(request, person)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleGrant:
            return super().save_formset(request, form, formset, change)
        # Through innovation.platform.roles, so that each grant and withdrawal is audited.
        formset.save(commit=False)
        for grant in formset.deleted_objects:
            roles.revoke_role(grant, actor=request.user, request=request)
        for grant in formset.new_objects:
            saved = roles.grant_role(
                grant.user, grant.organisation, grant.role, actor=request.user, request=request
            )
            grant.pk, grant.granted_at = saved.pk, saved.granted_at
        # formset.changed_objects stays empty: held grants cannot be edited (RoleGrantInlineForm).


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "granted_at"]
    list_filter = ["role", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def get_readonly_fields(self, request, obj=None):
        # Given or taken back, never edited: a change of role is a withdrawal and a new grant.
        if obj is not None:
            return ["user", "organisation", "role", "granted_at"]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is editable on a held grant
        grant = roles.grant_role(
            obj.user, obj.organisation, obj.role, actor=request.user, request=request
        )
        obj.pk, obj.granted_at = grant.pk, grant.granted_at

    def delete_model(self, request, obj):
        roles.revoke_role(obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for grant in queryset:
            roles.revoke_role(grant, actor=request.user, request=request)


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
    fields = readonly_fields = ("user", "created_at", *DELIVERY_FIELDS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
