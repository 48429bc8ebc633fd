"""Accessible PDFs with WeasyPrint, shared by board packs and reports.

The PDF is tagged (PDF/UA-1), so screen readers can follow headings, lists
and tables; its title and language come from the HTML's <title> and
<html lang>. Call this from Celery tasks, never in a request.

Decorations (the contents' dotted leaders, rules) must be drawn with CSS
borders or backgrounds, which WeasyPrint marks as artifacts, never with
characters such as leader("."), which become text a screen reader reads.
"""

import io
from html.parser import HTMLParser

from django.conf import settings
from django.template.loader import render_to_string


class _LinkTexts(HTMLParser):
    """The words of each link in the HTML, by where it goes."""

    def __init__(self):
        super().__init__()
        self.texts: dict[str, str] = {}
        self._href: str | None = None
        self._words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self._href, self._words = dict(attrs)["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._words.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            text = " ".join("".join(self._words).split())
            target = self._href[1:] if self._href.startswith("#") else self._href
            self.texts.setdefault(target, text)
            self._href = None


def describe_links(document, html: str) -> None:
    """Give every link annotation the words of its link as its description
    (/Contents), so a screen reader says where it goes: WeasyPrint writes
    the bare target instead ("item-4"). `document` is an open pikepdf.Pdf."""
    import pikepdf

    parser = _LinkTexts()
    parser.feed(html)
    for page in document.pages:
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link" or "/Contents" not in annotation:
                continue
            text = parser.texts.get(str(annotation.Contents))
            if text:
                annotation.Contents = pikepdf.String(text)


def _struct_kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def name_table_headers(document) -> None:
    """Make each table cell's headers findable by a screen reader.

    WeasyPrint 70 gives every TH an /ID and every TD the /Headers naming
    them, but writes no /IDTree in the StructTreeRoot, which is the only
    way a reader turns those names into elements (PDF 1.7 §14.7.2), and no
    /Scope on TH (Kozea/WeasyPrint#2508; no option turns either on). Add
    both, once the PDF is written. A TH named by a TD in its own row is a
    row header (WeasyPrint does that only for <th scope="row">); any other
    is a column header, as WeasyPrint maps it. `document` is an open
    pikepdf.Pdf."""
    import pikepdf

    root = document.Root.get("/StructTreeRoot")
    if root is None:
        return
    ids, headers = pikepdf.NameTree.new(document), []
    rows = _struct_kids(root)
    while rows:  # every TR, wherever it sits
        element = rows.pop()
        if element.get("/S") != "/TR":
            rows += _struct_kids(element)
            continue
        cells = _struct_kids(element)
        in_row = {str(h) for c in cells if c.get("/S") == "/TD" and "/A" in c
                  for h in c.A.get("/Headers", [])}
        for cell in cells:
            if cell.get("/S") == "/TH":
                if "/ID" in cell:
                    ids[str(cell.ID)] = cell
                headers.append((cell, "/Row" if str(cell.get("/ID")) in in_row else "/Column"))
    for cell, scope in headers:
        if "/A" not in cell:
            cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
        cell.A.Scope = pikepdf.Name(scope)
    if len(ids):
        root.IDTree = ids.obj


def _finish(pdf: bytes, html: str) -> bytes:
    """What WeasyPrint leaves out of a tagged PDF, added in one pass."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        describe_links(document, html)
        name_table_headers(document)
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML  # imported here: Pango is only needed by workers

    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR))
    return _finish(document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True), html)


def render_pdf_from_template(template_name: str, context: dict) -> bytes:
    """Render a Django template (which must set <title> and <html lang>) to PDF."""
    return render_pdf(render_to_string(template_name, context))


def store_pdf_when(queryset, pk: int, *, still_wanted, field: str, filename: str | None = None,
                   name=None, pdf: bytes, mark: dict, on_stored=None):
    """Store a rendered PDF as a row's one file and mark the row ready, once.

    The half of "render, lock, replace, mark ready" that report PDFs and
    board packs share. Render first, outside any transaction (it is slow);
    then here, under a row lock: if the row still wants it
    (`still_wanted(row)`), the file at its fixed name (`name(row)`, or
    `filename` under the field's folder) is replaced, never added to (a
    partial file from a killed worker, or an earlier pack, is removed), and
    the fields in `mark` are saved with it. `on_stored(row)` runs in the
    same transaction (an audit record). Returns the row, or None when it no
    longer wanted the file (another delivery finished first)."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    with transaction.atomic():
        row = queryset.select_for_update().filter(pk=pk).first()
        if row is None or not still_wanted(row):
            return None
        file = getattr(row, field)
        storage = file.storage
        target = name(row) if name else file.field.generate_filename(row, filename)
        if file and file.name != target:
            file.delete(save=False)
        if storage.exists(target):
            storage.delete(target)
        file.name = storage.save(target, ContentFile(pdf))
        for attribute, value in mark.items():
            setattr(row, attribute, value)
        row.save(update_fields=[field, *mark, "updated_at"])
        if on_stored:
            on_stored(row)
    return row
