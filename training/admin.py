from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)


class GuestProfessorInline(admin.TabularInline):
    model = GuestProfessor
    extra = 0


@admin.register(OrderClass)
class OrderClassAdmin(SimpleHistoryAdmin):
    list_display = ("name", "enterprise", "school", "intake_year", "enrolled", "graduated", "employed")
    list_filter = ("intake_year", "mode")
    search_fields = ("name", "major")
    inlines = [GuestProfessorInline]


@admin.register(TrainingSession)
class TrainingSessionAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "kind",
        "provider",
        "starts_at",
        "ends_at",
        "declared_headcount",
        "trainee_count",
        "status",
    )
    list_filter = ("kind", "status")
    search_fields = ("title",)
    filter_horizontal = ("beneficiaries",)


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    """Read and correct only: trainees come and go through the session page, which keeps the count."""

    list_display = ("name", "session", "id_number_masked", "employer")
    search_fields = ("name", "id_number_masked")
    raw_id_fields = ("session",)
    readonly_fields = ("session", "id_number_hash", "id_number_masked", "person_key")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TraineeImport)
class TraineeImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "session", "uploaded_by", "uploaded_at", "row_count", "status")
    list_filter = ("status",)
    raw_id_fields = ("session",)


class DualTeacherTrainingInline(admin.TabularInline):
    model = DualTeacherTraining
    extra = 0


class EnterprisePracticeInline(admin.TabularInline):
    model = EnterprisePractice
    extra = 0


class DualTeacherRecognitionInline(admin.TabularInline):
    model = DualTeacherRecognition
    extra = 0


@admin.register(Teacher)
class TeacherAdmin(SimpleHistoryAdmin):
    list_display = ("name", "school", "subject_area", "title", "employee_no")
    list_filter = ("school",)
    search_fields = ("name", "employee_no")
    inlines = [DualTeacherTrainingInline, EnterprisePracticeInline, DualTeacherRecognitionInline]


@admin.register(ExchangeVisit)
class ExchangeVisitAdmin(SimpleHistoryAdmin):
    list_display = ("date", "visiting_organization", "participants")
    filter_horizontal = ("visited",)
