import xml.etree.ElementTree as ET

from tandem.lib.charts import Bar, Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - markup these tests made themselves


def _line(**overrides: object) -> ET.Element:
    arguments: dict[str, object] = {
        "chart_id": "gaps",
        "title": "Gap in reading",
        "desc": "The gap narrowed.",
        "x_labels": ["Autumn 2025", "Spring 2026", "Summer 2026"],
        "series": [Series("Reading", (0.9, 0.7, 0.5)), Series("Maths", (None, 0.4, 0.6))],
        "x_axis": "Assessment",
        "y_axis": "Gap in standard deviations",
    }
    arguments.update(overrides)
    return _parse(line_chart(**arguments))  # type: ignore[arg-type]


def _texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_it_labels_the_chart_for_screen_readers() -> None:
    svg = _line()
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "gaps-title gaps-desc"
    assert svg.find(f"{SVG}title").text == "Gap in reading"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}title").get("id") == "gaps-title"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "The gap narrowed."  # type: ignore[union-attr]


def test_it_labels_both_axes_and_every_window() -> None:
    texts = _texts(_line())
    assert "Assessment" in texts
    assert "Gap in standard deviations" in texts
    assert {"Autumn 2025", "Spring 2026", "Summer 2026"} <= set(texts)


def test_it_draws_each_series_with_its_own_dash_and_marker() -> None:
    svg = _line()
    groups = [g for g in svg.iter(f"{SVG}g") if "chart-series" in (g.get("class") or "")]
    assert len(groups) == 2
    first, second = (g.find(f"{SVG}polyline") for g in groups)
    assert first is not None and second is not None
    assert first.get("stroke-dasharray") != second.get("stroke-dasharray")
    assert first.get("stroke") != second.get("stroke")
    # Three points for reading, two for maths: a missing value leaves no marker.
    assert len(first.get("points", "").split()) == 3
    assert len(second.get("points", "").split()) == 2
    assert len(list(groups[0].iter(f"{SVG}circle"))) == 3
    assert len(list(groups[1].iter(f"{SVG}rect"))) == 2
    assert {"Reading", "Maths"} <= set(_texts(svg))


def test_it_never_uses_inline_styles_or_scripts() -> None:
    markup = line_chart(
        chart_id="c",
        title="t",
        desc="d",
        x_labels=["a", "b"],
        series=[Series("s", (1.0, 2.0))],
        x_axis="x",
        y_axis="y",
    )
    assert "style" not in markup
    assert "<script" not in markup
    assert " on" not in markup.replace(" one", "")


def test_it_escapes_text() -> None:
    svg = _line(
        title='Years 5 & 6 <"gap">',
        x_labels=["<b>Autumn</b>", "Spring"],
        series=[Series("Reading & writing", (1.0, 2.0))],
    )
    assert svg.find(f"{SVG}title").text == 'Years 5 & 6 <"gap">'  # type: ignore[union-attr]
    texts = _texts(svg)
    assert "<b>Autumn</b>" in texts
    assert "Reading & writing" in texts
    assert not list(svg.iter("b")) and not list(svg.iter(f"{SVG}b"))


def test_it_escapes_the_chart_id_in_attributes() -> None:
    svg = _line(chart_id='x" onload="alert(1)')
    assert svg.get("onload") is None


def test_it_places_larger_values_higher() -> None:
    svg = _line(series=[Series("Reading", (0.0, 1.0, 2.0))])
    line = next(svg.iter(f"{SVG}polyline"))
    ys = [float(point.split(",")[1]) for point in line.get("points", "").split()]
    assert ys[0] > ys[1] > ys[2]


def test_it_draws_a_single_window_as_markers_without_a_line() -> None:
    svg = _line(x_labels=["Autumn 2025"], series=[Series("Reading", (0.5,))])
    series = next(g for g in svg.iter(f"{SVG}g") if "chart-series" in (g.get("class") or ""))
    assert not list(series.iter(f"{SVG}polyline"))
    assert len(list(series.iter(f"{SVG}circle"))) == 1


def test_it_rounds_ticks_to_steps_that_cover_the_values() -> None:
    assert nice_ticks(-0.93, 0.12) == [-1.0, -0.5, 0.0, 0.5]
    assert nice_ticks(0, 1234) == [0, 500, 1000, 1500]
    ticks = nice_ticks(3, 3)
    assert ticks[0] <= 3 <= ticks[-1] and len(ticks) > 1


def test_it_draws_one_labelled_bar_per_row_with_its_value_written() -> None:
    svg = _parse(
        bar_chart(
            chart_id="cost",
            title="Cost by area",
            desc="Cognition costs most.",
            bars=[Bar("Cognition & learning", 1200.0), Bar("Sensory", 300.0)],
            value_axis="Cost in pounds",
        )
    )
    assert svg.get("role") == "img"
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert len(bars) == 2
    assert float(bars[0].get("width", "0")) > float(bars[1].get("width", "0"))
    texts = _texts(svg)
    assert {"Cognition & learning", "Sensory", "1200", "300", "Cost in pounds"} <= set(texts)


def test_it_keeps_zero_on_the_value_axis_when_asked() -> None:
    series = [Series("Reading", (0.6, 0.9))]
    plain = {t.text for t in _line(series=series).iter(f"{SVG}text")}
    with_zero = {t.text for t in _line(series=series, include_zero=True).iter(f"{SVG}text")}
    assert "0" not in plain
    assert "0" in with_zero
