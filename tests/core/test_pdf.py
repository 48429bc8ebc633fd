from core.pdf import render_pdf
from tests.conftest import pdf_info, pdf_structure, pdf_table_header_problems, pdf_text

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


def test_table_cells_find_their_headers_through_the_id_tree_on_every_page():
    # Row headers, column headers, and a table long enough that its header
    # row repeats on a second page (WeasyPrint tags each page's part apart).
    rows = "".join(f"<tr><th scope='row'>Action {n}</th><td>Amber</td><td>50%</td></tr>"
                   for n in range(80))
    pdf = render_pdf(f"""<!DOCTYPE html><html lang="en-GB"><head><title>Actions</title></head>
<body><table><thead><tr><th scope="col">Action</th><th scope="col">Status</th>
<th scope="col">Done</th></tr></thead><tbody>{rows}</tbody></table></body></html>""")
    assert int(pdf_info(pdf)["Pages"]) > 1
    assert pdf_table_header_problems(pdf) == []
