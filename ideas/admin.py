from django.contrib import admin

from ideas.models import Attachment, Campaign, Challenge, Comment, Idea, IdeaEvent, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_on", "closes_on"]
    filter_horizontal = ["organisations", "themes"]
    search_fields = ["title"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "direction", "closes_on"]
    list_select_related = ["organisation", "direction"]
    raw_id_fields = ["author", "direction"]


class IdeaEventInline(admin.TabularInline):
    model = IdeaEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "before", "after", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # the history is written by ideas.services.move_idea only


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "state", "support", "vote_count", "submitted_at"]
    list_filter = ["state", "support", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["title", "author__email"]
    raw_id_fields = ["author", "coauthors", "direction", "campaign", "challenge"]
    # State and counters change only through ideas.services, which keeps history and counts.
    readonly_fields = ["state", "vote_count", "comment_count", "submitted_at"]
    inlines = [IdeaEventInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["idea", "author", "created_at", "hidden_at"]
    list_select_related = ["idea", "author"]
    raw_id_fields = ["idea", "author", "hidden_by"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "idea", "size", "uploaded_at"]
    raw_id_fields = ["idea", "uploaded_by"]


# --- Mandates: read-mostly; states, versions and signatures change through
# ideas.mandates.services.
from ideas.models import FollowUp, Mandate, MandateEvent, MandateMember, Signature  # noqa: E402


class MandateMemberInline(admin.TabularInline):
    model = MandateMember
    extra = 0
    raw_id_fields = ["agent", "manager"]


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False
    readonly_fields = ["signer", "party", "terms_version", "decision", "comment", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # a person signs only for themselves, in the application


class MandateEventInline(admin.TabularInline):
    model = MandateEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "before", "after", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # the history is written by ideas.mandates.services.change_state only


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["idea", "organisation", "state", "starts_on", "ends_on", "terms_version"]
    list_filter = ["state", "organisation"]
    list_select_related = ["idea", "organisation"]
    search_fields = ["idea__title"]
    raw_id_fields = ["idea", "sponsor", "client_direction", "client_director", "created_by"]
    readonly_fields = ["state", "terms_version", "activated_at", "ended_at", "ended_by"]
    inlines = [MandateMemberInline, SignatureInline, MandateEventInline]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["mandate", "number", "due_on", "recorded_at", "indicator"]
    list_select_related = ["mandate__idea"]
    raw_id_fields = ["mandate", "recorded_by"]
    readonly_fields = ["number", "due_on"]
