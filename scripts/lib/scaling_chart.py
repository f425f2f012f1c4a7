"""scaling.svg: speed-up against ranks × threads, one line per (mode, threads per rank), with the ideal line."""

import math
from typing import List, Tuple
from xml.sax.saxutils import escape

from scaling_results import Configuration, speedup

WIDTH, HEIGHT = 760, 470
LEFT, RIGHT, TOP, BOTTOM = 70, 540, 50, 400  # the plot frame; the legend sits right of it
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]
DASHES = {"strong": "", "weak": "7 4"}


def _attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _tick_step(limit: float) -> float:
    """A step of 1, 2 or 5 × 10^k that puts five to ten ticks on an axis from 0 to `limit`."""
    raw = limit / 6
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= raw)


def _ticks(limit, step):
    """0, step, 2·step, … up to `limit` (inclusive, allowing for rounding)."""
    count = int(limit / step + 1e-9)
    return [i * step for i in range(count + 1)]


def _format(value: float) -> str:
    return f"{value:g}"


def series(configurations: List[Configuration]) -> List[Tuple[str, str, int, List[Configuration]]]:
    """(label, mode, threads, points by workers) for every (mode, threads) that has a speed-up.

    A series' colour says its threads per rank, its dash its mode (weak is dashed).
    """
    result = []
    for mode in ("strong", "weak"):
        for threads in sorted({c.threads for c in configurations}):
            points = [c for c in configurations
                      if c.mode == mode and c.threads == threads and speedup(c, configurations) is not None]
            if points:
                label = f"{mode}, {threads} thread{'s' if threads > 1 else ''}/rank"
                result.append((label, mode, threads, sorted(points, key=lambda c: c.workers)))
    return result


def chart(configurations: List[Configuration], cores: int, title: str) -> str:
    """The SVG markup of the speed-up chart."""
    lines = series(configurations)
    x_limit = max([c.workers for c in configurations] + [2])
    y_limit = max([x_limit] + [speedup(c, configurations) for _, _, _, points in lines for c in points])
    x_step, y_step = max(1, _tick_step(x_limit)), _tick_step(y_limit)
    x_limit, y_limit = math.ceil(x_limit / x_step) * x_step, math.ceil(y_limit / y_step) * y_step

    def x(value: float) -> float:
        return LEFT + (RIGHT - LEFT) * value / x_limit

    def y(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * value / y_limit

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>",
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{(LEFT + RIGHT) / 2}" y="28" text-anchor="middle" font-size="15">{escape(title)}</text>']

    # MARK: Grid, ticks and axis labels
    x_ticks, y_ticks = _ticks(x_limit, x_step), _ticks(y_limit, y_step)
    svg.append('<g class="grid" stroke="#e5e5e5">')
    svg += [f'<line x1="{x(t):.1f}" y1="{TOP}" x2="{x(t):.1f}" y2="{BOTTOM}"/>' for t in x_ticks]
    svg += [f'<line x1="{LEFT}" y1="{y(t):.1f}" x2="{RIGHT}" y2="{y(t):.1f}"/>' for t in y_ticks]
    svg.append("</g>")
    svg.append('<g class="ticks">')
    svg += [f'<text x="{x(t):.1f}" y="{BOTTOM + 18}" text-anchor="middle">{_format(t)}</text>' for t in x_ticks]
    svg += [f'<text x="{LEFT - 8}" y="{y(t) + 4:.1f}" text-anchor="end">{_format(t)}</text>' for t in y_ticks]
    svg.append("</g>")
    svg.append(f'<text x="{(LEFT + RIGHT) / 2}" y="{BOTTOM + 42}" text-anchor="middle">'
               "workers = ranks × threads per rank</text>")
    svg.append(f'<text x="20" y="{(TOP + BOTTOM) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 20 {(TOP + BOTTOM) / 2})">speed-up over np=1 × 1 thread</text>')

    # MARK: Cores of the node, ideal line, series
    if cores < x_limit:
        svg.append(f'<line class="cores" x1="{x(cores):.1f}" y1="{TOP}" x2="{x(cores):.1f}" y2="{BOTTOM}" '
                   'stroke="#999" stroke-dasharray="2 3"/>')
        svg.append(f'<text x="{x(cores) + 4:.1f}" y="{TOP + 14}" fill="#666">{cores} cores</text>')
    svg.append(f'<polyline class="ideal" points="{x(0):.1f},{y(0):.1f} {x(x_limit):.1f},{y(x_limit):.1f}" '
               'fill="none" stroke="#444" stroke-width="1.2" stroke-dasharray="4 3"/>')
    thread_counts = sorted({threads for _, _, threads, _ in lines})

    def color(threads: int) -> str:
        return COLORS[thread_counts.index(threads) % len(COLORS)]

    for label, mode, threads, points in lines:
        color_value = color(threads)
        coordinates = " ".join(f"{x(c.workers):.1f},{y(speedup(c, configurations)):.1f}" for c in points)
        dash = f' stroke-dasharray="{DASHES[mode]}"' if DASHES[mode] else ""
        svg.append(f'<polyline class="series" data-label="{_attribute(label)}" points="{coordinates}" '
                   f'fill="none" stroke="{color_value}" stroke-width="2"{dash}/>')
        for c in points:
            fill = "white" if c.oversubscribed else color_value
            svg.append(f'<circle cx="{x(c.workers):.1f}" cy="{y(speedup(c, configurations)):.1f}" r="4" '
                       f'fill="{fill}" stroke="{color_value}" stroke-width="1.5"><title>{escape(label)}: '
                       f'{c.ranks} × {c.threads}, speed-up {speedup(c, configurations):.2f}</title></circle>')
    svg.append(f'<rect x="{LEFT}" y="{TOP}" width="{RIGHT - LEFT}" height="{BOTTOM - TOP}" '
               'fill="none" stroke="#333"/>')

    # MARK: Legend
    legend_x, row = RIGHT + 20, TOP + 10
    svg.append('<g class="legend">')
    for label, mode, threads, _ in lines:
        color_value = color(threads)
        dash = f' stroke-dasharray="{DASHES[mode]}"' if DASHES[mode] else ""
        svg.append(f'<line x1="{legend_x}" y1="{row}" x2="{legend_x + 28}" y2="{row}" stroke="{color_value}" '
                   f'stroke-width="2"{dash}/>')
        svg.append(f'<text x="{legend_x + 36}" y="{row + 4}">{escape(label)}</text>')
        row += 22
    svg.append(f'<line x1="{legend_x}" y1="{row}" x2="{legend_x + 28}" y2="{row}" stroke="#444" '
               'stroke-dasharray="4 3"/>')
    svg.append(f'<text x="{legend_x + 36}" y="{row + 4}">ideal (speed-up = workers)</text>')
    row += 22
    svg.append(f'<circle cx="{legend_x + 14}" cy="{row}" r="4" fill="white" stroke="#444" stroke-width="1.5"/>')
    svg.append(f'<text x="{legend_x + 36}" y="{row + 4}">oversubscribed (&gt; {cores} cores)</text>')
    svg.append("</g>")
    svg.append("</svg>")
    return "\n".join(svg) + "\n"


def write_chart(path: str, configurations: List[Configuration], cores: int, title: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(chart(configurations, cores, title))
