"""The prescription PDF, drawn from a consultation's structured lines with fpdf2.

fpdf2 installs from PyPI alone. Its core fonts (Helvetica) cover Latin-1 only,
so text is folded to Latin-1 first: accents decompose where they must, common
punctuation gets an ASCII twin, anything else becomes "?" instead of failing.
"""

import unicodedata

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from clinic.records.models import Consultation

_TWINS = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u2022": "*",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u20b9": "Rs.",
        "\u2122": "TM",
        "\u2264": "<=",
        "\u2265": ">=",
    }
)
_MARGIN = 15


def latin1(text) -> str:
    """`text` as Latin-1 that the PDF core fonts can draw, never raising."""
    text = str(text or "").translate(_TWINS)
    out = []
    for ch in text:
        if ch in "\n\t" or (ord(ch) < 256 and unicodedata.category(ch)[0] != "C"):
            out.append(ch)
            continue
        folded = "".join(
            c
            for c in unicodedata.normalize("NFKD", ch)
            if ord(c) < 256 and not unicodedata.combining(c)
        )
        out.append(folded or "?")
    return "".join(out)


def prescription_pdf(*, consultation: Consultation) -> bytes:
    """The consultation's prescription as PDF bytes, on the clinic's letterhead."""
    clinic = settings.CLINIC
    patient = consultation.patient
    doctor = consultation.doctor
    # Lines entered in error are not part of the prescription.
    lines = [line for line in consultation.lines.all() if not line.is_entered_in_error]

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Prescription {consultation.date:%Y-%m-%d}"))
    pdf.set_author(latin1(clinic["NAME"]))
    pdf.set_creator("CMS")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.add_page()

    _letterhead(pdf, clinic)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 9, "Prescription", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.ln(2)

    _pair(pdf, "Patient", f"{patient.name}, {patient.age} years, {patient.get_gender_display()}")
    _pair(pdf, "Doctor", f"{doctor.name}, {doctor.specialty}")
    _pair(pdf, "Date", f"{consultation.date:%d %b %Y}")
    if consultation.purpose:
        _pair(pdf, "Purpose", consultation.purpose)
    _pair(pdf, "Diagnosis", consultation.diagnosis or "-")
    if consultation.icd10:
        _pair(pdf, "ICD-10", consultation.icd10)
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Rx", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    if lines:
        _medicine_table(pdf, lines)
    else:
        pdf.cell(0, 7, "No medicines prescribed.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    _signature(pdf, doctor)
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, clinic: dict) -> None:
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 9, latin1(clinic["NAME"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, latin1(clinic["ADDRESS"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    contact = "  |  ".join(p for p in (clinic.get("PHONE"), clinic.get("EMAIL")) if p)
    pdf.cell(0, 5, latin1(contact), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = pdf.get_y() + 2
    pdf.set_line_width(0.5)
    pdf.line(_MARGIN, y, pdf.w - _MARGIN, y)
    pdf.set_y(y + 4)


def _pair(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(25, 6, f"{label}:")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _medicine_table(pdf: FPDF, lines) -> None:
    with pdf.table(
        col_widths=(34, 18, 20, 16, 32),
        text_align="LEFT",
        line_height=6,
        first_row_as_headings=True,
    ) as table:
        header = table.row()
        for title in ("Medicine", "Dose", "Frequency", "Duration", "Instructions"):
            header.cell(title)
        for line in lines:
            row = table.row()
            for value in (
                line.medicine,
                line.dose,
                line.frequency,
                line.duration,
                line.instructions,
            ):
                row.cell(latin1(value) or "-")


def _signature(pdf: FPDF, doctor) -> None:
    if pdf.get_y() > pdf.h - _MARGIN - 35:
        pdf.add_page()
    pdf.ln(18)
    x = pdf.w - _MARGIN - 70
    y = pdf.get_y()
    pdf.set_line_width(0.3)
    pdf.line(x, y, pdf.w - _MARGIN, y)
    pdf.set_xy(x, y + 1)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(70, 5, latin1(doctor.name), new_x=XPos.LEFT, new_y=YPos.NEXT, align="C")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(70, 5, latin1(doctor.specialty), new_x=XPos.LEFT, new_y=YPos.NEXT, align="C")
    pdf.cell(70, 5, "Signature", align="C")
