"""monitor.extract.pdf: PDFs built here with fpdf2 (paragraphs, headings, hyphenation, running header and footer,
a paragraph running on to the next page) and broken ones (corrupt, truncated, image-only, locked)."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from monitor.errors import ExtractError
from monitor.extract.pdf import clauses_from_pdf


class _Terms(FPDF):
    """A4 pages with a running header and a "Page n of N" footer, as terms PDFs have."""

    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, "ACME Inc. - Terms of Service (version 2025-09)", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def _para(pdf: FPDF, text: str, *, gap: float = 4) -> None:
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _title(pdf: FPDF, text: str, size: int) -> None:
    pdf.set_font("Helvetica", style="B", size=size)
    pdf.multi_cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)


USE = ("These terms govern your use of the ACME service and of every feature we offer through it. By creating an "
       "account or using the service you agree to them; if you do not agree, do not use the service.")
TRAINING = "We may use the content you submit to continuously improve our services."


def _terms_pdf(*, training: str = TRAINING) -> bytes:
    pdf = _Terms(format="A4")
    pdf.add_page()
    _title(pdf, "Terms of Service", 20)
    _para(pdf, USE)
    _title(pdf, "1. Your content", 14)
    # An explicit line break after a hyphen: the word must come back whole.
    head, _, tail = training.partition("contin")
    _para(pdf, f"{head}contin-\n{tail}" if tail else training)
    _para(pdf, "- You keep ownership of your content.", gap=0)
    _para(pdf, "- You can delete it at any time.")
    _para(pdf, "Where the law allows, we may share aggregated statistics")   # runs on to the next page
    pdf.add_page()
    _para(pdf, "with our partners, never your name or your messages.")
    _title(pdf, "2. Termination", 14)
    _para(pdf, "You may close your account at any time from the settings page.")
    return bytes(pdf.output())


EXPECTED = [
    "# Terms of Service",
    " ".join(USE.split()),
    "## 1. Your content",
    TRAINING,
    "- You keep ownership of your content.",
    "- You can delete it at any time.",
    "Where the law allows, we may share aggregated statistics with our partners, never your name or your messages.",
    "## 2. Termination",
    "You may close your account at any time from the settings page.",
]


def test_paragraphs_headings_hyphenation_and_running_lines() -> None:
    assert clauses_from_pdf(_terms_pdf(), source="acme/terms") == EXPECTED


def test_a_change_inside_the_pdf_shows_as_one_clause() -> None:
    changed = "We may use the content you submit to continuously train our AI models."
    old, new = clauses_from_pdf(_terms_pdf()), clauses_from_pdf(_terms_pdf(training=changed))
    assert len(old) == len(new)
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [(TRAINING, changed)]


def test_ignore_patterns_are_cut_from_clauses() -> None:
    clauses = clauses_from_pdf(_terms_pdf(), ignore=[r" ?never your name or your messages\.", r"^You may close.*"])
    assert "Where the law allows, we may share aggregated statistics with our partners," in clauses
    assert clauses[-1] == "## 2. Termination"


def test_page_cap_reads_only_the_first_pages(caplog: pytest.LogCaptureFixture) -> None:
    clauses = clauses_from_pdf(_terms_pdf(), max_pages=1)
    assert EXPECTED[0] in clauses and "## 2. Termination" not in clauses
    assert "reading the first 1" in caplog.text


def test_time_budget_is_enforced() -> None:
    with pytest.raises(ExtractError, match=r"acme/terms: PDF took more than 0s to read"):
        clauses_from_pdf(_terms_pdf(), source="acme/terms", max_seconds=0)


def test_editing_lock_with_empty_user_password_is_read() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Locked against editing only.")
    pdf.set_encryption(owner_password="owner")
    assert clauses_from_pdf(bytes(pdf.output())) == ["Locked against editing only."]


def _image_only() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 80, 120, style="F")
    return bytes(pdf.output())


def _empty() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def _locked() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Secret terms.")
    pdf.set_encryption(owner_password="owner", user_password="reader")
    return bytes(pdf.output())


@pytest.mark.parametrize(("make", "message"), [
    pytest.param(lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, "corrupt PDF", id="garbage-after-header"),
    pytest.param(lambda: _terms_pdf()[:600], "corrupt PDF|no extractable text", id="truncated"),
    pytest.param(lambda: b"<!doctype html><p>Not a PDF</p>", "not a PDF", id="html-bytes"),
    pytest.param(lambda: b"", "not a PDF", id="empty-body"),
    pytest.param(_image_only, "no extractable text", id="image-only"),
    pytest.param(_empty, "no extractable text", id="blank-page"),
    pytest.param(_locked, "encrypted with a password", id="user-password"),
])
def test_unreadable_pdfs_raise_extract_error_naming_the_source(make, message: str) -> None:
    with pytest.raises(ExtractError, match=rf"^x/terms: .*({message})"):
        clauses_from_pdf(make(), source="x/terms")


def test_many_pages_extract_every_section() -> None:
    pdf = _Terms()
    for number in range(40):
        pdf.add_page()
        pdf.set_font("Helvetica", style="B", size=14)
        pdf.multi_cell(0, 10, f"Section {number + 1}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for k in range(number * 4, number * 4 + 4):   # distinct on every page: a repeated edge line is dropped
            _para(pdf, f"{USE} Reference {chr(65 + k % 26)}{chr(65 + k // 26)}.")
    body = bytes(pdf.output())
    clauses = clauses_from_pdf(body)
    assert len(clauses) == 40 * 5 and clauses[0] == "# Section 1"


def _raw_pdf(pages: list[bytes]) -> bytes:
    """A minimal PDF (Helvetica as F1, its oblique as F2, A4) with these content streams, written by hand as some producers do."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for content in pages:
        kids.append(len(objects) + 1)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 "
                       f"{len(objects) + 3} 0 R /F2 {len(objects) + 4} 0 R >> >> /Contents {len(objects) + 2} 0 R >>"
                       .encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Oblique /Encoding /WinAnsiEncoding >>")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _word_by_word_pdf() -> bytes:
    """Like the Doctolib PDFs: every word in its own BT/ET block under its own matrix (pypdf reports one
    "line" per word), in two font resources taken in turn, on two pages whose footer is drawn first in the
    content stream, before the body."""
    sentences = [["Le site est edite par Doctolib, societe par actions simplifiees au capital de",
                  "179 766,25 euros, immatriculee au RCS de Nanterre sous le numero 794 598 813."],
                 ["Le Directeur de la publication est Monsieur Stanislas NIOX-CHATEAU, joignable",
                  "par courrier au siege de la societe, comme indique ci-dessus."]]
    pages = []
    for lines in sentences:
        ops = [b"q 1 0 0 1 0 0 cm BT /F1 8 Tf 1 0 0 1 60 30 Tm (Version Aout 2025 Doctolib SAS - 54 quai) Tj ET Q"]
        for row, line in enumerate(lines):
            x = 60.0
            for i, word in enumerate(line.split()):
                ops.append(b"q 1 0 0 1 0 0 cm BT /F%d 11 Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj ET Q"
                           % (1 + i % 2, x, 780 - row * 14, word.encode()))
                x += (len(word) + 2) * 6.0
        pages.append(b"\n".join(ops))
    return _raw_pdf(pages)


def test_words_placed_one_by_one_make_paragraphs_and_the_footer_goes_wherever_it_is_drawn() -> None:
    assert clauses_from_pdf(_word_by_word_pdf()) == [
        "Le site est edite par Doctolib, societe par actions simplifiees au capital de 179 766,25 euros, "
        "immatriculee au RCS de Nanterre sous le numero 794 598 813.",
        "Le Directeur de la publication est Monsieur Stanislas NIOX-CHATEAU, joignable par courrier au siege de "
        "la societe, comme indique ci-dessus.",
    ]
