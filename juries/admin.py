from django.contrib import admin

from juries.models import Criterion, Forum, ForumEvent, Juror, Pitch

# Scores and their history are deliberately absent: they stay private until closing. So are
# recusals: a declaration is never edited (juries.scores.recuse is its only writer).


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class JurorInline(admin.TabularInline):
    model = Juror
    extra = 0
    raw_id_fields = ["user"]


class ForumEventInline(admin.TabularInline):
    """The history of the forum's stages, read only: juries.services writes it."""

    model = ForumEvent
    extra = 0
    readonly_fields = ("created_at", "actor", "before", "after", "reason")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "place", "stage"]
    list_filter = ["stage"]
    filter_horizontal = ["organisations"]
    raw_id_fields = ["created_by", "closed_by", "current_pitch"]
    # The stage changes only through juries.services (it freezes the grid, reveals scores).
    readonly_fields = ["stage", "closed_at", "closed_by", "published_at"]
    inlines = [CriterionInline, JurorInline, ForumEventInline]


@admin.register(Pitch)
class PitchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "forum", "organisation", "position", "laureate"]
    list_select_related = ["forum", "organisation", "idea"]
    raw_id_fields = ["idea", "put_forward_by"]
    readonly_fields = ["organisation"]
