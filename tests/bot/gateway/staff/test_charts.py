"""The server-drawn charts: images with words for screen readers, bars to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from bot.gateway.staff.charts import daily_bars, horizontal_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_a_chart_is_an_image_with_a_title_and_a_description():
    svg = ElementTree.fromstring(
        horizontal_bars(
            "rates", "How messages ended", "Answered 60 %.", [("Answered", 0.6, "60 %")]
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "rates-title rates-desc"
    assert svg.find(f"{SVG}title").text == "How messages ended"
    assert svg.find(f"{SVG}desc").text == "Answered 60 %."


def test_bars_are_to_scale_and_labels_are_escaped():
    svg = horizontal_bars("s", "Top", "d", [("<b>MRI</b>", 4, "4"), ("CT & PET", 2, "2")])
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]
    assert "&lt;b&gt;MRI&lt;/b&gt;" in svg and "CT &amp; PET" in svg
    ElementTree.fromstring(svg)  # well-formed


def test_daily_bars_draw_every_series_for_every_day():
    svg = daily_bars(
        "d",
        "Per day",
        "desc",
        ["2026-11-29", "2026-11-30"],
        {"Messages": [3, 6], "Conversations": [1, 2]},
    )
    # Bars are placed to a tenth of a pixel; the legend's squares on whole pixels.
    bars = re.findall(r'<rect x="\d+\.\d" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)
    assert len(bars) == 4
    heights = [float(h) for h in bars]
    assert heights[2] == 2 * heights[0]  # 6 messages against 3
    assert "2026-11-29" in svg and "2026-11-30" in svg


def test_an_empty_chart_says_so():
    assert "Nothing yet" in horizontal_bars("s", "Top", "none", [])
