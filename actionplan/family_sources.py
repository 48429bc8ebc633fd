"""Where family-reported measures come from, filled in by the apps that own
the sources (style: a lower app offers a registry; imports point one way).

- `statement_choices`: callables returning (lineage, words) for each
  "how we will know it is working" statement a measure may follow; the
  charter adds one in its AppConfig.ready().
- `statement_refreshers`: callables given a measure's id that set its values
  from the statement's results (calling services.measure_family_values_set).
"""

from collections.abc import Callable

statement_choices: list[Callable[[], list[tuple[str, str]]]] = []
statement_refreshers: list[Callable[[int], int]] = []


def statements() -> list[tuple[str, str]]:
    return [choice for source in statement_choices for choice in source()]


def refresh(measure_id: int) -> None:
    for refresher in statement_refreshers:
        refresher(measure_id)
