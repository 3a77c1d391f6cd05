from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only."""

    list_display = [
        "occurred_at",
        "action",
        "outcome",
        "actor_id",
        "actor_role",
        "school_id",
        "target_type",
        "target_id",
    ]
    list_filter = ["outcome", "actor_role", "action"]
    search_fields = ["target_id", "request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
