from tandem.dashboards.wording import gap_sentence

WHO = "the gap between pupils on the SEN register and others"


def test_it_says_whether_the_gap_narrowed_widened_or_stayed() -> None:
    points = [("Autumn 2025", 0.9), ("Spring 2026", 0.75), ("Summer 2026", 0.6)]
    assert gap_sentence("reading", points) == (
        f"In reading, {WHO} narrowed from 0.90 to 0.60 standard deviations since Autumn 2025."
    )
    assert "widened from 0.40 to 0.70" in gap_sentence("maths", [("Autumn 2025", 0.4), ("Spring 2026", 0.7)])
    assert "stayed at 0.50" in gap_sentence("maths", [("Autumn 2025", 0.5), ("Spring 2026", 0.501)])


def test_it_reads_a_single_window_without_a_trend() -> None:
    assert gap_sentence("writing", [("Autumn 2025", 0.3)]) == (
        f"In writing, {WHO} was 0.30 standard deviations in Autumn 2025."
    )
