from core.pdf import render_pdf
from tests.conftest import pdf_info, pdf_structure, pdf_text

HTML = """<!DOCTYPE html><html lang="en-GB"><head><title>Board pack: March 2026</title></head>
<body><h1>Board pack</h1><table><thead><tr><th>Action</th><th>Status</th></tr></thead>
<tbody><tr><td>Refresh the Local Offer</td><td>Amber</td></tr></tbody></table></body></html>"""


def test_pdfs_are_tagged_with_title_and_text():
    pdf = render_pdf(HTML)
    info = pdf_info(pdf)
    assert info["Title"] == "Board pack: March 2026"
    assert info["Tagged"] == "yes"
    assert "Refresh the Local Offer" in pdf_text(pdf)
    structure = pdf_structure(pdf)
    assert "H1" in structure and "Table" in structure and "TH" in structure


def test_pdfs_say_their_language():
    import zlib

    pdf = render_pdf(HTML)
    # The catalogue's /Lang may sit in a compressed object stream.
    chunks = [pdf]
    for part in pdf.split(b"stream")[1:]:
        body = part.split(b"endstream")[0].strip(b"\r\n")
        try:
            chunks.append(zlib.decompress(body))
        except zlib.error:
            pass
    assert any(b"/Lang (en-GB)" in c or b"/Lang(en-GB)" in c for c in chunks)
