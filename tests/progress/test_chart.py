from tandem.progress.chart import ChartPoint, progress_chart


def test_it_draws_the_pupil_line_inside_the_plot():
    chart = progress_chart(
        [
            ChartPoint("Aut", 100, 95, 100, 105),
            ChartPoint("Spr", 94, 96, 101, 106),
            ChartPoint("Sum", 90, 92, 97, 102),
        ]
    )
    assert chart is not None
    xs = [m.x for m in chart.markers]
    assert xs == sorted(xs) and xs[0] == chart.plot_left and xs[-1] == chart.plot_right
    ys = [m.y for m in chart.markers]
    assert ys[0] < ys[1] < ys[2]  # falling scores go down the page
    assert all(chart.y_ticks[-1].y <= y <= chart.plot_bottom for y in ys)
    assert len(chart.band.split()) == 6


def test_it_draws_nothing_with_a_single_window():
    assert progress_chart([ChartPoint("Aut", 100)]) is None


def test_it_skips_missing_scores_and_bands():
    chart = progress_chart([ChartPoint("Aut", 100), ChartPoint("Spr", None), ChartPoint("Sum", 104)])
    assert chart is not None
    assert len(chart.markers) == 2
    assert chart.band == "" and chart.median_line == ""
