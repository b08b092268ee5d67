"""Charts as SVG for the reports' PDFs (WeasyPrint draws SVG; it runs no JavaScript, so the
page's Chart.js charts cannot be printed from the server). Three shapes, the ones the reports
use: a donut, horizontal stacked bars, a line of percentages. Same Okabe–Ito palette as the
page; every text is escaped; numbers come formatted by the caller (the locale's)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
ON_TIME, OVERDUE = "#0072B2", "#D55E00"
FONT = 'font-family="DejaVu Sans" font-size="9"'


@dataclass(frozen=True)
class Slice:
    label: str
    value: float


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every text escaped above)


def _nice(value: float) -> float:
    """The axis' top: the value rounded up to 2, 4, 6, 8 or 10 × a power of ten (so its half,
    marked too, is a whole number as well)."""
    if value <= 0:
        return 2
    power: float = 10.0 ** math.floor(math.log10(value))
    return next(
        power * k for k in (1, 2, 4, 6, 8, 10) if power * k >= value and (k != 1 or power >= 10)
    )


def _text_width(text: str) -> float:
    """About how wide a text is at the charts' 9 px DejaVu Sans (5.5 px a character)."""
    return len(text) * 5.5


def _shorten(text: str, width: float) -> str:
    """The text cut with "…" to fit about `width` px (the tables beside the charts have it
    whole)."""
    fits = int(width / 5.5)
    return text if len(text) <= fits else text[: max(fits - 1, 1)].rstrip() + "…"


def donut(slices: Sequence[Slice], *, title: str, fmt: Callable[[float], str] = str) -> SafeString:
    """A donut with its legend on the right: "label — value"."""
    total = sum(s.value for s in slices) or 1
    cx, cy, outer, inner = 80.0, 80.0, 70.0, 40.0
    body: list[str] = []
    angle = -math.pi / 2
    for n, piece in enumerate(slices):
        sweep = 2 * math.pi * piece.value / total
        colour = PALETTE[n % len(PALETTE)]
        if sweep >= 2 * math.pi - 1e-9:  # one slice: two circles make the ring
            body.append(
                f'<circle cx="{cx}" cy="{cy}" r="{(outer + inner) / 2}" fill="none" '
                f'stroke="{colour}" stroke-width="{outer - inner}"/>'
            )
        elif sweep > 0:
            body.append(f'<path d="{_arc(cx, cy, outer, inner, angle, sweep)}" fill="{colour}"/>')
        angle += sweep
        y = 16 + n * 16
        body.append(f'<rect x="175" y="{y - 8}" width="10" height="10" fill="{colour}"/>')
        text = f"{escape(piece.label)} — {escape(fmt(piece.value))}"
        body.append(f'<text x="190" y="{y}" {FONT}>{text}</text>')
    height = max(160, 16 + 16 * len(slices))
    return _svg(460, height, body, title)


def _arc(cx: float, cy: float, outer: float, inner: float, start: float, sweep: float) -> str:
    end = start + sweep
    large = 1 if sweep > math.pi else 0

    def point(radius: float, angle: float) -> str:
        return f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}"

    return (
        f"M{point(outer, start)} A{outer},{outer} 0 {large} 1 {point(outer, end)} "
        f"L{point(inner, end)} A{inner},{inner} 0 {large} 0 {point(inner, start)} Z"
    )


def stacked_bars(
    rows: Sequence[tuple[str, float, float]],
    *,
    title: str,
    legend: tuple[str, str],
    fmt: Callable[[float], str] = str,
) -> SafeString:
    """Horizontal bars of two stacked parts (on time, overdue) per label."""
    top = max((a + b for _label, a, b in rows), default=0) or 1
    left, width, bar = 150, 280, 14
    second_at = left + 24 + _text_width(legend[0])
    body = [
        f'<rect x="{left}" y="4" width="10" height="10" fill="{ON_TIME}"/>',
        f'<text x="{left + 14}" y="13" {FONT}>{escape(legend[0])}</text>',
        f'<rect x="{second_at}" y="4" width="10" height="10" fill="{OVERDUE}"/>',
        f'<text x="{second_at + 14}" y="13" {FONT}>{escape(legend[1])}</text>',
    ]
    for n, (label, first, second) in enumerate(rows):
        y = 24 + n * (bar + 8)
        a, b = width * first / top, width * second / top
        body.append(
            f'<text x="{left - 6}" y="{y + 10}" text-anchor="end" {FONT}>'
            f"{escape(_shorten(label, left - 10))}</text>"
        )
        body.append(f'<rect x="{left}" y="{y}" width="{a:.1f}" height="{bar}" fill="{ON_TIME}"/>')
        body.append(
            f'<rect x="{left + a:.1f}" y="{y}" width="{b:.1f}" height="{bar}" fill="{OVERDUE}"/>'
        )
        body.append(
            f'<text x="{left + a + b + 4:.1f}" y="{y + 10}" {FONT}>'
            f"{escape(fmt(first))} / {escape(fmt(second))}</text>"
        )
    return _svg(470, 30 + len(rows) * (bar + 8), body, title)


def percent_line(points: Sequence[tuple[str, float | None]], *, title: str) -> SafeString:
    """Percentages (0–100) by period; a gap where there is none."""
    left, right, top, bottom = 34, 450, 10, 130
    body = []
    for level in (0, 25, 50, 75, 100):
        y = bottom - (bottom - top) * level / 100
        body.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="#ddd"/>')
        body.append(f'<text x="{left - 4}" y="{y + 3}" text-anchor="end" {FONT}>{level}%</text>')
    step = (right - left) / max(len(points), 1)
    drawn = []
    for n, (label, value) in enumerate(points):
        x = left + step * (n + 0.5)
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" {FONT}>'
            f"{escape(label)}</text>"
        )
        if value is not None:
            y = bottom - (bottom - top) * value / 100
            drawn.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{ON_TIME}"/>')
    if len(drawn) > 1:
        body.insert(
            0,
            f'<polyline points="{" ".join(drawn)}" fill="none" stroke="{ON_TIME}" '
            'stroke-width="2"/>',
        )
    return _svg(460, bottom + 22, body, title)


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    fmt: Callable[[float], str] = str,
) -> SafeString:
    """Vertical bars side by side per label (one colour a series), with a legend above and the
    highest value marked on the axis. Labels are thinned to about a dozen so they stay legible."""
    left, right, top, bottom = 40, 450, 24, 150
    high = _nice(max((v for _name, values in series for v in values), default=0))
    body = []
    x: float = left
    for n, (name, _values) in enumerate(series):
        if n:
            x += 24 + _text_width(series[n - 1][0])
        colour = PALETTE[n % len(PALETTE)]
        body.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{x + 14}" y="13" {FONT}>{escape(name)}</text>')
    for level in (0, 0.5, 1):
        y = bottom - (bottom - top) * level
        body.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="#ddd"/>')
        body.append(
            f'<text x="{left - 4}" y="{y + 3}" text-anchor="end" {FONT}>'
            f"{escape(fmt(high * level))}</text>"
        )
    step = (right - left) / max(len(labels), 1)
    bar = max(step * 0.8 / max(len(series), 1), 1)
    # Every label, or every second, third…: as many as fit side by side.
    widest = max((_text_width(label) for label in labels), default=0) + 8
    every = max(math.ceil(widest / step), 1)
    for i, label in enumerate(labels):
        x0 = left + step * i + step * 0.1
        for n, (_name, values) in enumerate(series):
            value = values[i] if i < len(values) else 0
            height = (bottom - top) * value / high
            body.append(
                f'<rect x="{x0 + n * bar:.1f}" y="{bottom - height:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{PALETTE[n % len(PALETTE)]}"/>'
            )
        if i % every == 0:
            body.append(
                f'<text x="{x0 + step * 0.4:.1f}" y="{bottom + 14}" text-anchor="middle" '
                f"{FONT}>{escape(label)}</text>"
            )
    return _svg(460, bottom + 22, body, title)
