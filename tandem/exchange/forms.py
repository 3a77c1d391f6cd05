"""Forms for the import pages: the upload, and the choice of a column for each field."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import date_field
from tandem.exchange.fields import FIELDS, ImportKind
from tandem.exchange.models import KIND_NAMES
from tandem.exchange.tabular import DEFAULT_LIMITS

MAX_UPLOAD_MB = DEFAULT_LIMITS.max_bytes // (1024 * 1024)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file contains",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the file contains."},
    )
    file = forms.FileField(
        label="File",
        help_text=f"CSV or Excel (.xlsx) as your MIS exports it, or a Common Transfer File (.xml); "
        f"up to {MAX_UPLOAD_MB} MB. Nothing changes until you have checked the preview and applied it.",
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )
    default_scale = forms.ChoiceField(
        label="Scale of the results",
        required=False,
        help_text="For assessment results: the scale used when the file has no Scale column.",
    )

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]], scales: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["default_scale"].choices = scales  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > DEFAULT_LIMITS.max_bytes:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the most Tandem takes is "
                f"{MAX_UPLOAD_MB} MB. Split it, or export fewer columns."
            )
        return upload


GUESS_LABEL = "Let Tandem tell from the file's columns"


def kind_choices(*, can_import_sen: bool, can_import_staff: bool) -> list[tuple[str, str]]:
    allowed = {ImportKind.SEN: can_import_sen, ImportKind.STAFF: can_import_staff}
    kinds = [(kind, label) for kind, label in KIND_NAMES.items() if allowed.get(kind, True)]  # type: ignore[call-overload]
    return [("guess", GUESS_LABEL), *kinds]


class ColumnsForm(forms.Form):
    """One select per field, listing the file's headers."""

    def __init__(
        self, *args: Any, kind: ImportKind, headers: tuple[str, ...], chosen: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "(not in this file)"), *((h, h) for h in headers if h)]
        for spec in FIELDS[kind]:
            initial = headers[chosen[spec.key]] if spec.key in chosen else ""
            self.fields[spec.key] = forms.ChoiceField(
                label=spec.label,
                choices=options,
                required=False,
                initial=initial,
                help_text=("Required. " if spec.required else "") + spec.help,
            )


class ApplyForm(forms.Form):
    skip_errors = forms.BooleanField(
        label="Leave out the rows with errors and import the rest",
        required=False,
        help_text="The rows left out are listed on the import record, to fix and import later.",
    )


class TransferForm(forms.Form):
    """Which pupils go into a Common Transfer File, and where it is going."""

    year_group = forms.TypedChoiceField(label="Year group", coerce=int, required=False, empty_value=None)
    group = forms.ChoiceField(label="Or a class or set", required=False)
    left_since = date_field(
        "Or the pupils who have left since",
        required=False,
        help_text="Pupils with a leaving date on or after this day (leaving dates come in with the roll).",
    )
    dest_urn = forms.CharField(
        label="URN of the school they are going to",
        required=False,
        max_length=8,
        help_text="Leave empty if it is not known yet.",
    )
    dest_dfe_number = forms.RegexField(
        label="DfE number of the school they are going to",
        regex=r"^\d{3}/?\d{4}$",
        required=False,
        help_text="LA code and establishment number, e.g. 938/4123. Leave empty if it is not known yet.",
        error_messages={"invalid": "Enter the LA code and establishment number, e.g. 938/4123."},
    )

    def __init__(
        self, *args: Any, years: list[tuple[int, str]], groups: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year_group"].choices = [("", "Choose a year group"), *years]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", "Choose a class or set"), *groups]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("year_group") is None and not cleaned.get("group") and not cleaned.get("left_since"):
            raise forms.ValidationError("Choose a year group, a class, or a date for pupils who have left.")
        return cleaned
