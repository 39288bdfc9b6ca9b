"""The report screen's plots (textual-plotext): waits by hour of issue, load per window,
served and mean wait day by day, and each day's 忙闲均衡度. Only numbers go inside a plot
(plotext counts a Chinese character as one column): titles and legends are the frame's."""

from __future__ import annotations

import math

from textual_plotext import PlotextPlot

from queue_app.report_models import ReportOut

# the series' colours, in the plot and in its legend
MEAN, P90, TARGET, SERVED, LOAD = "cyan", "magenta", "red", "blue", "green"


def _fresh(widget: PlotextPlot) -> None:
    plt = widget.plt
    plt.clear_figure()
    plt.frame(True)


def _ticks(labels: list[str], room: int) -> tuple[list[float], list[str]]:
    """At most ``room`` of ``labels``, evenly spread (positions and labels)."""
    step = max(1, -(-len(labels) // max(1, room)))
    chosen = list(range(0, len(labels), step))
    return [float(i) for i in chosen], [labels[i] for i in chosen]


def _scale(widget: PlotextPlot, top: float, yside: int = 1) -> None:
    """The y axis from 0 to at least ``top`` in round steps (1, 2 or 5 times a power of
    ten), at most four of them; ``yside`` 1 the left axis, 2 the right."""
    top = top or 1.0
    power = 10 ** math.floor(math.log10(top / 4))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= top / 4)
    ticks = [step * i for i in range(math.ceil(top / step - 1e-9) + 1)]
    digits = max(0, -math.floor(math.log10(step) + 1e-9))
    widget.plt.ylim(0, ticks[-1], yside=yside)
    widget.plt.yticks(ticks, [f"{t:.{digits}f}" for t in ticks], yside=yside)


def waits_by_hour(widget: PlotextPlot, hours: ReportOut, target_minutes: float) -> None:
    """Mean and p90 wait (minutes) of the tickets issued in each hour, the target a line."""
    _fresh(widget)
    plt = widget.plt
    lines = [x for x in hours.lines if x.now.waited]
    if lines:
        labels = [x.key for x in lines]
        means = [x.now.mean_wait_minutes or 0.0 for x in lines]
        p90s = [x.now.p90_wait_minutes or 0.0 for x in lines]
        plt.multiple_bar(labels, [means, p90s], color=[MEAN, P90])  # type: ignore[arg-type]  # one per series
        plt.hline(target_minutes, TARGET)
        _scale(widget, max([*p90s, target_minutes]))
    widget.refresh()


def load_per_window(widget: PlotextPlot, windows: ReportOut) -> None:
    """Each window's utilisation (busy over open time, %) over the period."""
    _fresh(widget)
    plt = widget.plt
    lines = [x for x in windows.lines if x.now.open_minutes > 0]
    if lines:
        plt.bar(
            [x.key for x in lines],
            [100 * (x.now.utilisation or 0.0) for x in lines],
            color=LOAD,
            width=0.6,
        )
        _scale(widget, min(100.0 / 1.1, max(100 * (x.now.utilisation or 0.0) for x in lines)))
    widget.refresh()


def served_and_waits(widget: PlotextPlot, report: ReportOut) -> None:
    """Tickets served each day (bars, left) and the day's mean wait (line, right)."""
    _fresh(widget)
    plt = widget.plt
    days = report.trend
    if any(d.figures.issued for d in days):
        xs = list(range(len(days)))
        served = [d.figures.served for d in days]
        plt.bar(xs, served, color=SERVED, width=0.7)
        _scale(widget, max(served))
        waits = [(i, d.figures.mean_wait_minutes) for i, d in enumerate(days)]
        shown = [(i, w) for i, w in waits if w is not None]
        if shown:
            plt.plot(*zip(*shown, strict=True), color=MEAN, marker="braille", yside="right")
            _scale(widget, max(w for _, w in shown), 2)
        plt.xticks(*_ticks([d.day[5:] for d in days], max(2, widget.size.width // 8)))
    widget.refresh()


def balance_by_day(widget: PlotextPlot, report: ReportOut) -> None:
    """Each day's 忙闲均衡度 (the spread of the windows' busy time over its mean; 0 even)."""
    _fresh(widget)
    plt = widget.plt
    days = report.trend
    shown = [(i, d.load_balance) for i, d in enumerate(days) if d.load_balance is not None]
    if shown:
        plt.plot(*zip(*shown, strict=True), color=LOAD, marker="braille")
        plt.xlim(-0.5, len(days) - 0.5)
        _scale(widget, max(b for _, b in shown))
        plt.xticks(*_ticks([d.day[5:] for d in days], max(2, widget.size.width // 8)))
    widget.refresh()
