"""The withdrawal confirm page every record kind shares."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tandem.core.forms import FormPage, form_flow
from tandem.revisions.forms import WithdrawForm


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
