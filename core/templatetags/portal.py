"""Template pieces every app shares: GOV.UK error-summary targets, the staff
navigation's current item and scrolling table regions."""

import unicodedata

from django import forms, template
from django.template.defaultfilters import stringfilter, truncatechars
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html

register = template.Library()


def focus_target(bound_field) -> str:
    """The id of the element an error link must reach for this field.

    GOV.UK: a link goes to the first input of the question. Our radios and
    checkboxes give their first input the field's own id (see
    templates/gds/layout/radio_item.html); a date's first input is its day box.
    """
    widget = bound_field.field.widget
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.simple_tag
def error_links(form) -> list[tuple[str, str]]:
    """(target id, message) for each error of a form, in page order;
    errors about the whole form go to its first question."""
    visible = form.visible_fields()
    links = []
    if visible:
        links += [(focus_target(visible[0]), error) for error in form.non_field_errors()]
    for field in visible:
        links += [(focus_target(field), error) for error in field.errors]
    return links


@register.simple_tag(takes_context=True)
def staff_nav_link(context, url_name: str, label: str) -> str:
    """A staff navigation item; the one for the page the person is on says
    so (aria-current="page") and looks it, in words as well as in colour."""
    request = context.get("request")
    url = reverse(url_name)
    if request is not None and request.path == url:
        return format_html('<li><a class="govuk-link app-staff-nav__link--current" href="{}" '
                           'aria-current="page">{}</a></li>', url, label)
    return format_html('<li><a class="govuk-link" href="{}">{}</a></li>', url, label)


@register.tag
def table_region(parser, token):
    """{% table_region "Feedback inbox" %}<table>…</table>{% endtable_region %}

    A wide staff table scrolls sideways inside its own region at narrow
    widths (WCAG 1.4.10 allows that for data tables), not the whole page.
    The region takes keyboard focus so it can be scrolled without a mouse,
    and is labelled so a screen reader says what it is. static/js/portal.js
    takes the focus away again where the table fits and nothing scrolls."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("table_region takes one label")
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    return TableRegionNode(parser.compile_filter(bits[1]), nodelist)


class TableRegionNode(template.Node):
    def __init__(self, label, nodelist):
        self.label, self.nodelist = label, nodelist

    def render(self, context):
        return format_html('<div class="app-table-scroll" role="region" aria-label="{}" '
                           'tabindex="0">{}</div>', self.label.resolve(context),
                           self.nodelist.render(context))  # a SafeString: already escaped


# Rendered staff navigations, per process: {(path, superuser, roles held): html}.
_NAV_HTML: dict[tuple, str] = {}
_NAV_HTML_LIMIT = 2_000


@register.tag
def same_for_same_roles(parser, token):
    """{% same_for_same_roles %}…{% endsame_for_same_roles %}

    Renders its contents once per address and set of roles held, then reuses
    them (kept in the process): the staff navigation asks about a dozen
    permissions and reverses a dozen addresses on every staff page, and the
    answer is the same for everyone holding the same roles. Only for markup
    that depends on nothing but the address, the person's roles (anywhere,
    without an object: every permission the navigation asks about is one of
    those), whether they administer the partnership, and whether they are a
    superuser."""
    nodelist = parser.parse(("endsame_for_same_roles",))
    parser.delete_first_token()
    return SameForSameRolesNode(nodelist)


class SameForSameRolesNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        from core.roles import is_partnership_administrator, roles_by_organisation

        request, user = context.get("request"), context.get("user")
        if request is None or user is None or not getattr(user, "is_authenticated", False):
            return self.nodelist.render(context)
        held = frozenset().union(*roles_by_organisation(user).values())
        where = (getattr(self.origin, "name", None), getattr(self.token, "position", None))
        # The partnership's administrators see more (partner organisations)
        # than other administrators holding the same roles.
        key = (where, request.path, user.is_superuser, user.is_active, held,
               is_partnership_administrator(user))
        html = _NAV_HTML.get(key)
        if html is None:
            if len(_NAV_HTML) >= _NAV_HTML_LIMIT:
                _NAV_HTML.clear()
            html = _NAV_HTML[key] = self.nodelist.render(context)
        return html


@register.simple_tag
def page_links(page) -> list[tuple[int, str]]:
    """{% page_links page as links %}: the numbered links of _pagination.html,
    as (number, "current" | "link" | "gap"): the first and last pages, two
    either side of this one, and a gap where pages are left out. Worked out
    here once, not by asking three template conditions of every page number
    (a capped list of feedback has 41 pages, asked about on every view)."""
    current, last = page.number, page.paginator.num_pages
    links = []
    for number in page.paginator.page_range:
        if number == current:
            links.append((number, "current"))
        elif number in (1, last) or current - 2 <= number <= current + 2:
            links.append((number, "link"))
        elif number in (2, last - 1):
            links.append((number, "gap"))
    return links


@register.filter(is_safe=True)
@stringfilter
def excerpt(value: str, length: int) -> str:
    """`truncatechars`, with the same result, without walking a text that
    is already short enough character by character (most of what families
    write in a row of the inbox)."""
    text = unicodedata.normalize("NFC", value)
    if 0 < int(length) and len(text) <= int(length):
        return text
    return truncatechars(value, length)


# {(url name, script prefix, urlconf): (before the pk, after it)}, per process.
_PK_URLS: dict[tuple, tuple[str, str]] = {}
_PK_SENTINEL = 987654321987


@register.simple_tag
def pk_url(url_name: str, pk) -> str:
    """{% pk_url 'staff:feedback:detail' item.pk %}: the same address as
    {% url 'staff:feedback:detail' item.pk %}, for a list's rows. Django's
    reverse() matches the whole pattern again for every row; the address of
    a page named by an integer pk differs only in that number, so it is
    reversed once with a stand-in and the row's pk put in its place."""
    key = (url_name, get_script_prefix(), get_urlconf())
    parts = _PK_URLS.get(key)
    if parts is None:
        before, sentinel, after = reverse(url_name, args=[_PK_SENTINEL]).partition(
            str(_PK_SENTINEL))
        if not sentinel or str(_PK_SENTINEL) in after:
            raise ValueError(f"{url_name} does not take one integer pk")
        parts = _PK_URLS[key] = (before, after)
    return f"{parts[0]}{int(pk)}{parts[1]}"
