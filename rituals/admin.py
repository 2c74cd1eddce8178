from django.contrib import admin

from rituals.models import CalendarToken, Occurrence, Registration, RegistrationEvent, Ritual


@admin.register(Ritual)
class RitualAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "interval_days", "weekday", "active"]
    list_filter = ["kind", "active", "organisation"]
    search_fields = ["title", "place"]
    filter_horizontal = ["shared_with"]
    raw_id_fields = ["created_by"]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["ritual", "starts_at", "presenter", "idea", "cancelled_at"]
    list_filter = ["ritual"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["presenter", "idea"]


class RegistrationEventInline(admin.TabularInline):
    """The history, to read: rows come from rituals/services.py."""

    model = RegistrationEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "actor", "before", "after", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Statuses change through rituals/services.py only (seats, waiting list, history): the
    admin shows them and may correct attendance, nothing more."""

    list_display = ["occurrence", "user", "status", "created_at", "promoted_at", "attended"]
    list_filter = ["status"]
    raw_id_fields = ["occurrence", "user"]
    readonly_fields = ("occurrence", "user", "status", "created_at", "promoted_at", "cancelled_at")
    inlines = [RegistrationEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
