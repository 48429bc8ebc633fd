"""Abbreviations written out in words at their first use on a page.

One mechanism for every public page (PlainWordsMiddleware, over the <main>
of each public HTML response) and for report PDFs (write_out over the PDF's
HTML, in reports.tasks): the first use of each abbreviation in the jargon
buster becomes "special educational needs and disabilities (SEND)", the
abbreviation linking to its entry, and later uses stay short. Headings and
the page title are never lengthened: the first use in body text is written
out instead. Text a visitor typed into a form (textarea, option) and code
are left as they are; inside a link the words are written out without a
second, nested link.

Cost: one read of the glossary from the cache per page (the database only
when the cache is empty, after a change to the glossary), then one regular
expression search over the main content; a page without any abbreviation is
returned untouched. The HTML is the portal's own template output, where
anything typed is escaped, so tags are found with a regular expression.
"""

import hashlib
import itertools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape

from core.cache import derived as cache

CACHE_KEY = "directory:glossary:v2"

# Text inside these is never changed (typed text, code and scripts are not
# prose; navigation, such as a PDF's contents, repeats the headings).
KEEP = frozenset({"title", "script", "style", "textarea", "option", "code", "pre", "svg",
                  "abbr", "nav"})
# Headings stay short. An abbreviation used in a heading and nowhere in the
# body text is written out in a short paragraph just after that heading.
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Inside these the words are written out, but no link is added (no links in
# links or controls).
NO_LINK = frozenset({"a", "label", "button", "summary", "legend"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
# Starts with a literal "<", so the engine jumps from one to the next.
TAG = re.compile(r"<(?:!--.*?-->|(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>)", re.S)
MAIN = re.compile(r"(<main\b[^>]*>)(.*)(</main>)", re.S)
BODY = re.compile(r"(<body\b[^>]*>)(.*)(</body>)", re.S)


@dataclass(frozen=True)
class Entry:
    abbreviation: str
    term: str
    anchor: str


_versions = itertools.count(1)


@dataclass(frozen=True)
class Glossary:
    entries: dict  # abbreviation -> Entry
    pattern: re.Pattern | None
    version: int = field(default_factory=lambda: next(_versions))

    def __bool__(self) -> bool:
        return self.pattern is not None


def _load() -> list[tuple[str, str, str]]:
    from .models import GlossaryTerm

    return [(t.abbreviation, t.term, t.anchor)
            for t in GlossaryTerm.objects.exclude(abbreviation="").order_by("abbreviation")]


def _compile(rows) -> Glossary:
    entries = {a: Entry(a, t, anchor) for a, t, anchor in rows}
    if not entries:
        return Glossary({}, None)
    # Longest first, whole words only, case as written ("SEND", never "send");
    # a plural "s" is kept with its abbreviation ("EHCPs").
    names = sorted(entries, key=len, reverse=True)
    # The look-ahead for a first letter lets the engine pass most places quickly.
    first = "".join(sorted({re.escape(n[0]) for n in names}))
    pattern = re.compile(r"(?=[" + first + r"])(?<![\w-])(" + "|".join(map(re.escape, names))
                         + r")(s?)(?![\w-])")
    return Glossary(entries, pattern)


_compiled: dict[tuple, Glossary] = {}


def glossary() -> Glossary:
    """The glossary's abbreviations: one read of the derived cache, kept
    under the `directory` tables' generation (core.changes), so any committed
    change to the glossary, by a service, the admin site or raw SQL, is read
    on the next page; the database only then, or when the cache is unreachable."""
    from core import changes

    stamp, stored = changes.stamp_and_get(("directory",), CACHE_KEY)
    if stored is not None and stamp is not None and stored[0] == stamp:
        rows = stored[1]
    else:
        rows = _load()
        if stamp is not None:
            cache.set(CACHE_KEY, (stamp, rows), timeout=24 * 3600)
    key = tuple(map(tuple, rows))
    found = _compiled.get(key)
    if found is None:  # compiled once per process for each state of the glossary
        _compiled.clear()
        found = _compiled[key] = _compile(rows)
    return found


def _written_out_before(text: str, start: int, entry: Entry) -> bool:
    """Already written out by its author: "…disabilities (SEND)"."""
    before = text[:start].rstrip()
    return before.endswith("(") and before[:-1].rstrip().lower().endswith(entry.term.lower())


def write_out(html: str, *, glossary_url: str | None = None, region: re.Pattern = MAIN,
              words: Glossary | None = None) -> str:
    """The HTML with each glossary abbreviation written out at its first use
    in `region` (the <main>, or for a PDF the <body>)."""
    words = words if words is not None else glossary()
    if not words:
        return html
    found = region.search(html)
    if not found:
        return html
    inner = found.group(2)
    present = {m.group(1) for m in words.pattern.finditer(inner)}
    if not present:
        return html
    url = escape(glossary_url if glossary_url is not None else reverse("directory:glossary"))
    done: set[str] = set()
    out: list[str] = []
    depth = {"keep": 0, "heading": 0, "no_link": 0, "phrasing": 0}
    in_headings: dict[str, int] = {}  # abbreviation -> where to write it out, if never in the body
    heading_uses: set[str] = set()
    after_phrasing = False  # a heading inside a legend or label: write out after that ends
    position = 0

    def link(entry: Entry, shown: str, plural: str = "") -> str:
        shown = escape(shown)
        if not depth["no_link"]:
            shown = f'<a class="govuk-link" href="{url}#{entry.anchor}">{shown}</a>'
        return f"{escape(entry.term)}{plural} ({shown})"

    def replace_text(text: str) -> str:
        def one(m: re.Match) -> str:
            abbr, plural = m.group(1), m.group(2)
            if abbr in done:
                return m.group(0)
            done.add(abbr)
            entry = words.entries[abbr]
            if _written_out_before(text, m.start(), entry):
                return m.group(0)
            return link(entry, abbr + plural, plural)

        return words.pattern.sub(one, text)

    for tag in TAG.finditer(inner):
        text = inner[position:tag.start()]
        if text and not depth["keep"]:
            if depth["heading"]:
                for m in words.pattern.finditer(text):
                    if _written_out_before(text, m.start(), words.entries[m.group(1)]):
                        done.add(m.group(1))  # the heading itself says it in full
                    else:
                        heading_uses.add(m.group(1))
                out.append(text)
            else:
                out.append(replace_text(text))
        else:
            out.append(text)
        out.append(tag.group(0))
        position = tag.end()
        if not heading_uses and done >= present:
            break  # every abbreviation on the page is written out: the rest stays as it is
        name = (tag.group(2) or "").lower()
        if not name or name in VOID or tag.group(0).endswith("/>"):
            continue
        step = -1 if tag.group(1) else 1
        if name in KEEP:
            depth["keep"] = max(0, depth["keep"] + step)
        elif name in HEADINGS:
            depth["heading"] = max(0, depth["heading"] + step)
            if step < 0 and not depth["heading"]:
                if depth["phrasing"]:
                    after_phrasing = True
                else:
                    for abbr in heading_uses:
                        in_headings.setdefault(abbr, len(out))
                    heading_uses = set()
        if name in NO_LINK:
            depth["no_link"] = max(0, depth["no_link"] + step)
        if name in ("legend", "label"):
            depth["phrasing"] = max(0, depth["phrasing"] + step)
            if step < 0 and not depth["phrasing"] and after_phrasing:
                for abbr in heading_uses:
                    in_headings.setdefault(abbr, len(out))
                heading_uses, after_phrasing = set(), False
    rest = inner[position:]
    if done >= present:
        out.append(rest)
    else:
        out.append(replace_text(rest) if rest and not depth["keep"] and not depth["heading"]
                   else rest)
    # Used only in headings: written out in a short paragraph after the first.
    notes: dict[int, list[str]] = {}
    for abbr, index in in_headings.items():
        if abbr not in done:
            notes.setdefault(index, []).append(abbr)
    for index in sorted(notes, reverse=True):
        said = "; ".join(link(words.entries[a], a) for a in sorted(notes[index]))
        out.insert(index, f'<p class="govuk-body-s app-plain-words">In full: {said}.</p>')
    return html[:found.start(2)] + "".join(out) + html[found.end(2):]


def is_public_html(request: HttpRequest, response) -> bool:
    from django.conf import settings

    return (not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(tuple(settings.PLAIN_WORDS_SKIP_PREFIXES)))


def finish_page(request: HttpRequest, response) -> None:
    """A public page as it is made, before the page cache keeps it
    (core.pagecache.finish_before_keeping, from DirectoryConfig.ready):
    written out once, so a kept page is served without reading the glossary."""
    if is_public_html(request, response) and response.content:
        changed = _written_out(response, glossary())
        if changed is not None:
            _set_content(response, changed)


def _written_out(response, words: Glossary) -> bytes | None:
    """The response's page written out, or None when nothing changes."""
    charset = response.charset
    html = response.content.decode(charset)
    out = write_out(html, words=words)
    return None if out is html else out.encode(charset)


def _set_content(response, content: bytes) -> None:
    response.content = content
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))


MEMO_SIZE = 128


class PlainWordsMiddleware:
    """Every public HTML page not finished by the page cache (signed-in
    visitors', or any page when the cache is off or unreachable):
    abbreviations written out at first use.

    Pages served again unchanged are written out once per process and
    glossary: the last MEMO_SIZE results are kept by a digest of the page,
    so a repeat costs a hash and a look-up."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.memo: OrderedDict[tuple, bytes | None] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, request):
        response = self.get_response(request)
        if (getattr(response, "finished_page", False) or response.has_header("Content-Encoding")
                or not is_public_html(request, response) or not response.content):
            return response
        words = glossary()
        key = (words.version, hashlib.blake2b(response.content, digest_size=16).digest())
        with self.lock:
            changed = self.memo.get(key, False)
            if changed is not False:
                self.memo.move_to_end(key)
        if changed is False:
            changed = _written_out(response, words)
            with self.lock:
                self.memo[key] = changed
                if len(self.memo) > MEMO_SIZE:
                    self.memo.popitem(last=False)
        if changed is not None:
            _set_content(response, changed)
        return response
