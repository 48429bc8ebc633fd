"""The Open data page, the API's documentation page, and the CSV files.

/api/docs/ is rendered here, on the server, from the OpenAPI document with
the portal's own GOV.UK templates. What ninja ships was checked: its CDN
Swagger page and its Redoc page start Swagger UI / Redoc with an inline
<script> (and Redoc injects <style> elements), which the portal's Content
Security Policy forbids; its local Swagger page loads only files, but is a
JavaScript application, empty without it, outside the GOV.UK look and the
portal's axe and 320 px checks. A page of headings, tables and lists made
on the server is the most accessible documentation, and needs no JavaScript.
"""

import csv
import io
from functools import partial

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.csvexport import csv_cell

from . import tables
from .api import api
from .http import open_data

# The metadata, made from the code alone, reads nothing but is kept under
# the smallest group. Each CSV file declares its own (tables.Table.groups):
# a family's feedback does not make the 1.5 MB actions file anew.
METADATA_GROUPS = ("core",)

# The parts of the document the docs page shows, in its order.
METHODS = ("get",)


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a description (separated by blank lines), each on one line."""
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def _schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_words(prop: dict) -> str:
    """A field's type in words: "string", "integer or null", "list of Item"."""
    if "$ref" in prop:
        return _schema_name(prop["$ref"])
    if "anyOf" in prop:
        return " or ".join(_type_words(p) for p in prop["anyOf"])
    kind = prop.get("type", "object")
    if kind == "array":
        return f"list of {_type_words(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of text to {_type_words(prop['additionalProperties'])}"
    if prop.get("format") in ("date", "date-time"):
        return f"{kind} ({prop['format']})"
    if "enum" in prop:
        return f"{kind}: one of {', '.join(str(v) for v in prop['enum'])}"
    return "null" if kind == "null" else kind


def docs_context(document: dict) -> dict:
    operations = []
    for path, item in document["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "type": _type_words(p.get("schema", {})),
                       "description": p.get("description") or p.get("schema", {}).get(
                           "description", "")}
                      for p in op.get("parameters", [])]
            responses = []
            for code, response in op.get("responses", {}).items():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                responses.append({"code": code, "description": response.get("description", ""),
                                  "type": _type_words(schema) if schema else ""})
            operations.append({"method": method.upper(), "path": path,
                               "id": op.get("operationId", path),
                               "summary": op.get("summary", ""),
                               "paragraphs": paragraphs(op.get("description", "")),
                               "tag": (op.get("tags") or [""])[0],
                               "parameters": params, "responses": responses})
    schemas = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        fields = [{"name": field, "type": _type_words(prop), "required": field in required,
                   "description": prop.get("description", "")}
                  for field, prop in schema.get("properties", {}).items()]
        schemas.append({"name": name, "fields": fields,
                        "values": [str(v) for v in schema.get("enum", [])]})
    return {"info": document["info"], "info_paragraphs": paragraphs(
        document["info"].get("description", "")), "operations": operations, "schemas": schemas}


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    document = api.get_openapi_schema(path_prefix=reverse("api:api-root").rstrip("/"))
    return render(request, "opendata/api_docs.html", docs_context(document))


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/open_data.html", {
        "tables": tables.TABLES, "licence_url": tables.OGL,
        "rate_limit": settings.OPEN_DATA_RATE_LIMIT_PER_HOUR})


def _table(name: str) -> tables.Table:
    table = tables.BY_NAME.get(name)
    if table is None:
        raise Http404
    return table


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("opendata:csv-metadata-all")).rsplit("/", 1)[0] + "/"


def _csv_view(table: tables.Table):
    """One kept view for each file, so each is kept under its own groups."""

    def one_table_csv(request: HttpRequest) -> HttpResponse:
        out = io.StringIO()
        writer = csv.writer(out)
        # Cells go through the portal's one formula guard (core.csvexport).
        for n, row in enumerate(tables.table_rows(table)):
            writer.writerow(row if n == 0 else [csv_cell(v) for v in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{table.filename}"'
        response["Link"] = (f'<{reverse("opendata:csv-metadata", args=[table.name])}>; '
                            'rel="describedby"; type="application/csvm+json"')
        return response

    return open_data(one_table_csv, groups=table.groups)


CSV_VIEWS = {table.name: _csv_view(table) for table in tables.TABLES}


@require_GET
def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    view = CSV_VIEWS.get(name)
    if view is None:
        raise Http404
    return view(request)


def _metadata_response(data: dict) -> JsonResponse:
    return JsonResponse(data, content_type="application/csvm+json",
                        json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_GET
@partial(open_data, groups=METADATA_GROUPS)
def table_metadata(request: HttpRequest, name: str) -> HttpResponse:
    return _metadata_response(tables.metadata_for(_table(name), _base_url(request)))


@require_GET
@partial(open_data, groups=METADATA_GROUPS)
def metadata_all(request: HttpRequest) -> HttpResponse:
    return _metadata_response(tables.metadata_all(_base_url(request)))

