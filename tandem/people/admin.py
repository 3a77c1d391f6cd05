"""Maintenance views for superusers only (see tandem.urls); staff use Tandem's own pages."""

from django.contrib import admin

from tandem.people.models import Membership, Pupil, TeachingGroup, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_superuser"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "school", "trust", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user"]


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["id", "school", "year_group"]
    list_filter = ["school"]


@admin.register(TeachingGroup)
class TeachingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "kind", "subject", "year_group"]
    list_filter = ["school", "kind"]
