from django.contrib import admin

from rituals.models import CalendarToken, Occurrence, Registration, Ritual


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


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["occurrence", "user", "status", "created_at", "promoted_at", "attended"]
    list_filter = ["status"]
    raw_id_fields = ["occurrence", "user"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
