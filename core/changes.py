"""Which parts of the database have changed: a generation number for each
app's tables, moved on whenever anything writes to one of them.

A page kept whole for a signed-in person (core.pagecache.cache_staff_page)
is used only while the generations of everything it shows are the ones it
was made under. To make that safe without trusting every writer to say
what it changed, the watch is on the database connection itself
(`connection.execute_wrapper`, installed on every connection the portal
opens, in web, worker and beat processes alike): every INSERT, UPDATE,
DELETE or TRUNCATE is seen, whether it came from `save()`, `update()`,
`bulk_create()`, a many-to-many change, a migration or raw SQL. Anything
else that is not plainly a read (COPY, a data-modifying WITH, DDL) moves
every generation on.

The generation moves on once the write is committed: straight after the
statement in autocommit, after the transaction's commit otherwise (once per
group, however many rows it wrote; not at all if it is rolled back). A page
is made under the numbers read before its rows are, so a page made from
rows older than a commit is kept under numbers older than it, and never
used. (Pages are never kept from inside a transaction, where the writer
could read its own rows before they are committed: see cache_staff_page.)

Groups are app labels (`feedback`, `actionplan`, `reports`, `charter`,
`core`), with Django's and other libraries' tables as `other` (users'
groups and permissions, two-factor devices). Not counted at all: sessions
and sign-in attempts, which change on every sign-in and page view and are
never shown on a kept page. Bookkeeping has groups of its own, which no kept
page reads, so it never makes one stale: `jobs` (background jobs, which the
dispatcher touches every half minute, the delivery statuses of messages sent
through GOV.UK Notify, and approvers' e-mails owed), `audit` (every audited
action writes an event) and `heartbeat` (beat and the workers prove they are
alive every minute). A page that comes to show one of them declares it.

Every kept page declares the groups it reads: public pages
(core.pagecache.cache_public_page, the open data through opendata.http) and
staff pages (cache_staff_page) alike, and so do the figures kept apart from
a page (the dashboard's, the report page's items). Nothing else says when
something changed: there are no hand-placed calls and no model signals.

Generations live in the fail-soft derived cache (Redis in production,
shared by every process): when it cannot be reached, `generations()` says
so and nothing kept is used.
"""

import re
from functools import partial

from django.db import connections
from django.db.backends.signals import connection_created

from core import cache

# Tables whose writes never change what a kept page shows.
IGNORED_TABLES = frozenset({"django_session", "axes_accessattempt", "axes_accesslog",
                            "axes_accessfailurelog", "axes_accessattemptexpiration"})
# Bookkeeping: written all day, shown on no kept page.
OWN_GROUPS = {"core_job": "jobs", "core_notifymessage": "jobs", "core_approvalnotice": "jobs",
              "core_auditevent": "audit", "core_heartbeat": "heartbeat"}
APP_GROUPS = ("core", "feedback", "actionplan", "reports", "charter", "directory", "participation")
BOOKKEEPING_GROUPS = ("jobs", "audit", "heartbeat")
GROUPS = (*APP_GROUPS, "other", *BOOKKEEPING_GROUPS)

_READ = re.compile(r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW|EXPLAIN|BEGIN|COMMIT"
                   r"|DECLARE|FETCH|CLOSE)\b", re.IGNORECASE)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+'
                    r'(?:ONLY\s+)?"?([A-Za-z0-9_]+)"?\s', re.IGNORECASE)

_table_groups: dict[str, str] = {}


def _name(group: str) -> str:
    return f"tables:{group}"  # a core.cache generation


def group_of(table: str) -> str | None:
    """The group a table's writes move on (None: not counted)."""
    if table in IGNORED_TABLES:
        return None
    if not _table_groups:
        from django.apps import apps

        for model in apps.get_models(include_auto_created=True):
            label = model._meta.app_label
            _table_groups[model._meta.db_table] = label if label in APP_GROUPS else "other"
        _table_groups.update(OWN_GROUPS)
    return _table_groups.get(table, "other")


def groups_written_by(sql: str) -> tuple[str, ...]:
    """The groups one SQL statement moves on: none for a read."""
    if _READ.match(sql):
        return ()
    found = _WRITE.match(sql)
    if found is None:  # COPY, WITH … INSERT, DDL: could be anything
        return GROUPS
    group = group_of(found.group(1).lower())
    return (group,) if group else ()


_after_commit = {group: partial(cache.bump_generation, _name(group)) for group in GROUPS}


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    groups = groups_written_by(sql)
    if groups:
        connection = context["connection"]
        for group in groups:
            after = _after_commit[group]
            if not connection.in_atomic_block:
                after()  # committed already (autocommit)
            elif not any(func is after for _, func, _ in connection.run_on_commit):
                connection.on_commit(after, robust=True)
    return result


def written_uncommitted(connection, group: str) -> bool:
    """Whether this connection's open transaction has written to the group's
    tables: those writes move its generation on only when it commits."""
    after = _after_commit[group]
    return connection.in_atomic_block and any(
        func is after for _, func, _ in connection.run_on_commit)


def watch(connection, **kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def install() -> None:
    """From CoreConfig.ready: every connection opened from now on, and any
    already open, is watched."""
    connection_created.connect(watch, dispatch_uid="core.changes.watch")
    for alias in connections:
        connection = connections[alias]
        if connection.connection is not None:
            watch(connection)


def check_groups(groups) -> tuple[str, ...]:
    """`groups`, checked against the known ones (a typo would keep a page
    for ever). None at all: a page made from no table (only the code)."""
    groups = tuple(dict.fromkeys(groups))
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown table groups: {sorted(unknown)}")
    return groups


def generations(groups=GROUPS) -> dict[str, int] | None:
    """The current generation of each group, in one round trip; None when
    the store cannot be reached: then nothing kept may be used."""
    current = cache.generations([_name(group) for group in groups])
    return None if current is None else {group: current[_name(group)] for group in groups}


def stamp(groups) -> tuple[int, ...] | None:
    """What a page or figure made now from `groups` is kept under: their
    generations, in order (None: the store cannot be reached)."""
    current = generations(groups)
    return None if current is None else tuple(current.values())


def stamp_and_get(groups, key: str):
    """stamp(groups) and what the derived cache keeps at `key`, in one round trip."""
    current, stored = cache.generations_and_get([_name(group) for group in groups], key)
    return (None if current is None else tuple(current[_name(g)] for g in groups)), stored


def move_on(groups=GROUPS) -> None:
    """Move these groups' generations on now, so nothing kept from them is
    used again. The portal's own code never needs it (every committed write
    does it); it is for an operator's `manage.py shell` and for tests whose
    writes are never committed (a test inside one transaction)."""
    for group in groups:
        _after_commit[group]()
