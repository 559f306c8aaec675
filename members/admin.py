from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import MembershipEvent, Organization, OutgoingMail, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + ((_("门户角色"), {"fields": ("role", "organization")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("门户角色"), {"fields": ("role", "organization")}),)
    list_display = ("username", "first_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "date", "reason", "actor", "created_at")
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "status", "council_role", "industry_chain")
    list_filter = ("kind", "status", "council_role", "industry_chain")
    search_fields = ("name", "credit_code")
    inlines = [MembershipEventInline]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ("to", "subject", "created_at", "sent_at", "attempts")
    list_filter = ("sent_at",)
    search_fields = ("to", "subject")
    readonly_fields = ("created_at", "sent_at", "attempts", "last_error")
