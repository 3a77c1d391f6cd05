"""Tenancy and calendar: trusts, schools, academic years and assessment windows."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q

from tandem.lib.dates import term_label


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"


class School(models.Model):
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    # Unique reference number from Get Information About Schools; text because placeholders exist.
    urn = models.CharField("URN", max_length=8, unique=True)
    # The DfE number (LA code and establishment number, "938" and "2001"): Common Transfer Files carry it.
    la_number = models.CharField("LA number", max_length=3, blank=True)
    establishment_number = models.CharField(max_length=4, blank=True)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    lowest_year = models.SmallIntegerField(help_text="Lowest NC year on roll (0 = Reception).")
    highest_year = models.SmallIntegerField(help_text="Highest NC year on roll.")
    # Two-factor sign-in is always required for roles that read every pupil's SEN record; this asks it of
    # teachers and TAs too.
    require_two_factor_for_all = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="school_phase_valid"),
            models.CheckConstraint(condition=Q(lowest_year__lte=F("highest_year")), name="school_year_range"),
            models.CheckConstraint(
                condition=Q(lowest_year__gte=-2, highest_year__lte=14), name="school_years_within_nc"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AcademicYear(models.Model):
    """1 September to 31 August; named by its starting calendar year (2025 = 2025/26)."""

    start_year = models.SmallIntegerField(unique=True)

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=2000, start_year__lte=2100), name="academicyear_plausible"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.start_year, 9, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.start_year + 1, 8, 31)

    @staticmethod
    def start_year_for(day: dt.date) -> int:
        return day.year if day.month >= 9 else day.year - 1


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class AssessmentWindow(models.Model):
    """A school's assessment point, e.g. "Spring 2025/26": when results are collected."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="assessment_windows")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="windows")
    term = models.CharField(max_length=8, choices=Term.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()

    class Meta:
        ordering = ["opens_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "term"], name="window_unique_per_term"
            ),
            models.CheckConstraint(condition=Q(term__in=Term.values), name="window_term_valid"),
            models.CheckConstraint(condition=Q(opens_on__lte=F("closes_on")), name="window_dates_ordered"),
        ]

    def __str__(self) -> str:
        return term_label(self.term, self.academic_year.start_year)
