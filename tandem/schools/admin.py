from django.contrib import admin

from tandem.schools.models import School, Trust

admin.site.register(Trust)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "trust"]
