"""Words for the dashboards: pure Python, no Django, so they are quick to test on their own."""

from __future__ import annotations


def gap_sentence(subject: str, points: list[tuple[str, float]]) -> str:
    """One sentence on how the gap between pupils on the SEN register and others moved in one subject.

    `points` are (window name, gap) oldest first, the gap in standard deviations (positive: pupils on
    the register are behind). Narrowing and widening compare sizes, so a gap that changes sign is read
    by how far apart the two groups are.
    """
    who = "the gap between pupils on the SEN register and others"
    if not points:
        return f"In {subject}, there are not yet enough results to give {who}."
    first_window, first = points[0]
    last_window, last = points[-1]
    if len(points) == 1:
        return f"In {subject}, {who} was {last:.2f} standard deviations in {last_window}."
    if round(abs(first), 2) == round(abs(last), 2):
        return f"In {subject}, {who} stayed at {last:.2f} standard deviations since {first_window}."
    movement = "narrowed" if abs(last) < abs(first) else "widened"
    return (
        f"In {subject}, {who} {movement} from {first:.2f} to {last:.2f} standard deviations "
        f"since {first_window}."
    )
