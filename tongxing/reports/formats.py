"""The report written out: Word (.docx), HTML, Markdown and JSON, from one `Report`."""

import datetime
import io
import json

from django.utils.html import escape

from tongxing.reports.document import FigureRef, Report, text_of

FORMATS = ("docx", "html", "md", "json")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}
# The font Word and LibreOffice use for the Chinese characters of a report.
EAST_ASIAN_FONT = "SimSun"


def write(report: Report, format: str) -> bytes:
    return WRITERS[format](report)


def filename(report: Report, format: str) -> str:
    return f"report-{report.region_code}-{report.year}-{report.lang}.{format}"


# --- Markdown -------------------------------------------------------------------------------


def as_markdown(report: Report) -> bytes:
    lines = [f"# {report.title}", ""]
    for section in report.sections:
        if section.level:
            lines += ["#" * (section.level + 1) + " " + section.heading, ""]
        for paragraph in section.paragraphs:
            lines += [text_of(paragraph), ""]
        if section.figures:
            lines += [f"**{report.captions['figures']}**", ""]
            lines += [
                f"| {report.captions['figure-column']} | {report.captions['value-column']} |",
                "| --- | ---: |",
            ]
            lines += [f"| {ref.label} | {ref.shown} |" for ref in section.figures]
            lines.append("")
    return "\n".join(lines).encode()


# --- HTML -----------------------------------------------------------------------------------


def linked(ref: FigureRef) -> str:
    if ref.link is None:
        return escape(ref.shown)
    attributes = f'class="figure" href="{escape(ref.link)}" data-code="{ref.code}"'
    return f"<a {attributes}>{escape(ref.shown)}</a>"


def as_html(report: Report) -> bytes:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{report.lang}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title></head>",
        "<body>",
        f"<h1>{escape(report.title)}</h1>",
    ]
    for section in report.sections:
        if section.level:
            tag = f"h{section.level + 1}"
            out.append(f"<{tag}>{escape(section.heading)}</{tag}>")
        for paragraph in section.paragraphs:
            text = "".join(
                linked(piece) if isinstance(piece, FigureRef) else escape(piece)
                for piece in paragraph
            )
            out.append(f"<p>{text}</p>")
        if section.figures:
            out.append(f"<table><caption>{escape(report.captions['figures'])}</caption>")
            out.append(
                f'<thead><tr><th scope="col">{escape(report.captions["figure-column"])}</th>'
                f'<th scope="col">{escape(report.captions["value-column"])}</th></tr></thead>'
            )
            out.append("<tbody>")
            for ref in section.figures:
                out.append(
                    f'<tr><th scope="row">{escape(ref.label)}</th><td>{linked(ref)}</td></tr>'
                )
            out.append("</tbody></table>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode()


# --- JSON -----------------------------------------------------------------------------------


def as_json(report: Report) -> bytes:
    def figure(ref: FigureRef) -> dict:
        value = ref.value.isoformat() if isinstance(ref.value, datetime.date) else ref.value
        return {
            "label": ref.label,
            "value": value,
            "display": ref.shown,
            "state": ref.state,
            "records": ref.link,
        }

    data = {
        "title": report.title,
        "region": report.region_code,
        "region_name": report.region_name,
        "year": report.year,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "lang": report.lang,
        "sections": [
            {
                "level": section.level,
                "heading": section.heading,
                "kept": section.kept,
                "paragraphs": [text_of(paragraph) for paragraph in section.paragraphs],
                "figures": {ref.code: figure(ref) for ref in section.figures},
            }
            for section in report.sections
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


# --- Word -----------------------------------------------------------------------------------


def as_docx(report: Report) -> bytes:
    from docx import Document  # loaded only when a Word file is asked for
    from docx.oxml.ns import qn

    document = Document()
    normal = document.styles["Normal"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    document.core_properties.title = report.title
    document.core_properties.language = report.lang
    document.add_heading(report.title, level=0)
    for section in report.sections:
        if section.level:
            document.add_heading(section.heading, level=section.level)
        for paragraph in section.paragraphs:
            document.add_paragraph(text_of(paragraph))
        if section.figures:
            document.add_paragraph(report.captions["figures"], style="Caption")
            table = document.add_table(rows=1, cols=2)
            table.style = "Table Grid"
            header = table.rows[0].cells
            header[0].text = report.captions["figure-column"]
            header[1].text = report.captions["value-column"]
            for ref in section.figures:
                cells = table.add_row().cells
                cells[0].text = ref.label
                cells[1].text = ref.shown
    page_number_footer(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_number_footer(document) -> None:
    """The page's number, centred in every page's footer: a PAGE field, as Word writes it
    (begin, instruction, separate, the number shown until it is updated, end)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for element in (field_char("begin"), instruction, field_char("separate")):
        paragraph.add_run()._r.append(element)
    paragraph.add_run("1")
    paragraph.add_run()._r.append(field_char("end"))


WRITERS = {"docx": as_docx, "html": as_html, "md": as_markdown, "json": as_json}
