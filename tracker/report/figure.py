"""The roadmap figure (Figure 8 of the progress report): one column per stage, each act a box with its one-line
status and its EU status. Drawn as SVG by hand (text stays text in the web page and the PDF), rendered to PNG for
Word by CairoSVG. A portfolio too long for one picture (a landscape A4 page) is split into parts: each column
fills a part up to PART_HEIGHT and carries on in the next. Pure apart from the PNG step; the same report gives the
same bytes."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from tracker.regulations.stages import Stage
from tracker.report.data import Act, Report
from tracker.report.text import day, stage_label

PART_HEIGHT = 430  # px of act boxes per part: with heading and caption, a part fits a landscape A4 page
WIDTH = 1000
MARGIN = 8
COLUMN = (WIDTH - 2 * MARGIN) // len(Stage)
HEADER_TOP = 34
HEADER_HEIGHT = 46
BOX_GAP = 8
LINE = 13
STATUS_LINES = 5
EU_LINES = 3
CHARS = 27  # per line at 11 px in a box of COLUMN - 12 px
FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
HEADER_FILL = ("#01689b", "#0f7fb0", "#2a8fbd", "#42a0c9", "#5bb0d4", "#275937")
PNG_SCALE = 1.5


@dataclass(frozen=True)
class FigurePart:
    number: int
    total: int
    svg: str
    alt: str
    caption: str
    width: int
    height: int

    def png(self) -> bytes:
        import cairosvg

        return cairosvg.svg2png(bytestring=self.svg.encode("utf-8"), output_width=int(self.width * PNG_SCALE),
                                output_height=int(self.height * PNG_SCALE), background_color="white")


def _lines(text: str | None, limit: int) -> list[str]:
    lines = textwrap.wrap(text or "", CHARS, break_long_words=True)
    if len(lines) > limit:
        lines = [*lines[: limit - 1], textwrap.shorten(" ".join(lines[limit - 1:]), CHARS, placeholder=" …")]
    return lines


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{escape(content)}</text>'


def _height(act: Act) -> int:
    status, eu = _lines(act.status, STATUS_LINES), _lines(act.eu_status, EU_LINES)
    return 8 + 15 + LINE * len(status) + (6 + LINE * len(eu) if eu else 0) + 6


def _split(acts: list[Act]) -> list[list[Act]]:
    """A column's acts in parts of at most PART_HEIGHT (at least one act per part)."""
    parts: list[list[Act]] = [[]]
    used = 0
    for act in acts:
        height = _height(act) + BOX_GAP
        if parts[-1] and used + height > PART_HEIGHT:
            parts.append([])
            used = 0
        parts[-1].append(act)
        used += height
    return parts


def _box(act: Act, x: float, y: float) -> tuple[str, float]:
    status = _lines(act.status, STATUS_LINES)
    eu = _lines(act.eu_status, EU_LINES)
    height = _height(act)
    width = COLUMN - 8
    stage = act.stage.value if act.stage else "none"
    parts = [f'<g class="act" data-key={quoteattr(act.key)} data-stage="{stage}">',
             f'<rect x="{x:.0f}" y="{y:.0f}" width="{width}" height="{height}" rx="4" fill="#ffffff" '
             f'stroke="#8fb8d0" stroke-width="1"/>',
             _text(x + 6, y + 19, act.name, font_size="13", font_weight="bold", fill="#01689b")]
    line_y = y + 19
    for line in status:
        line_y += LINE
        parts.append(_text(x + 6, line_y, line, font_size="11", fill="#1a1a1a"))
    if eu:
        line_y += 6
        for line in eu:
            line_y += LINE
            parts.append(_text(x + 6, line_y, line, font_size="11", font_style="italic", fill="#4d4d4d"))
    parts.append("</g>")
    return "".join(parts), height


def _alt(report: Report, columns: dict[Stage, list[Act]]) -> str:
    described = "; ".join(
        f"{stage_label(stage, report.lang)}: "
        + (", ".join(f"{a.name}" + (f" ({a.eu_status})" if a.eu_status else "") for a in acts)
           or report.t("figure_alt_none"))
        for stage, acts in columns.items()
    )
    return report.t("figure_alt", columns=described)


def figure_parts(report: Report) -> list[FigurePart]:
    """The roadmap as one or more SVG pictures, each with its caption and text alternative."""
    split = {stage: _split(acts) for stage, acts in report.columns.items()}
    total = max(len(parts) for parts in split.values())
    caption = report.t("figure_caption", date=day(report.options.as_of, report.lang))
    parts = []
    for number in range(1, total + 1):
        chunk = {stage: parts[number - 1] if number <= len(parts) else [] for stage, parts in split.items()}
        body: list[str] = []
        bottom = HEADER_TOP + HEADER_HEIGHT
        for index, (stage, acts) in enumerate(chunk.items()):
            x = MARGIN + index * COLUMN
            label = textwrap.wrap(stage_label(stage, report.lang), 17)
            body.append(f'<g class="stage" data-stage="{stage.value}">'
                        f'<rect x="{x + 2}" y="{HEADER_TOP}" width="{COLUMN - 4}" height="{HEADER_HEIGHT}" '
                        f'fill="{HEADER_FILL[index]}"/>')
            for n, line in enumerate(label[:2]):
                offset = 20 if len(label) == 1 else 16 + n * 16
                body.append(_text(x + COLUMN / 2, HEADER_TOP + offset + 7, line, font_size="13",
                                  font_weight="bold", fill="#ffffff", text_anchor="middle"))
            body.append("</g>")
            y = HEADER_TOP + HEADER_HEIGHT + BOX_GAP
            for act in acts:
                box, height = _box(act, x + 4, y)
                body.append(box)
                y += height + BOX_GAP
            bottom = max(bottom, y)
        height = int(bottom + MARGIN)
        heading = report.t("figure_heading", date=day(report.options.as_of, report.lang))
        if total > 1:
            heading += f" ({report.t('figure_part', n=number, total=total)})"
        alt = _alt(report, chunk)
        title_id, desc_id = f"roadmap-title-{number}", f"roadmap-desc-{number}"
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="roadmap" viewBox="0 0 {WIDTH} {height}" '
               f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}" '
               f'font-family={quoteattr(FONT)}>'
               f'<title id="{title_id}">{escape(heading)}</title><desc id="{desc_id}">{escape(alt)}</desc>'
               f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#f3f7fa"/>'
               + _text(MARGIN + 2, 22, heading, font_size="16", font_weight="bold", fill="#154273")
               + "".join(body) + "</svg>")
        part_caption = caption + (f" ({report.t('figure_part', n=number, total=total)})" if total > 1 else "")
        parts.append(FigurePart(number, total, svg, alt, part_caption, WIDTH, height))
    return parts
