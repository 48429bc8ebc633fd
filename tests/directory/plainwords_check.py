"""An independent reading of a page: which glossary abbreviations it uses
and whether each is written out in words at its first use in body text.

Deliberately not directory.plainwords: it parses the HTML with the standard
library's parser and judges the result, so a mistake in the mechanism is not
repeated by the test."""

import re
from html.parser import HTMLParser

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "title", "nav"}
IGNORED = {"script", "style", "textarea", "option", "code", "pre", "svg", "abbr"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Texts(HTMLParser):
    """Text of the page's <main> (or whole <body> for a PDF), with whether
    each piece sits in a heading-like element."""

    def __init__(self, region: str):
        super().__init__(convert_charrefs=True)
        self.region, self.depth, self.stack = region, 0, []
        self.pieces: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if tag == self.region:
            self.depth += 1
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack and self.stack.pop() != tag:
            pass
        if tag == self.region:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth <= 0 or any(t in IGNORED for t in self.stack):
            return
        self.pieces.append((data, any(t in HEADINGS for t in self.stack)))


def problems(html: str, glossary: dict[str, str], *, region: str = "main") -> list[str]:
    """For each abbreviation (key) used in the region, its first use in body
    text must be preceded by its words (value) and an opening bracket;
    one used only in headings is never written out, a problem too."""
    parser = _Texts(region)
    parser.feed(html)
    body = "".join(text if not heading else "\n" for text, heading in parser.pieces)
    everything = "".join(text for text, _ in parser.pieces)
    found = []
    for abbreviation, words in glossary.items():
        pattern = re.compile(r"(?<![\w-])" + re.escape(abbreviation) + r"s?(?![\w-])")
        if not pattern.search(everything):
            continue
        if _written_out(everything, pattern.search(everything), words):
            continue  # its first use (a heading, say) is in full
        first = pattern.search(body)
        if first is None:
            found.append(f"{abbreviation} is used only in headings, never written out")
        elif not _written_out(body, first, words):
            context = " ".join(body[max(0, first.start() - 60):first.end() + 20].split())
            found.append(f"{abbreviation} is not written out at its first use: …{context}…")
    return found


def _written_out(text: str, use, words: str) -> bool:
    before = " ".join(text[:use.start()].split()).lower()
    return before.endswith((words.lower() + " (", words.lower() + "s ("))


def shouting_words(html: str, *, region: str = "main") -> set[str]:
    """Every word of two or more capitals in the region's text (candidate
    abbreviations the glossary might be missing)."""
    parser = _Texts(region)
    parser.feed(html)
    text = " ".join(t for t, _ in parser.pieces)
    return set(re.findall(r"(?<![\w-])([A-Z]{2,})s?(?![\w-])", text))
