from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    AgreementAttachment,
    AgreementEvent,
    AgreementExpiryNotice,
    EvaluationCriterion,
    Expert,
    ExpertReview,
    Milestone,
    Platform,
    Project,
    ProjectEvent,
    ProjectResult,
    ReviewPolicy,
)


class AgreementEventInline(admin.TabularInline):
    model = AgreementEvent
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "reason", "actor", "at")
    can_delete = False


class AgreementAttachmentInline(admin.TabularInline):
    model = AgreementAttachment
    extra = 0
    readonly_fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    exclude = ("file",)
    can_delete = False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "organization", "kind", "status", "signed_on", "end_date")
    list_filter = ("status", "kind")
    search_fields = ("title", "organization__name")
    filter_horizontal = ("parties",)
    exclude = ("scan",)
    inlines = [AgreementEventInline, AgreementAttachmentInline]


class ProjectEventInline(admin.TabularInline):
    model = ProjectEvent
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "date", "reason", "actor", "at")
    can_delete = False


class ExpertReviewInline(admin.TabularInline):
    model = ExpertReview
    extra = 0
    readonly_fields = ("score", "risk", "reviewed_on")


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("title", "lead_organization", "kind", "status", "approved_on", "completed_on")
    list_filter = ("status", "kind")
    search_fields = ("title", "lead_organization__name")
    filter_horizontal = ("partners",)
    inlines = [ProjectEventInline, ExpertReviewInline]


@admin.register(Platform)
class PlatformAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "level", "lead_organization", "established_on")
    list_filter = ("kind", "level")
    search_fields = ("name",)
    filter_horizontal = ("organizations",)


@admin.register(Expert)
class ExpertAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organization", "affiliation", "field", "is_active")
    search_fields = ("name", "field")


admin.site.register(EvaluationCriterion, SimpleHistoryAdmin)
admin.site.register(ReviewPolicy, SimpleHistoryAdmin)
admin.site.register(Milestone, SimpleHistoryAdmin)
admin.site.register(ProjectResult, SimpleHistoryAdmin)


@admin.register(AgreementExpiryNotice)
class AgreementExpiryNoticeAdmin(admin.ModelAdmin):
    list_display = ("agreement", "days", "end_date", "recipients", "sent_at")
    readonly_fields = ("agreement", "days", "end_date", "recipients", "sent_at")
