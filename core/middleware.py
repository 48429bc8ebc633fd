"""Requests the portal cannot store are answered before any view runs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

NUL = "\x00"


def _has_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in v for v in values)
               for key, values in query_dict.lists())


class RejectNulBytesMiddleware:
    """A NUL byte in the address, the query string or a form field answers
    400 with a GOV.UK page. Postgres cannot store NUL in text, so without
    this a NUL in a tracking or pulse token, or in any value a view looks up
    directly, was a server error. People never type one; the page tells them
    to go back, where their browser still holds what they typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or _has_nul(request.GET) or (
                request.method == "POST" and _has_nul(request.POST)):
            return render(request, "400.html", status=400)
        return self.get_response(request)
