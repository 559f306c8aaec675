from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ApplicationDocument,
    MembershipApplication,
    MembershipEvent,
    Organization,
    OutgoingMail,
    User,
    UserEvent,
)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + ((_("门户角色"), {"fields": ("role", "organization", "is_org_admin")}),)
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


class ApplicationDocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    readonly_fields = ("original_name", "content_type", "size")
    exclude = ("file",)
    can_delete = False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "status", "created_at", "decided_by")
    list_filter = ("status", "kind")
    search_fields = ("name", "credit_code", "contact_email")
    readonly_fields = ("status", "reason", "decided_by", "decided_at", "organization")
    inlines = [ApplicationDocumentInline]


@admin.register(UserEvent)
class UserEventAdmin(admin.ModelAdmin):
    list_display = ("user", "action", "actor", "created_at")
    list_filter = ("action",)
    search_fields = ("user__username", "detail")
    readonly_fields = ("user", "action", "detail", "actor", "created_at")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ("to", "subject", "created_at", "sent_at", "attempts")
    list_filter = ("sent_at",)
    search_fields = ("to", "subject")
    readonly_fields = ("created_at", "sent_at", "attempts", "last_error")
