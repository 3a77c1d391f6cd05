"""The correction and withdrawal pages every record kind shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse

from tandem.core.forms import FormPage, form_flow
from tandem.revisions.forms import WithdrawForm

T = TypeVar("T")

CORRECTION_INTRO = (
    "Correct a mistake in what was saved. The record's history keeps every version: who changed what, "
    "and when."
)


def correction_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    pupil: object,
    heading: str,
    save: Callable[[], T],
    back: str,
    success: str,
    intro: str = CORRECTION_INTRO,
    submit_label: str = "Save correction",
) -> HttpResponse:
    """The correction form of any record kind (its fields from `add_correction_fields`): saved once by
    `save`, then back to `back`, the record's page."""
    return form_flow(
        request,
        form,
        save=save,
        success=success,
        next_url=lambda _: back,
        page=FormPage(pupil=pupil, heading=heading, intro=intro, submit_label=submit_label, cancel_url=back),
    )


def withdraw_page(
    request: HttpRequest,
    *,
    pupil: object,
    what: str,
    version: int,
    withdraw: Callable[[int | None, str], object],
    back: str,
) -> HttpResponse:
    """Confirm with a reason, then withdraw. `what` names the record ("a target"); afterwards, back to
    `back`, the record's page (which stays open) or the page it is shown on."""
    form = WithdrawForm(request.POST or None, version=version)
    return form_flow(
        request,
        form,
        save=lambda: withdraw(form.cleaned_data["version"], form.cleaned_data["reason"]),
        success="Withdrawn. It no longer shows in lists and counts; its page keeps its history.",
        next_url=lambda _: back,
        page=FormPage(
            pupil=pupil,
            heading=f"Withdraw {what}",
            intro="Withdraw a record made by mistake, for example for the wrong pupil. It leaves every list, "
            "count and document, but its page and history stay for those who may see it.",
            submit_label="Withdraw",
            cancel_url=back,
        ),
    )
