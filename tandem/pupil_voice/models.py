"""A pupil's own views, given with an adult ("about me"): what they are good at, what helps, what is hard
and what they want. Dated and attributed to the adult who helped, so a plan or passport can quote them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tandem.lib.about_me import ANSWER_LIMIT, FIELDS, QUESTIONS, labelled_lines
from tandem.people.models import Pupil, User
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School


class HowRecorded(models.TextChoices):
    # Whose words reached the page, and how: a reader of the plan can tell the pupil's own typing from an
    # adult's note of what they said or chose.
    TYPED = "typed", "The pupil typed it"
    SAID = "said", "The pupil said it and an adult wrote it down"
    SYMBOLS = "symbols", "With symbols or pictures; an adult wrote down what they chose"
    SIGNED = "signed", "The pupil signed or pointed; an adult wrote down what they meant"


class AboutMe(Withdrawable):
    """One sitting of "about me" with an adult. A mistake is withdrawn (kept, with its history), never
    deleted; a later sitting is a new record, so the pupil's views over time stay readable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="about_me")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    good_at = models.CharField(max_length=ANSWER_LIMIT, blank=True)
    what_helps = models.CharField(max_length=ANSWER_LIMIT, blank=True)
    what_is_hard = models.CharField(max_length=ANSWER_LIMIT, blank=True)
    what_i_want = models.CharField(max_length=ANSWER_LIMIT, blank=True)
    how_recorded = models.CharField(max_length=16, choices=HowRecorded.choices)
    # The signed-in adult who sat with the pupil: the record is theirs, not the pupil's account.
    recorded_with = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(good_at="", what_helps="", what_is_hard="", what_i_want=""),
                name="aboutme_something_answered",
            ),
            models.CheckConstraint(
                condition=Q(how_recorded__in=HowRecorded.values), name="aboutme_how_recorded_valid"
            ),
        ]
        indexes = [models.Index(fields=["pupil", "recorded_on"])]

    def __str__(self) -> str:
        return f"About me, {self.recorded_on}"

    @property
    def answers(self) -> list[tuple[str, str]]:
        """(question heading, answer) for each question, in the form's order; an unanswered one is ""."""
        return [(q.heading, getattr(self, q.field)) for q in QUESTIONS]

    def as_plan_text(self) -> str:
        """The answers as labelled lines, dated and attributed: the start of a plan's "pupil's views"."""
        return labelled_lines(
            {f: getattr(self, f) for f in FIELDS},
            recorded_on=self.recorded_on,
            adult=self.recorded_with.full_name,
            how=self.get_how_recorded_display(),
        )
