from __future__ import annotations

import uuid
from typing import Any

from django import forms

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import groups_in_scope
from tandem.people.accountability import accountable_teachers
from tandem.people.models import SCHOOL_ROLES, Pupil, Role, year_group_label
from tandem.people.selectors import PupilFilters
from tandem.register.models import CURRENT_PROVISIONS, BroadArea, NeedType
from tandem.schools.selectors import year_groups_offered


class PupilFilterForm(forms.Form):
    """The filters above a pupil list. Invalid values are reported, never silently ignored."""

    q = forms.CharField(label="Search by name or UPN", required=False, max_length=100)
    year = forms.TypedChoiceField(label="Year group", required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label="Class or set", required=False, coerce=uuid.UUID, empty_value=None)
    status = forms.ChoiceField(label="SEN status", required=False)
    need = forms.ChoiceField(label="Type of need", required=False)
    area = forms.ChoiceField(label="Broad area of need", required=False)

    def __init__(self, *args: Any, actor: Actor, register_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = year_groups_offered(actor=actor)
        self._choices("year", [("", "All years")] + [(y, year_group_label(y)) for y in years])
        groups = groups_in_scope(actor).order_by("year_group", "name").only("id", "name")
        self._choices("group", [("", "All classes and sets")] + [(str(g.pk), g.name) for g in groups])
        if actor.can(Resource.SEN_RECORD):
            provisions = [p for p in CURRENT_PROVISIONS if not (register_only and p == "N")]
            any_status = "On the register" if register_only else "Any"
            self._choices("status", [("", any_status)] + [(p.value, p.label) for p in provisions])
            needs = NeedType.objects.filter(is_current=True)
            self._choices("need", [("", "Any")] + [(n.code, n.name) for n in needs])
            areas = [(a.value, a.label) for a in BroadArea if a != BroadArea.UNCATEGORISED]
            self._choices(
                "area", [("", "Any"), *areas, (BroadArea.UNCATEGORISED.value, "Uncategorised (OTH, NSA)")]
            )
        else:
            for name in ("status", "need", "area"):
                del self.fields[name]

    def _choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> PupilFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return PupilFilters(
            year_group=data.get("year"),
            group_id=data.get("group"),
            provision=data.get("status") or None,
            need=data.get("need") or None,
            broad_area=data.get("area") or None,
            search=data.get("q") or "",
        )


class MembershipCreateForm(forms.Form):
    """Give someone a role. The list offers the roles the person acting may give; any school role is
    accepted, so a page left open (or a hand-made request) reaches the service, which refuses the rest
    with its reason and a trail."""

    school = forms.TypedChoiceField(label="School", coerce=int)
    email = forms.EmailField(label="Email address")
    full_name = forms.CharField(
        label="Full name", required=False, max_length=200, help_text="Needed only if they are new to Tandem."
    )
    role = forms.ChoiceField(label="Role", choices=[(r.value, r.label) for r in Role if r in SCHOOL_ROLES])

    def __init__(
        self,
        *args: Any,
        grantable: frozenset[Role] | None = None,
        schools: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if grantable is not None:
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.widget.choices = [(r.value, r.label) for r in Role if r in grantable]
        if schools:
            school = self.fields["school"]
            assert isinstance(school, forms.ChoiceField)
            school.choices = [("", "Choose a school"), *schools]
        else:
            # Someone with a school of their own gives roles there.
            del self.fields["school"]


def accountable_teacher_field(*, pupil: Pupil, label: str = "Accountable teacher") -> forms.IntegerField:
    """A choice of the pupil's teachers. Checked again by the service, which explains any refusal."""
    choices = [("", "Choose a teacher")] + [(t.pk, t.full_name) for t in accountable_teachers(pupil=pupil)]
    return forms.IntegerField(
        label=label,
        error_messages={"required": "Choose the accountable teacher."},
        help_text="A teacher who teaches this pupil: they stay responsible for the pupil's progress.",
        widget=forms.Select(choices=choices),
    )
