"""Pagination for staff lists over years of rows.

Django's Paginator counts every matching row (COUNT(*) over five years of
feedback) to number the last page. A list only needs to know whether there is
more than it can usefully show: `CappedPaginator` counts at most `cap` rows
beyond the page asked for, so the count costs the same as reading the page,
however many rows match. Every page stays reachable by "Next"; the caption
says "more than N" instead of an exact total.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Far beyond the last page of any list (a million rows at 10 a page), and
# small enough that LIMIT and OFFSET stay in Postgres's bigint range.
MAX_PAGE = 100_000


def page_number(value) -> int:
    """The page a query string asks for: ASCII digits only ("²" and "٣" are
    digits to Python's int(), not to anyone typing an address), 1 when it is
    no number, and at most MAX_PAGE (a page past the end shows the last one,
    as Django's Paginator.get_page does)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return min(max(value, 1), MAX_PAGE)
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    return min(max(int(value[:12]), 1), MAX_PAGE)


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = 1000, known_count: int | None = None,
                 **kwargs):
        """`known_count`: how many rows match, when the view has counted them
        already (the inbox's "open" figure is its default list's count), so
        they are not counted twice."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self._asked = 1
        self._known_count = known_count

    def get_page(self, number):
        self._asked = page_number(number)
        return super().get_page(self._asked)

    @cached_property
    def _limit(self) -> int:
        # Count far enough to show the page asked for and the next one.
        return max(self.cap, (self._asked + 1) * self.per_page)

    @cached_property
    def count(self) -> int:
        if self._known_count is not None:
            return min(self._known_count, self._limit + 1)
        limited = self.object_list
        if hasattr(limited, "order_by"):  # a queryset: SELECT COUNT(*) FROM (… LIMIT n)
            return limited.order_by()[: self._limit + 1].count()
        return len(limited[: self._limit + 1])

    @cached_property
    def is_capped(self) -> bool:
        """True when more rows match than were counted: show "more than"."""
        return self.count > self._limit

    @property
    def shown_count(self) -> int:
        """The number to print: exact, or the cap when `is_capped`."""
        return self._limit if self.is_capped else self.count
