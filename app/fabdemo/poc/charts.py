"""Inline SVG charts for the POC report, drawn here (no chart library, no script: it prints and works offline).

Every text comes in both languages as two ``<text>`` elements with the classes ``en`` and ``zh``; the
report's stylesheet shows one of them.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

PALETTE = [
    "#1f6feb",
    "#d1242f",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#bf3989",
    "#0a7ea4",
    "#57606a",
    "#e16f24",
    "#2da44e",
    "#6e40c9",
    "#c69026",
]
Point = tuple[float, float]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    ticks = [round(start, 10)]
    while ticks[-1] < hi - step * 1e-9:  # the last tick at or above the highest value
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 10000 else f"{value / 1000:g}k"


def _bilingual(x: float, y: float, en: str, zh: str, extra: str = "") -> str:
    return (
        f'<text class="en" x="{x:.1f}" y="{y:.1f}" {extra}>{escape(en)}</text>'
        f'<text class="zh" x="{x:.1f}" y="{y:.1f}" {extra}>{escape(zh)}</text>'
    )


class Frame:
    """Axes, ticks and labels of a chart; ``x()``/``y()`` map data to pixels."""

    def __init__(
        self, xs: list[float], ys: list[float], *, width: int, height: int, y_zero: bool = True, legend_rows: int = 0
    ) -> None:
        self.width, self.height = width, height
        self.left, self.right, self.top = 58, width - 16, 26
        self.bottom = height - 40 - 16 * legend_rows
        self.xticks = nice_ticks(min(xs, default=0), max(xs, default=1))
        lo = 0.0 if y_zero else min(ys, default=0)
        self.yticks = nice_ticks(lo, max(ys, default=1) or 1)
        self.x0, self.x1 = self.xticks[0], self.xticks[-1]
        self.y0, self.y1 = self.yticks[0], self.yticks[-1]

    def x(self, value: float) -> float:
        return self.left + (value - self.x0) / ((self.x1 - self.x0) or 1) * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y0) / ((self.y1 - self.y0) or 1) * (self.bottom - self.top)

    def axes(self, x_label: tuple[str, str], y_label: tuple[str, str]) -> str:
        w, h = self.right - self.left, self.bottom - self.top
        parts = [f'<rect x="{self.left}" y="{self.top}" width="{w}" height="{h}" class="plot"/>']
        for t in self.yticks:
            y = self.y(t)
            parts.append(f'<line x1="{self.left}" x2="{self.right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
            parts.append(f'<text x="{self.left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_fmt(t)}</text>')
        for t in self.xticks:
            x = self.x(t)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.bottom}" y2="{self.bottom + 4}" class="axis"/>')
            parts.append(f'<text x="{x:.1f}" y="{self.bottom + 16}" text-anchor="middle" class="tick">{_fmt(t)}</text>')
        parts.append(
            _bilingual((self.left + self.right) / 2, self.bottom + 32, *x_label, 'text-anchor="middle" class="label"')
        )
        parts.append(_bilingual(self.left, self.top - 10, *y_label, 'class="label"'))
        return "".join(parts)

    def legend(self, names: list[tuple[str, str]]) -> str:
        parts = []
        for i, (x, row) in enumerate(legend_layout(names, self.left, self.right)):
            en, zh = names[i]
            y = self.bottom + 48 + 16 * row
            color = PALETTE[i % len(PALETTE)]
            parts.append(f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
            parts.append(_bilingual(x + 14, y, en, zh, 'class="tick"'))
        return "".join(parts)


def _text_width(text: str) -> float:
    """Rough width at 11px: CJK characters are about twice as wide as Latin ones."""
    return sum(11 if ord(ch) > 0x2E80 else 6.2 for ch in text)


def legend_layout(names: list[tuple[str, str]], left: float, right: float) -> list[tuple[float, int]]:
    """(x, row) of each legend entry, wrapping at ``right`` (the wider of the two languages decides)."""
    placed = []
    x, row = left, 0
    for en, zh in names:
        width = 14 + max(_text_width(en), _text_width(zh))
        if x + width > right and x > left:
            x, row = left, row + 1
        placed.append((x, row))
        x += width + 14
    return placed


def _svg(frame: Frame, body: str, title: tuple[str, str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" class="chart" role="img">'
        f"<title>{escape(title[0])} / {escape(title[1])}</title>{body}</svg>"
    )


def line_chart(
    series: list[dict[str, Any]],
    *,
    x_label: tuple[str, str],
    y_label: tuple[str, str],
    title: tuple[str, str],
    width: int = 760,
    height: int = 280,
    markers: bool = False,
) -> str | None:
    """``series``: ``{name: (en, zh), points: [(x, y)], dashed: bool}``; None values break the line."""
    drawn = [s for s in series if any(p[1] is not None for p in s["points"])]
    if not drawn:
        return None
    xs = [p[0] for s in drawn for p in s["points"]]
    ys = [p[1] for s in drawn for p in s["points"] if p[1] is not None]
    names = [s["name"] for s in drawn]
    legend_rows = 1 + max(row for _x, row in legend_layout(names, 58, width - 16)) if len(drawn) > 1 else 0
    frame = Frame(xs, ys, width=width, height=height + 16 * legend_rows, legend_rows=legend_rows)
    parts = [frame.axes(x_label, y_label)]
    for i, s in enumerate(drawn):
        color = PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="5 4"' if s.get("dashed") else ""
        segment: list[str] = []
        segments: list[list[str]] = [segment]
        for x, y in s["points"]:
            if y is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{frame.x(x):.1f},{frame.y(y):.1f}")
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="2"{dash}/>'
                )
            if markers or len(seg) == 1:
                parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{color}"/>' for p in seg]
    if legend_rows:
        parts.append(frame.legend(names))
    return _svg(frame, "".join(parts), title)


def bar_chart(
    values: list[Point],
    *,
    x_label: tuple[str, str],
    y_label: tuple[str, str],
    title: tuple[str, str],
    width: int = 760,
    height: int = 240,
) -> str | None:
    """Bars at x positions (block numbers, say)."""
    if not values:
        return None
    xs = [x for x, _ in values]
    frame = Frame([min(xs) - 0.5, max(xs) + 0.5], [y for _, y in values], width=width, height=height)
    bar = max(1.0, (frame.right - frame.left) / max(len(values), 1) * 0.8)
    parts = [frame.axes(x_label, y_label)]
    for x, y in values:
        top = frame.y(y)
        left, h = frame.x(x) - bar / 2, frame.bottom - top
        parts.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>')
    return _svg(frame, "".join(parts), title)
