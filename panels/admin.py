"""The Django admin: for site staff to set up organisations, panels and people."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from panels.models import Meeting, Membership, Organisation, Panel, StaffRole, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_staff", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "force_area", "police_uk_id"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline[Membership, Panel]):
    model = Membership
    extra = 0
    fields = ["user", "role", "start_date", "end_date"]
    autocomplete_fields = ["user"]


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin[Panel]):
    list_display = ["name", "kind", "force_area", "is_public"]
    list_filter = ["kind", "is_public"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin[StaffRole]):
    list_display = ["user", "role", "organisation", "start_date", "end_date"]
    list_filter = ["role"]
    autocomplete_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ["title", "panel", "starts_at", "minutes_status"]
    list_filter = ["minutes_status"]
