"""Small charts as SVG, drawn on the server: no script, no chart library, nothing fetched.

Each chart is an image with a title and a one-sentence description for screen readers; the
page puts the numbers in a table beside it. Bars are at least 3:1 against the background
(WCAG 1.4.11) and each series is named in a legend, not told by colour alone. The SVG scales
to its container (viewBox, width 100%), so it fits a 360 px phone.
"""

from __future__ import annotations

from html import escape

INK = "#1f2933"
GRID = "#9aa5b1"
SERIES = ("#00695c", "#a34a00")  # teal 6.3:1, burnt orange 6.1:1 on white
WIDTH = 360
# Readable on a 360 px phone, where the chart is drawn at about 0.85 of its size.
FONT = 'font-family="system-ui, sans-serif" font-size="14"'
LONGEST_LABEL = 20  # characters; the full names are in the table beside the chart


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str]) -> str:
    return (
        f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def daily_bars(
    chart_id: str,
    title: str,
    description: str,
    days: list[str],
    series: dict[str, list[int]],
) -> str:
    """Bars per day, one bar per series side by side; first and last day named below."""
    height, top, bottom, left = 240, 34, 28, 36
    plot_height = height - top - bottom
    peak = max([1, *(v for values in series.values() for v in values)])
    slot = (WIDTH - left - 8) / max(1, len(days))
    bar = max(1.0, slot * 0.8 / max(1, len(series)))
    body = [f'<g {FONT} fill="{INK}">']
    for n, name in enumerate(series):
        x = left + n * 120
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{SERIES[n]}"/>')
        body.append(f'<text x="{x + 18}" y="17">{escape(name)}</text>')
    body.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>')
    body.append(f'<text x="{left - 6}" y="{top + plot_height}" text-anchor="end">0</text>')
    body.append(
        f'<line x1="{left}" y1="{top + plot_height}" x2="{WIDTH - 8}" '
        f'y2="{top + plot_height}" stroke="{GRID}"/>'
    )
    for d, _ in enumerate(days):
        for n, values in enumerate(series.values()):
            value = values[d]
            bar_height = plot_height * value / peak
            x = left + d * slot + slot * 0.1 + n * bar
            body.append(
                f'<rect x="{x:.1f}" y="{top + plot_height - bar_height:.1f}" '
                f'width="{bar:.1f}" height="{bar_height:.1f}" fill="{SERIES[n]}"/>'
            )
    if days:
        body.append(f'<text x="{left}" y="{height - 8}">{escape(days[0])}</text>')
        body.append(
            f'<text x="{WIDTH - 8}" y="{height - 8}" text-anchor="end">{escape(days[-1])}</text>'
        )
    body.append("</g>")
    return _svg(chart_id, title, description, height, body)


def horizontal_bars(
    chart_id: str, title: str, description: str, rows: list[tuple[str, float, str]]
) -> str:
    """One bar per row: (label, value, value as shown); bars scaled to the largest value."""
    row_height, label_width = 28, 156
    height = max(1, len(rows)) * row_height + 8
    peak = max([v for _, v, _ in rows] + [0]) or 1
    room = WIDTH - label_width - 52
    body = [f'<g {FONT} fill="{INK}">']
    for n, (label, value, shown) in enumerate(rows):
        y = 4 + n * row_height
        width = room * value / peak
        short = label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "\u2026"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
        )
        body.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="18" '
            f'fill="{SERIES[0]}"/>'
        )
        body.append(f'<text x="{label_width + width + 6:.1f}" y="{y + 17}">{escape(shown)}</text>')
    if not rows:
        body.append(f'<text x="8" y="20">{escape("Nothing yet")}</text>')
    body.append("</g>")
    return _svg(chart_id, title, description, height, body)
