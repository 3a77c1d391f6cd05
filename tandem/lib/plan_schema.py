"""The transferable support plan file, `tandem-plan-1`: its JSON Schema (draft 2020-12) and the check of a
file against it, with each problem named by its field ("plan.layer", "targets[2].due_on").

Pure Python (jsonschema, no Django). The schema is built here from the same words the models use
(tandem/lib/isp.py), and published as docs/schemas/tandem-plan-1.schema.json; a test keeps that file equal to
`schema()`. Regenerate it with `python -m tandem.lib.plan_schema > docs/schemas/tandem-plan-1.schema.json`.

A file holds one plan of one pupil as a school gives it to the next: what the plan says, its targets and their
progress in words. Never staff emails or names, internal notes (the Do record), evidence or progress figures:
the schema forbids any field it does not list, so nothing else can ride along.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError as SchemaError  # type: ignore[import-untyped]

from tandem.lib.isp import LAYERS, PARENT_PARTICIPATION, PLAN_TYPES, PUPIL_PARTICIPATION, REASON_LIMIT, codes

SCHEMA_NAME = "tandem-plan-1"
SCHEMA_ID = f"urn:tandem:schema:{SCHEMA_NAME}"
# Minor versions only add optional fields; each reader accepts the versions it knows (docs/schemas/README.md).
SCHEMA_VERSIONS = ("1.0",)
SCHEMA_VERSION = SCHEMA_VERSIONS[-1]
MEDIA_TYPE = "application/json"
# How many problems a refusal lists: enough to fix a file, not a wall of text.
PROBLEMS_SHOWN = 3

NEXT_STEPS = ("continue", "new_cycle", "specialist", "end")
OUTCOMES = ("met", "partly", "not_met")
TEXT = 5_000  # the plan form's limit for each box (tandem/core/forms.py TEXT_LIMIT)


def _text(description: str, *, required: bool = True, limit: int = TEXT) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1 if required else 0,
        "maxLength": limit,
        "description": description,
    }


def _date(description: str, *, nullable: bool = False) -> dict[str, Any]:
    day = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if nullable:
        return {"description": description, "anyOf": [day, {"type": "null"}]}
    return {**day, "description": description}


def _object(properties: dict[str, Any], description: str, *, optional: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": [name for name in properties if name not in set(optional)],
        "additionalProperties": False,
    }


def _participation(choices: list[str], who: str) -> dict[str, Any]:
    return _object(
        {
            "how": {
                "description": f"How {who} took part; null when it was not recorded.",
                "enum": [*choices, None],
            },
            "reason": _text(
                'Why they did not take part (required when `how` is "none").',
                required=False,
                limit=REASON_LIMIT,
            ),
        },
        f"How {who} took part in agreeing the plan.",
    )


def schema() -> dict[str, Any]:
    """The JSON Schema of a `tandem-plan-1` file."""
    progress = _object(
        {
            "recorded_on": _date("When the progress was recorded."),
            "note": _text("The progress, against the success criterion."),
        },
        "Progress against the target in words (the sending school's evidence is not included).",
    )
    target = _object(
        {
            "skill": _text("The skill or behaviour the pupil will be able to show."),
            "measure": _text("How it is measured: who checks, with what, how often."),
            "baseline": _text("Where the pupil was when the target was set."),
            "success_criterion": _text("What counts as met."),
            "due_on": _date("By when."),
            "outcome": {
                "description": "How far it was met at the plan's review; null while the plan is open.",
                "enum": [*OUTCOMES, None],
            },
            "progress": {"type": "array", "items": progress, "maxItems": 200},
        },
        "A SMART target.",
    )
    review = _object(
        {
            "reviewed_on": _date("When the plan was reviewed."),
            "summary": _text("What the review found."),
            "pupil_views": _text("The pupil's views at the review."),
            "parent_views": _text("The parents' views at the review."),
            "next_step": {"description": "What the review decided.", "enum": list(NEXT_STEPS)},
        },
        "The review of the plan, when it has been reviewed.",
    )
    plan = _object(
        {
            "cycle": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "description": "Which assess-plan-do-review cycle at the sending school (1 for the first).",
            },
            "layer": {"description": "The layer of support.", "enum": codes(LAYERS)},
            "plan_type": {"description": "The kind of plan.", "enum": codes(PLAN_TYPES)},
            "starts_on": _date("When the plan starts."),
            "review_on": _date("When the plan is to be reviewed: no more than 12 months after it starts."),
            "need_identified_on": _date("When the need was first identified.", nullable=True),
            "agreed_on": _date("When the plan was agreed with the parents.", nullable=True),
            "summary": _text("Where the pupil is now and why support is needed."),
            "strengths": _text("The pupil's strengths."),
            "needs": _text("The pupil's needs, in plain words."),
            "pupil_views": _text("The pupil's views."),
            "parent_views": _text("The parents' views."),
            "participation": _object(
                {
                    "parent": _participation(codes(PARENT_PARTICIPATION), "the parents"),
                    "pupil": _participation(codes(PUPIL_PARTICIPATION), "the pupil"),
                },
                "How the parents and the pupil took part.",
            ),
            "strategies": _text("What every adult does in class."),
            "interventions": _text(
                "Support outside class, in words: the interventions by name, then anything else.",
                required=False,
                limit=2 * TEXT,
            ),
            "expected_impact": _text("What will be different by the review."),
            "review": {"anyOf": [review, {"type": "null"}]},
        },
        "The plan.",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Tandem transferable support plan, version 1",
        **_object(
            {
                "schema": {"const": SCHEMA_NAME, "description": "Which schema the file follows."},
                "schema_version": {"enum": list(SCHEMA_VERSIONS), "description": "Its version."},
                "exported_on": _date("When the file was made."),
                "school": _object(
                    {
                        "name": _text("The sending school's name.", limit=200),
                        "urn": {
                            "type": "string",
                            "pattern": r"^[0-9]{6,8}$",
                            "description": "The sending school's unique reference number.",
                        },
                    },
                    "The school that made the file.",
                ),
                "pupil": _object(
                    {
                        "upn": {
                            "type": "string",
                            "pattern": r"^[A-Z][0-9]{11}[0-9A-Z]$",
                            "description": "Unique pupil number: the receiving school matches on it.",
                        },
                        "forename": _text("Legal forename.", limit=100),
                        "surname": _text("Legal surname.", limit=100),
                        "date_of_birth": _date("Date of birth."),
                        "year_group": {
                            "type": "integer",
                            "minimum": -2,
                            "maximum": 14,
                            "description": "National Curriculum year: 0 is Reception, -1 and -2 nursery.",
                        },
                    },
                    "The pupil.",
                ),
                "plan": plan,
                "targets": {"type": "array", "items": target, "maxItems": 100},
            },
            "One support plan of one pupil, as a school gives it to the pupil's next school. No staff names "
            "or emails, internal notes, evidence or progress figures.",
        ),
    }


_VALIDATOR = Draft202012Validator(schema(), format_checker=FormatChecker())


def _where(path: Iterable[Any]) -> str:
    where = ""
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _describe(error: SchemaError) -> str:
    """One problem in words, starting with the field it is about."""
    where = _where(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        # One error per missing field, all with the same list: name them all at once (deduplicated below).
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [".".join(p for p in (where, name) if p) for name in expected if name not in present]
        return (
            f"{', '.join(missing)}: {'this field is' if len(missing) == 1 else 'these fields are'} missing."
        )
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = [".".join(p for p in (where, name) if p) for name in error.instance if name not in known]
        return (
            f"{', '.join(extra)}: {'this field is' if len(extra) == 1 else 'these fields are'} not part of a "
            f"{SCHEMA_NAME} file."
        )
    field = where or "the file"
    if kind in ("enum", "const"):
        allowed = expected if kind == "enum" else [expected]
        words = ", ".join("null" if v is None else str(v) for v in allowed)
        return f"{field}: {_shown(error.instance)} is not one of: {words}."
    if kind == "type":
        return f"{field}: should be {'an' if str(expected)[0] in 'aeiou' else 'a'} {expected}."
    if kind in ("format", "pattern") and error.schema.get("format") == "date":
        return f"{field}: {_shown(error.instance)} is not a date written as 2026-12-07."
    if kind == "pattern":
        return f"{field}: {_shown(error.instance)} is not in the expected form."
    if kind == "maxLength":
        return f"{field}: longer than {expected:,} characters."
    if kind == "minLength":
        return f"{field}: this cannot be empty."
    if kind in ("minimum", "maximum"):
        return f"{field}: {_shown(error.instance)} is out of range."
    if kind == "maxItems":
        return f"{field}: more than {expected} entries."
    if kind == "anyOf":
        # A nullable field or the review: explain against the non-null choice, which the file meant.
        inner = [e for e in error.context or [] if e.validator != "type" or e.validator_value != "null"]
        return _describe(inner[0]) if inner else f"{field}: not a valid value."
    return f"{field}: {error.message}"


def problems(document: Any) -> list[str]:
    """What stops `document` (parsed JSON) being a `tandem-plan-1` file, each naming its field, in the
    file's order; [] when it is one."""
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return list(dict.fromkeys(_describe(error) for error in errors))


def schema_text() -> str:
    """The schema as published in docs/schemas/ (two-space indent, a final newline)."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
