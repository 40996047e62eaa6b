"""Charts drawn on the server with matplotlib and handed to the page as inline SVG (no
JavaScript). The object API (Figure, not pyplot) keeps no global state between requests."""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

from django.core.cache import cache  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend

# Labels are product and dealer names: never read "$...$" in them as mathematics.
STYLE = {"svg.fonttype": "none", "text.parse_math": False, "font.size": 9}
COLOURS = ("#2f6f9f", "#d9822b", "#4f9a4f", "#a83c3c", "#7a5ea8")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    style: str = "bar"  # bar or line


@dataclass(frozen=True)
class Chart:
    title: str
    labels: Sequence[str]
    series: Sequence[Series] = field(default_factory=tuple)
    horizontal: bool = False
    y_label: str = ""


CACHE_SECONDS = 24 * 3600


def render_svg(chart: Chart) -> str:
    """The chart as an <svg> element (no XML prolog), or "" when there is nothing to draw.
    Drawing takes a few hundred milliseconds, so a drawing is kept in the cache under the
    hash of what it shows: the same numbers are never drawn twice."""
    if not chart.labels or not chart.series:
        return ""
    key = "insights-svg:" + hashlib.sha256(repr(chart).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _draw(chart)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def warm_up() -> None:
    """Draw one small chart and throw it away: a process's first drawing loads fonts and the
    SVG writer (about half a second), which a web worker does at start rather than in the
    first dashboard a reader opens (operations/gunicorn_conf.py)."""
    _draw(Chart(title="warm-up", labels=("a", "b"), series=(Series("s", (1, 2)), Series("t", (2, 1), "line"))))


def _draw(chart: Chart) -> str:
    with matplotlib.rc_context(STYLE):
        height = max(3.0, 0.28 * len(chart.labels) + 1) if chart.horizontal else 3.4
        figure = Figure(figsize=(7.5, height))
        axes = figure.add_subplot()
        positions = list(range(len(chart.labels)))
        bars = [s for s in chart.series if s.style == "bar"]
        width = 0.8 / max(1, len(bars))
        for index, series in enumerate(chart.series):
            colour = COLOURS[index % len(COLOURS)]
            values = [float(v) for v in series.values]
            if series.style == "line":
                axes.plot(positions, values, marker="o", markersize=3, color=colour, label=series.name)
                continue
            offset = (bars.index(series) - (len(bars) - 1) / 2) * width
            shifted = [p + offset for p in positions]
            if chart.horizontal:
                axes.barh(shifted, values, height=width, color=colour, label=series.name)
            else:
                axes.bar(shifted, values, width=width, color=colour, label=series.name)
        _label_axes(axes, chart, positions)
        if len(chart.series) > 1:
            axes.legend(frameon=False)
        # Fixed margins: tight_layout measures every label and costs a third of the drawing.
        left = min(0.45, 0.08 + 0.0105 * max(len(str(label)[:40]) for label in chart.labels)) if chart.horizontal else 0.09
        figure.subplots_adjust(left=left, right=0.97, top=0.9, bottom=0.12 if chart.horizontal else 0.25)
        out = io.StringIO()
        figure.savefig(out, format="svg")
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def _label_axes(axes, chart: Chart, positions: list[int]) -> None:
    axes.set_title(chart.title, loc="left")
    labels = [str(label)[:40] for label in chart.labels]
    every = max(1, len(labels) // 24)  # at most ~24 tick labels on a time axis
    if chart.horizontal:
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlabel(chart.y_label)
    else:
        rotated = len(labels) > 6
        axes.set_xticks(
            positions[::every], labels[::every], rotation=45 if rotated else 0, ha="right" if rotated else "center"
        )
        axes.set_ylabel(chart.y_label)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x" if chart.horizontal else "y", alpha=0.3)
