"""Moving one of an ordered list of rows up or down, written once."""

from django.db.models import QuerySet


def move_in_order(siblings: QuerySet, item, direction: int, field: str = "position") -> bool:
    """Swap `item` with its neighbour in `siblings` (direction -1 up, +1 down)
    and renumber them 1…n, so gaps and ties from earlier edits do not matter.
    Moving the first up or the last down changes nothing (returns False).
    Call inside a transaction; the rows are locked while they are renumbered."""
    rows = list(siblings.select_for_update().order_by(field, "pk"))
    index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
    other = index + direction
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    changed = []
    for number, row in enumerate(rows, 1):
        if getattr(row, field) != number:
            setattr(row, field, number)
            changed.append(row)
    type(item).objects.bulk_update(changed, [field])
    return True
