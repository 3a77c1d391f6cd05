"""tandem/lib/uploads.py on real files: each kind kept is told from its bytes, whatever its name, and
everything else is refused with a reason a person can act on."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tandem.lib.uploads import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    UploadRefused,
    check_size,
    check_upload,
    display_name,
    identify,
    size_text,
)
from tests.advice import samples

MB = 1024 * 1024


def _refusal(data: bytes, **kwargs: int) -> str:
    with pytest.raises(UploadRefused) as refused:
        check_upload(data, **kwargs)
    return refused.value.message


def test_it_tells_a_real_pdf_and_the_pdf_reads_back():
    data = samples.pdf("Speech and language therapy report")
    assert identify(data) is PDF
    assert "Speech and language therapy report" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_it_tells_a_real_word_document():
    assert identify(samples.docx()) is DOCX


def test_it_tells_real_pictures():
    assert identify(samples.png()) is PNG
    assert identify(samples.jpeg()) is JPEG


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (samples.windows_program, "a Windows program"),
        (samples.linux_program, "a Linux program"),
        (samples.mac_program, "a Mac program"),
        (samples.shell_script, "a script"),
    ],
)
def test_it_refuses_programs_by_name(make, words):
    message = _refusal(make())
    assert words in message
    assert "not a document" in message
    assert "PDF, Word (.docx), JPEG and PNG" in message


def test_it_refuses_a_web_page_even_after_a_byte_order_mark_and_blank_lines():
    message = _refusal(samples.web_page())
    assert "web page (HTML)" in message


def test_it_refuses_html_however_it_starts():
    for start in (b"<html><body>hi</body></html>", b"  <script>alert(1)</script>", b"<svg onload=x></svg>"):
        assert "web page (HTML)" in _refusal(start)


def test_it_refuses_what_it_cannot_tell():
    message = _refusal(samples.plain_text())
    assert "could not tell what this file is" in message
    assert "Save or print the document as a PDF" in message


def test_it_refuses_an_old_word_file_saying_what_to_do():
    assert "Save it as a Word document (.docx) or as a PDF" in _refusal(samples.old_word_document())


def test_it_refuses_a_zip_that_is_not_a_word_document():
    message = _refusal(samples.zip_of({"notes.txt": b"hello", "payload.exe": samples.windows_program()}))
    assert "zip archive, not a Word document" in message


def test_it_refuses_a_word_document_without_its_content_types():
    data = samples.zip_of({"word/document.xml": b"<w:document/>"})
    assert "zip archive, not a Word document" in _refusal(data)


def test_it_refuses_a_damaged_word_document():
    data = samples.docx()
    assert "damaged or incomplete" in _refusal(data[: len(data) // 2])


def test_it_refuses_a_word_document_with_macros():
    data = samples.docx(extra={"word/vbaProject.bin": b"\x00" * 64})
    assert "contains macros" in _refusal(data)


def test_it_refuses_a_pdf_cut_short():
    data = samples.pdf()
    assert "PDF is incomplete" in _refusal(data[: len(data) - 200])


def test_it_refuses_an_empty_file():
    assert "The file is empty" in _refusal(b"")
    with pytest.raises(UploadRefused, match="empty"):
        check_size(0)


def test_it_refuses_an_oversized_file_before_reading_it():
    with pytest.raises(UploadRefused) as refused:
        check_size(12 * MB, max_bytes=10 * MB)
    assert refused.value.message.startswith("The file is 12 MB; the most Tandem takes is 10 MB.")
    check_size(10 * MB, max_bytes=10 * MB)  # exactly the limit is kept


def test_it_checks_the_size_of_the_bytes_too():
    data = samples.pdf()
    assert "the most Tandem takes" in _refusal(data, max_bytes=len(data) - 1)
    assert check_upload(data, max_bytes=len(data)) is PDF


def test_it_ignores_the_name_a_file_comes_with():
    # The kind comes from the bytes: a program called "report.pdf" is still a program, and a PDF called
    # "report.exe" is kept as a PDF, offered back as "report.exe.pdf".
    assert "a Windows program" in _refusal(samples.windows_program())
    assert display_name("report.exe", PDF) == "report.exe.pdf"


def test_it_makes_a_safe_display_name():
    assert display_name("C:\\Users\\senco\\Desktop\\EP report.PDF", PDF) == "EP report.pdf"
    assert display_name("../../etc/passwd", PDF) == "passwd.pdf"
    assert display_name('bad"name\r\n.docx', DOCX) == "badname.docx"
    assert display_name("scan.jpeg", JPEG) == "scan.jpeg"
    assert display_name("", PNG) == "document.png"
    assert len(display_name("x" * 400 + ".pdf", PDF)) <= 150


def test_it_says_sizes_as_people_read_them():
    assert size_text(850 * 1024) == "850 KB"
    assert size_text(10 * MB) == "10 MB"
    assert size_text(12 * MB + MB // 2) == "12.5 MB"
    assert size_text(10) == "1 KB"
