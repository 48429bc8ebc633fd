"""Accessible PDFs with WeasyPrint, shared by board packs and reports.

The PDF is tagged (PDF/UA-1), so screen readers can follow headings, lists
and tables; its title and language come from the HTML's <title> and
<html lang>. Call this from Celery tasks, never in a request.
"""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML  # imported here: Pango is only needed by workers

    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def render_pdf_from_template(template_name: str, context: dict) -> bytes:
    """Render a Django template (which must set <title> and <html lang>) to PDF."""
    return render_pdf(render_to_string(template_name, context))
