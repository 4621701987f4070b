"""Charts a planner reads at a glance, drawn with matplotlib: SVG for the offline HTML pages
(text kept as text, so the browser's own fonts render Chinese labels) and PNG files.

Every chart is a function from plain data to a :class:`matplotlib.figure.Figure`; :func:`svg`
and :func:`png` turn a figure into text or bytes. Figures are made without pyplot, so there is
no global figure state (the app draws from worker threads) and nothing needs a screen.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

# Fonts tried in order for every label: the common CJK families of Linux, Windows and macOS,
# then matplotlib's own DejaVu Sans (which has no CJK glyphs) last.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
    "DejaVu Sans",
)
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": list(CJK_FONTS),
    "axes.unicode_minus": False,
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
}
PLAN_COLOUR = "#1f5fa8"
BOUND_COLOUR = "#8c8c8c"
ESTIMATE_COLOUR = "#e0a040"
PROVEN_COLOUR = "#2e8b57"


def _yuan(value: float, _pos: object = None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.0f} k"
    return f"{value:.0f}"


def _figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Axes]:
    with rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def svg(fig: Figure) -> str:
    """The figure as an SVG document (text as text)."""
    with rc_context(STYLE):
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes."""
    with rc_context(STYLE):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """One point of a coverage frontier: the floor, the plan found and its proven bound."""

    min_coverage: float
    coverage: float | None  # the plan's actual coverage
    public_money: float | None
    bound: float | None
    proven: bool


def frontier_chart(points: Sequence[FrontierPoint], title: str = "") -> Figure:
    """Public money against the coverage floor; the band between bound and plan shaded."""
    pts = sorted((p for p in points if p.public_money is not None), key=lambda p: p.min_coverage)
    fig, ax = _figure()
    with rc_context(STYLE):
        xs = [p.min_coverage for p in pts]
        money = [p.public_money for p in pts]
        bounds = [p.bound if p.bound is not None else p.public_money for p in pts]
        ax.fill_between(
            xs,
            bounds,
            money,
            color=PLAN_COLOUR,
            alpha=0.15,
            step=None,
            label="proven band (bound to plan) 证明区间",
        )
        ax.plot(xs, money, "-o", color=PLAN_COLOUR, label="least public money found 最少财政资金")
        ax.plot(xs, bounds, "--", color=BOUND_COLOUR, label="proven lower bound 下界")
        for p in pts:
            if p.proven:
                ax.plot(
                    [p.min_coverage], [p.public_money], "o", color=PROVEN_COLOUR, ms=9, mfc="none"
                )
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(FuncFormatter(_yuan))
        ax.set_xlabel("coverage floor (share of households) 覆盖率下限")
        ax.set_ylabel("public money, yuan/yr 财政资金 (元/年)")
        ax.set_title(title or "What each coverage floor costs 覆盖率与财政资金")
        ax.legend(loc="upper left", fontsize=8)
    return fig


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a ranking: its label, value and whether the value is proven or estimated."""

    label: str
    value: float
    proven: bool
    band: float = 0.0  # how much the value may be off (the gaps of the solves behind it)


def ranking_chart(bars: Sequence[Bar], xlabel: str, title: str) -> Figure:
    """Horizontal bars, largest first; estimated values hatched, proven ones solid."""
    ordered = sorted(bars, key=lambda b: -b.value)
    fig, ax = _figure(7.0, max(2.5, 0.4 * len(ordered) + 1.2))
    with rc_context(STYLE):
        ys = list(range(len(ordered)))[::-1]
        for y, b in zip(ys, ordered, strict=True):
            ax.barh(
                y,
                b.value,
                color=PROVEN_COLOUR if b.proven else ESTIMATE_COLOUR,
                hatch=None if b.proven else "//",
                edgecolor="white",
                xerr=b.band or None,
                capsize=3,
            )
        ax.set_yticks(ys, [b.label for b in ordered])
        ax.xaxis.set_major_formatter(FuncFormatter(_yuan))
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.bar(0, 0, color=PROVEN_COLOUR, label="proven 已证明")
        ax.bar(0, 0, color=ESTIMATE_COLOUR, hatch="//", label="estimate or gap 估计")
        ax.legend(loc="lower right", fontsize=8)
    return fig


def convergence_chart(
    seconds: Sequence[float],
    objective: Sequence[float | None],
    bound: Sequence[float | None],
    time_limit: float | None = None,
) -> Figure:
    """The best plan's objective and the proven bound over the solve's time."""
    fig, ax = _figure(7.0, 3.2)
    with rc_context(STYLE):
        obj = [(s, v) for s, v in zip(seconds, objective, strict=True) if v is not None]
        bnd = [(s, v) for s, v in zip(seconds, bound, strict=True) if v is not None]
        if obj:
            ax.step(
                *zip(*obj, strict=True), where="post", color=PLAN_COLOUR, label="best plan 最优方案"
            )
        if bnd:
            ax.step(
                *zip(*bnd, strict=True),
                where="post",
                color=BOUND_COLOUR,
                ls="--",
                label="proven bound 下界",
            )
        if time_limit:
            ax.set_xlim(0, max(time_limit, max(seconds, default=0.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(_yuan))
        ax.set_xlabel("seconds 秒")
        ax.set_ylabel("objective 目标值")
        ax.set_title("Convergence 收敛过程")
        ax.legend(loc="upper right", fontsize=8)
    return fig


def grouped_chart(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], ylabel: str, title: str
) -> Figure:
    """Bars per scenario (``labels``), one colour per series (e.g. plan and bound)."""
    fig, ax = _figure(max(6.0, 0.8 * len(labels) + 2.0), 4.0)
    with rc_context(STYLE):
        width = 0.8 / max(1, len(series))
        for k, (name, values) in enumerate(series.items()):
            xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(labels))]
            ax.bar(xs, [v if v is not None else 0.0 for v in values], width, label=name)
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(_yuan))
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8)
    return fig
