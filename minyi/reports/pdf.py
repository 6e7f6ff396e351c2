"""Printable reports (PDF): the year's figures report (年度统计报告) with charts, the unit table and
the definitions, and the quarterly bulletin (季度通报) — drawn with reportlab, no browser needed.

Chinese on a fresh machine. The text is set in a TrueType CJK font embedded (subset) in the file,
so every viewer shows it and text extraction works: the first font found of
``settings.MINYI_PDF_FONT`` and `FONT_CANDIDATES` (Debian: ``fonts-wqy-microhei``, installed by
scripts/install_browser.sh). Without any, reportlab's built-in Adobe CID font STSong-Light is used
(nothing to install, but it is not embedded: viewers without an Adobe-GB1 language pack may not
show it) and a warning is logged. OpenType/CFF fonts such as Noto CJK cannot be embedded by
reportlab.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from minyi.congress.models import Congress

from .bulletin import TOPICS_DEFINITION, Bulletin
from .dashboard import HEADLINE, Chart, overview
from .figures import Scope, policy_of
from .league import unit_league

logger = logging.getLogger(__name__)

FONT = "MinyiCJK"
FALLBACK_FONT = "STSong-Light"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
PALETTE = [colors.HexColor(c) for c in ("#b3121b", "#1f6feb", "#2da44e", "#bf8700", "#8250df", "#0a7d8c")]
GRID = colors.HexColor("#c8c8c8")
HEAD_BG = colors.HexColor("#f2f2f2")
_registered: str | None = None


def font() -> str:
    """Register the CJK font once and return its name."""
    global _registered
    if _registered:
        return _registered
    candidates = [getattr(settings, "MINYI_PDF_FONT", None), *FONT_CANDIDATES]
    for path in candidates:
        if not path or not os.path.exists(path):
            continue
        try:
            index = {"subfontIndex": 0} if path.endswith(".ttc") else {}
            pdfmetrics.registerFont(TTFont(FONT, path, **index))
        except Exception:  # a font reportlab cannot read (e.g. CFF outlines)
            logger.warning("cannot use %s for PDF reports", path, exc_info=True)
            continue
        _registered = FONT
        return FONT
    logger.warning(
        "no TrueType CJK font found for PDF reports (install fonts-wqy-microhei); using %s, not embedded",
        FALLBACK_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    _registered = FALLBACK_FONT
    return FALLBACK_FONT


def _styles() -> dict[str, ParagraphStyle]:
    name = font()
    base = ParagraphStyle("base", fontName=name, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=4
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=9.5, alignment=TA_CENTER, textColor=colors.grey
        ),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=19, spaceBefore=10, spaceAfter=5),
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "num": ParagraphStyle("num", parent=base, fontSize=9, leading=12, alignment=2),
    }


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def points(change: float | None) -> str:
    if change is None:
        return "—"
    return _("%(sign)s%(n).1f个百分点") % {"sign": "+" if change > 0 else "", "n": change * 100}


def _esc(text: Any) -> str:
    return (
        (str(text) if text is not None else "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _table(
    styles: dict[str, ParagraphStyle],
    head: list[str],
    rows: Iterable[list[Any]],
    widths: list[float],
    numeric: Iterable[int] = (),
) -> Table:
    numeric = set(numeric)
    data = [[Paragraph(_esc(h), styles["cell"]) for h in head]]
    for row in rows:
        data.append(
            [Paragraph(_esc(v), styles["num"] if i in numeric else styles["cell"]) for i, v in enumerate(row)]
        )
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _chart(chart: Chart, width: float = 170 * mm, height: float = 62 * mm) -> Drawing:
    """A bar chart of a dashboard `Chart` (pies are drawn as bars: easier to read on paper)."""
    name = font()
    horizontal = chart.kind == "hbar"
    if horizontal:
        height = max(height, (len(chart.categories) * 7 + 16) * mm / 1.6)
    drawing = Drawing(width, height)
    bars = HorizontalBarChart() if horizontal else VerticalBarChart()
    left = 36 * mm if horizontal else 12 * mm
    bars.x, bars.y = left, 12 * mm
    bars.width = width - left - 6 * mm
    bars.height = height - (24 * mm if len(chart.series) > 1 else 18 * mm)
    bars.data = [[p.value for p in pts] for _name, pts in chart.series]
    bars.categoryAxis.categoryNames = [c if len(c) <= 14 else c[:13] + "…" for c in chart.categories]
    if horizontal:
        bars.categoryAxis.reverseDirection = True  # the first category on top, as on the page
    for axis in (bars.categoryAxis.labels, bars.valueAxis.labels):
        axis.fontName, axis.fontSize = name, 7
    if not horizontal and len(chart.categories) > 8:
        bars.categoryAxis.labels.angle = 45
        bars.categoryAxis.labels.boxAnchor = "ne"
    bars.valueAxis.valueMin = 0
    top = max((v for series in bars.data for v in series), default=0)
    bars.valueAxis.valueMax = max(1, top * 1.15)
    bars.valueAxis.valueStep = max(1, round(max(1, top) / 5))
    bars.barLabelFormat = "%d"
    bars.barLabels.fontName, bars.barLabels.fontSize = name, 6.5
    bars.barLabels.nudge = 6
    for i in range(len(chart.series)):
        bars.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        bars.bars[i].strokeColor = None
    drawing.add(bars)
    drawing.add(String(0, height - 5 * mm, chart.title, fontName=name, fontSize=9.5))
    if len(chart.series) > 1:
        legend = Legend()
        legend.fontName, legend.fontSize = name, 7.5
        legend.x, legend.y = width - 60 * mm, height - 3 * mm
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 30 * mm
        legend.colorNamePairs = [(PALETTE[i], nm) for i, (nm, _p) in enumerate(chart.series)]
        drawing.add(legend)
    return drawing


def _page(title: str) -> Callable:
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font(), 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, title)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("第 %(n)s 页") % {"n": doc.page})
        canvas.restoreState()

    return draw


def _build(story: list, title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Minyi",
    )
    doc.build(story, onFirstPage=_page(title), onLaterPages=_page(title))
    return out.getvalue()


def year_report(  # noqa: C901
    congress: Congress, scope: Scope, *, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """年度统计报告: headline figures, charts, every figure with numerator and denominator, the unit
    table and the definitions."""
    st = _styles()
    policy = policy_of(congress)
    if progress:
        progress(0, 3)
    ov = overview(congress, scope, policy=policy)
    figures = ov.figures
    if progress:
        progress(1, 3)
    league = unit_league(congress, scope, policy=policy)
    title = _("%(c)s%(s)s代表建议办理情况统计报告") % {"c": congress.name, "s": scope.label}
    story: list = [
        Paragraph(_esc(title), st["title"]),
        Paragraph(
            _esc(
                _("统计范围：%(s)s　期限判断日：%(d)s　生成时间：%(t)s")
                % {
                    "s": scope.label,
                    "d": scope.today.isoformat(),
                    "t": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                }
            ),
            st["subtitle"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("一、主要数据"), st["h2"]),
    ]
    rows = []
    for key in HEADLINE:
        f = figures[key]
        rows.append(
            [
                f.label,
                pct(f.value) if f.is_rate else f.numerator,
                f"{f.numerator} / {f.denominator}" if f.is_rate else "—",
            ]
        )
    story.append(
        _table(
            st, [_("指标"), _("数值"), _("分子 / 分母")], rows, [70 * mm, 40 * mm, 50 * mm], numeric=(1, 2)
        )
    )
    story.append(Paragraph(_("二、图表"), st["h2"]))
    for chart in ov.charts:
        if chart.empty:
            continue
        story.append(KeepTogether([_chart(chart), Spacer(1, 3 * mm)]))
        if chart.note:
            story.append(Paragraph(_esc(chart.note), st["small"]))
    story.append(PageBreak())
    story.append(Paragraph(_("三、全部指标"), st["h2"]))
    story.append(
        _table(
            st,
            [_("指标"), _("数值"), _("分子"), _("分母")],
            [
                [
                    f.label,
                    pct(f.value) if f.is_rate else f.numerator,
                    f.numerator,
                    "—" if f.denominator is None else f.denominator,
                ]
                for f in figures
            ],
            [78 * mm, 30 * mm, 30 * mm, 30 * mm],
            numeric=(1, 2, 3),
        )
    )
    story.append(Paragraph(_("四、承办单位办理情况"), st["h2"]))
    if league.rows:
        unit_rows = []
        for row in league.rows:
            reply, satisfied = row.rates["reply_on_time"], row.rates["satisfaction"]
            unit_rows.append(
                [
                    row.rank or ("—" if row in league.ranked else _("样本不足")),
                    row.name,
                    row.assigned,
                    f"{pct(reply.value)} ({reply.numerator}/{reply.denominator})",
                    f"{pct(satisfied.value)} ({satisfied.numerator}/{satisfied.denominator})",
                    row.overdue,
                ]
            )
        story.append(
            _table(
                st,
                [_("名次"), _("承办单位"), _("交办件数"), _("按期答复率"), _("满意率"), _("逾期未办")],
                unit_rows,
                [16 * mm, 52 * mm, 18 * mm, 32 * mm, 32 * mm, 18 * mm],
                numeric=(2, 5),
            )
        )
        story.append(
            Paragraph(
                _esc(
                    _(
                        "按满意率95%%置信区间（Wilson）的下限排名；交办件数少于%(n)s件的单位列为“样本不足”，不排名。"
                    )
                    % {"n": league.min_count}
                ),
                st["small"],
            )
        )
    else:
        story.append(Paragraph(_("本范围内没有交办给承办单位的建议。"), st["body"]))
    story.append(Paragraph(_("五、指标口径"), st["h2"]))
    for f in figures:
        story.append(Paragraph(f"<b>{_esc(f.label)}</b>：{_esc(f.definition)}", st["small"]))
    if progress:
        progress(2, 3)
    data = _build(story, title)
    if progress:
        progress(3, 3)
    return data


def bulletin_pdf(b: Bulletin) -> bytes:
    """季度通报 as a printable PDF (the same content as the page and the workbook)."""
    st = _styles()
    story: list = [
        Paragraph(_esc(b.title), st["title"]),
        Paragraph(
            _esc(
                _("统计范围：%(s)s　期限判断日：%(d)s　生成时间：%(t)s")
                % {
                    "s": b.scope.label,
                    "d": b.scope.today.isoformat(),
                    "t": b.generated_at.strftime("%Y-%m-%d %H:%M"),
                }
            ),
            st["subtitle"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(_("一、总体情况"), st["h2"]),
        _table(
            st,
            [_("指标"), _("本期"), _("分子 / 分母"), b.previous_label, _("变化")],
            [
                [
                    t.current.label,
                    pct(t.current.value) if t.current.is_rate else t.current.numerator,
                    f"{t.current.numerator} / {t.current.denominator}" if t.current.is_rate else "—",
                    pct(t.previous.value) if t.previous.is_rate else t.previous.numerator,
                    points(t.change)
                    if t.current.is_rate
                    else f"{t.change:+d}"
                    if t.change is not None
                    else "—",
                ]
                for t in b.headline
            ],
            [52 * mm, 24 * mm, 30 * mm, 30 * mm, 38 * mm],
            numeric=(1, 2, 3, 4),
        ),
        Paragraph(_("二、各机关办理情况"), st["h2"]),
        _table(
            st,
            [_("机关"), _("承办建议"), _("按期答复率"), _("变化"), _("满意率"), _("变化"), _("逾期未办")],
            [
                [
                    line.name,
                    line.suggestions,
                    pct(line.reply.current.value),
                    points(line.reply.change),
                    pct(line.satisfaction.current.value),
                    points(line.satisfaction.change),
                    line.overdue,
                ]
                for line in b.bodies
            ],
            [36 * mm, 18 * mm, 22 * mm, 26 * mm, 20 * mm, 26 * mm, 18 * mm],
            numeric=(1, 2, 3, 4, 5, 6),
        ),
        Paragraph(_("三、各承办单位办理情况"), st["h2"]),
    ]
    if b.units:
        story.append(
            _table(
                st,
                [_("承办单位"), _("交办"), _("按期答复率"), _("变化"), _("满意率"), _("变化"), _("逾期")],
                [
                    [
                        u.name,
                        u.assigned,
                        f"{pct(u.reply.value)} ({u.reply.numerator}/{u.reply.denominator})",
                        points(u.reply_change),
                        f"{pct(u.satisfaction.value)} ({u.satisfaction.numerator}/{u.satisfaction.denominator})",
                        points(u.satisfaction_change),
                        u.overdue,
                    ]
                    for u in b.units
                ],
                [40 * mm, 12 * mm, 30 * mm, 24 * mm, 28 * mm, 24 * mm, 12 * mm],
                numeric=(1, 2, 3, 4, 5, 6),
            )
        )
    else:
        story.append(Paragraph(_("本期没有交办给承办单位的建议。"), st["body"]))
    story.append(Paragraph(_("四、逾期事项"), st["h2"]))
    if b.overdue:
        story.append(
            _table(
                st,
                [_("承办单位"), _("建议编号"), _("案由"), _("逾期事项"), _("期限"), _("逾期天数")],
                [[i.unit, i.number, i.title, i.duty, i.due_on.isoformat(), i.days_late] for i in b.overdue],
                [32 * mm, 30 * mm, 50 * mm, 24 * mm, 20 * mm, 14 * mm],
                numeric=(5,),
            )
        )
        if b.overdue_total > len(b.overdue):
            story.append(
                Paragraph(_("另有 %(n)s 项未列出。") % {"n": b.overdue_total - len(b.overdue)}, st["small"])
            )
    else:
        story.append(Paragraph(_("没有逾期未办的事项。"), st["body"]))
    story.append(Paragraph(_("五、重点督办主题进展"), st["h2"]))
    if b.themes:
        story.append(
            _table(
                st,
                [
                    _("督办主题"),
                    _("领衔督办领导"),
                    _("牵头单位"),
                    _("建议"),
                    _("已答复"),
                    _("已办结"),
                    _("进度"),
                ],
                [[t.name, t.leader, t.lead_unit, t.total, t.replied, t.closed, t.label] for t in b.themes],
                [30 * mm, 34 * mm, 36 * mm, 14 * mm, 14 * mm, 14 * mm, 28 * mm],
                numeric=(3, 4, 5),
            )
        )
    else:
        story.append(Paragraph(_("本年度还没有重点督办主题。"), st["body"]))
    story.append(Paragraph(_("六、热点话题"), st["h2"]))
    if b.topics:
        story.append(
            _table(
                st,
                [_("话题"), _("本季度建议数"), _("上年同季度"), _("变化")],
                [[t.term, t.count, t.last, f"{t.change:+d}"] for t in b.topics],
                [40 * mm, 30 * mm, 30 * mm, 20 * mm],
                numeric=(1, 2, 3),
            )
        )
        story.append(Paragraph(_esc(str(TOPICS_DEFINITION)), st["small"]))
    else:
        story.append(Paragraph(_("本季度的建议还不足以统计热点话题。"), st["body"]))
    story.append(Paragraph(_("七、口径说明"), st["h2"]))
    story.append(
        Paragraph(
            _(
                "各项指标按本年度1月1日至季度末立案的建议累计计算，期限按季度末（本季度未结束的按今天）判断；"
                "变化为与上一季度末同口径数据之差（第一季度与上年度全年相比）。"
            ),
            st["small"],
        )
    )
    for t in b.headline:
        story.append(Paragraph(f"<b>{_esc(t.current.label)}</b>：{_esc(t.current.definition)}", st["small"]))
    return _build(story, b.title)
