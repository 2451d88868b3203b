"""Write committee_report.docx, the Word template the report pack fills with docxtpl.

    uv run python src/kpiboard/reports/templates/build_docx_template.py

The template is built here, with python-docx writing the Jinja placeholders as plain text, so that
it can be reviewed as code and rebuilt identically: the file's dates are fixed and the zip entries
are written in a fixed order with a fixed timestamp, and a test checks that the shipped file is
what this script writes. The placeholders are listed in :mod:`kpiboard.reports.docx`.

The page is A4 with 2.5 cm margins, the text Arial 11 point, and the document's language British
English; the styles the body uses (Heading 1 to 3, List Bullet, List Continue, Caption, Table Grid)
are python-docx's defaults, which a council can restyle in Word.
"""

from __future__ import annotations

import datetime
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

__all__ = ["TEMPLATE_PATH", "build_template", "template_bytes"]

TEMPLATE_PATH = Path(__file__).with_name("committee_report.docx")

#: The cover, in the order councils print it: the label, then the placeholder it is filled from.
COVER = (
    ("To", "to"),
    ("Meeting date", "meeting_date"),
    ("From", "from_"),
    ("Electoral division(s)", "electoral_divisions"),
    ("Key decision", "key_decision"),
    ("Forward Plan ref", "forward_plan_ref"),
    ("Executive summary", "executive_summary"),
    ("Recommendation", "recommendation"),
)
OFFICER = (("Name", "officer_name"), ("Post", "officer_post"), ("Email", "officer_email"))

FIXED_TIME = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def _labelled(document: DocumentObject, label: str, placeholder: str) -> None:
    """A line of the cover, left out when its value is empty."""
    document.add_paragraph("{%p if " + placeholder + " %}")
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run("{{ " + placeholder + " }}")
    document.add_paragraph("{%p endif %}")


def _language(document: DocumentObject, language: str) -> None:
    """Set the language of every style that does not say otherwise (what screen readers use)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    run_defaults = defaults.find(qn("w:rPrDefault"))
    assert run_defaults is not None
    properties = run_defaults.find(qn("w:rPr"))
    assert properties is not None
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)


def _page_number(paragraph_element: object) -> None:
    """Append a PAGE field (the page number) to a paragraph."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph_element.append(field)  # type: ignore[attr-defined]


def _document() -> DocumentObject:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    _language(document, "en-GB")

    document.add_paragraph("{{ organisation }}")
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{ subtitle }}", style="Subtitle")
    for label, placeholder in COVER:
        _labelled(document, label, placeholder)
    document.add_paragraph(
        "{%p if " + " or ".join(placeholder for _, placeholder in OFFICER) + " %}"
    )
    document.add_paragraph().add_run("Officer contact:").bold = True
    for label, placeholder in OFFICER:
        _labelled(document, label, placeholder)
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{{p body }}")

    footer = section.footer.paragraphs[0]
    footer.text = "{{ organisation }}. {{ title }}, {{ subtitle }}. Page "
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer._p)

    package_relationships = document.part.package.rels
    for key, relationship in list(package_relationships.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:  # python-docx's sample picture
            package_relationships.pop(key)

    properties = document.core_properties
    properties.author = "kpiboard"
    properties.last_modified_by = "kpiboard"
    properties.title = "Committee report template"
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = FIXED_TIME
    properties.last_printed = FIXED_TIME
    return document


def template_bytes() -> bytes:
    """The template's bytes: the same every time (fixed dates, fixed zip entry times)."""
    raw = io.BytesIO()
    _document().save(raw)
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in sorted(source.namelist()):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(name))
    return fixed.getvalue()


def build_template(out: Path = TEMPLATE_PATH) -> Path:
    """Write the template to ``out`` (by default, the one shipped with the package)."""
    out.write_bytes(template_bytes())
    return out


if __name__ == "__main__":
    print(build_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_PATH))
