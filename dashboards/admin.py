from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import MetricActual, MetricContribution, RollupState, Target, YearClose, YearCloseEvent


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("year", "metric", "minimum", "stretch", "updated_at")
    list_filter = ("year",)


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = ("year", "run", "computed_at", "duration_ms", "dirty_since")


@admin.register(MetricActual)
class MetricActualAdmin(admin.ModelAdmin):
    list_display = ("year", "metric", "value", "run")
    list_filter = ("year", "metric")


@admin.register(MetricContribution)
class MetricContributionAdmin(admin.ModelAdmin):
    list_display = ("year", "metric", "organization", "value", "run")
    list_filter = ("year", "metric")
    list_select_related = ("organization",)


@admin.register(YearClose)
class YearCloseAdmin(SimpleHistoryAdmin):
    list_display = ("year", "is_closed", "closed_at", "closed_by")


@admin.register(YearCloseEvent)
class YearCloseEventAdmin(admin.ModelAdmin):
    list_display = ("year", "action", "actor", "created_at", "reason")
