"""Every service that writes leaves an audit event.

The test reads the source of every service module (each app's services.py,
and the other modules that hold services: feedback/imports.py,
feedback/subject.py) and follows each public function through the functions
it calls, in its own module and in other service modules. A function that
writes to the database (save, create, update, delete, bulk writes, many-to-many
changes, raw SQL) must reach `audit_record`, or be in EXEMPT with the reason it need
not. A new service that writes and forgets its audit event fails here.

Reading the source, rather than running each service, means a new service is
checked the day it is written, with no set-up to add; the price is that a
write and its audit in different branches of one function count as audited
(the behaviour tests of each service check the event itself).
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTRA_MODULES = ("feedback/imports.py", "feedback/subject.py", "feedback/routing.py",
                 "feedback/reply_templates.py", "feedback/cards.py")

# Writes that are not staff changes, or are audited elsewhere. Each says why.
EXEMPT = {
    "feedback.cards.card_batch_pdf_request":
        "marks a batch's PDF as wanted and sends its job: the batch is audited when it is "
        "printed (card_batch_print), and each attempt is a job row on the Background work page",
    "feedback.services.allocate_references":
        "hands out reference numbers inside feedback_submit / survey imports, "
        "which record the feedback itself",
    "feedback.services.take_reference":
        "takes one reference for feedback_submit (allocate_references, just "
        "before its transaction), which records the feedback itself",
    "actionplan.services.reminders_send":
        "beat's daily reminder e-mails: each sent reminder is stored as a row "
        "so it is sent once; it changes no action",
    "feedback.services.search_vector_refresh":
        "keeps the stored search vector in step with text its caller has just "
        "written (and audited); derived data, no change of its own",
    "reports.services.search_documents_refresh":
        "keeps the reports' stored search document in step with what its caller "
        "has just written (and audited); derived data, no change of its own",
    "feedback.services.search_vector_fill_missing":
        "fills the search vector for rows that have none (migration and volume "
        "seeding); derived data, no change of its own",
}

ALWAYS_WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create",
                 "update_or_create"}
# These are writes on a queryset or a many-to-many manager (`feedback.themes.set`),
# but also methods of plain dicts and sets (`allowed.add`): counted only when
# called on something other than a bare variable name.
MANAGER_WRITES = {"update", "set", "add", "remove", "clear"}
# Raw SQL (`cursor.execute(...)`) may write, and its text is often a constant
# defined elsewhere: every call counts as a write.
RAW_SQL = {"execute", "executemany"}
AUDIT_CALLS = {"audit_record"}


@dataclass
class Function:
    qualname: str
    writes: bool = False
    audits: bool = False
    calls: set[str] = field(default_factory=set)


def service_paths() -> list[Path]:
    paths = sorted(p for p in ROOT.glob("*/services.py"))
    return paths + [ROOT / extra for extra in EXTRA_MODULES]


def module_name(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _aliases(tree: ast.Module, module: str) -> dict[str, str]:
    """Names this module uses for other service modules and their functions:
    {"actionplan_services": "actionplan.services", "audit_record":
    "core.services.audit_record", "new_tracking_token": "feedback.services.…"}."""
    package = module.rsplit(".", 1)[0]
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # from .services import x / from . import services
                source = f"{package}.{source}" if source else package
            for alias in node.names:
                names[alias.asname or alias.name] = f"{source}.{alias.name}"
    return names


def read_module(path: Path, root: Path = ROOT) -> dict[str, Function]:
    module = module_name(path, root)
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = _aliases(tree, module)
    functions: dict[str, Function] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        function = Function(f"{module}.{node.name}")
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            callee = call.func
            if isinstance(callee, ast.Name):
                if callee.id in AUDIT_CALLS:
                    function.audits = True
                function.calls.add(aliases.get(callee.id, f"{module}.{callee.id}"))
            elif isinstance(callee, ast.Attribute):
                receiver = callee.value
                if isinstance(receiver, ast.Name) and receiver.id in aliases:
                    function.calls.add(f"{aliases[receiver.id]}.{callee.attr}")
                if callee.attr in ALWAYS_WRITES or callee.attr in RAW_SQL or (
                        callee.attr in MANAGER_WRITES and not isinstance(receiver, ast.Name)):
                    function.writes = True
                if callee.attr == "create" and "AuditEvent" in ast.unparse(receiver):
                    function.audits = True
        functions[function.qualname] = function
    return functions


def _reaches(functions: dict[str, Function], start: str, flag: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        if getattr(functions[name], flag):
            return True
        todo.extend(functions[name].calls)
    return False


def unaudited_writers(paths, root: Path = ROOT) -> list[str]:
    functions: dict[str, Function] = {}
    for path in paths:
        functions.update(read_module(path, root))
    public = [name for name in functions if not name.rsplit(".", 1)[1].startswith("_")]
    return sorted(name for name in public
                  if _reaches(functions, name, "writes") and not _reaches(functions, name, "audits"))


def test_every_service_that_writes_is_audited():
    missing = [name for name in unaudited_writers(service_paths()) if name not in EXEMPT]
    assert not missing, (
        "These services write but record no audit event (call core.services.audit_record "
        f"with a core.audit.Verb, or add them to EXEMPT with the reason): {missing}")


def test_every_exemption_is_still_needed():
    """An exempt function that was removed, or now audits, leaves the list."""
    found = set(unaudited_writers(service_paths()))
    assert not set(EXEMPT) - found, sorted(set(EXEMPT) - found)


def test_the_walk_covers_the_service_modules():
    names = {module_name(p) for p in service_paths()}
    assert {"core.services", "feedback.services", "feedback.imports", "feedback.subject",
            "actionplan.services", "charter.services", "reports.services"} <= names


@pytest.mark.parametrize(("source", "flagged"), [
    # A write with no audit event is found …
    ("def thing_make(*, acting_user):\n    Thing.objects.create(name='x')\n", True),
    ("def thing_tag(*, acting_user, thing):\n    thing.tags.set([1])\n", True),
    ("def thing_move(*, thing):\n    Thing.objects.filter(pk=1).update(order=2)\n", True),
    # … through a private helper too …
    ("def _write(t):\n    t.save()\n\ndef thing_edit(*, t):\n    _write(t)\n", True),
    # … but an audited write, even through a helper, is not.
    ("def thing_make(*, acting_user):\n    t = Thing.objects.create()\n"
     "    audit_record(actor=acting_user, verb=Verb.THEME_ADDED, target=t)\n", False),
    ("def _audit(t):\n    audit_record(actor=None, verb='x', target=t)\n\n"
     "def thing_edit(*, t):\n    t.save()\n    _audit(t)\n", False),
    # Reads, and dict or set methods, are not writes.
    ("def thing_read():\n    seen = set()\n    seen.add(1)\n    d = {}\n    d.update(a=1)\n"
     "    return Thing.objects.filter(pk=1)\n", False),
])
def test_the_walk_itself(tmp_path, source, flagged):
    path = tmp_path / "things" / "services.py"
    path.parent.mkdir()
    path.write_text(source)
    assert bool(unaudited_writers([path], root=tmp_path)) is flagged
