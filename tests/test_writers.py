"""Every place in tracker/ that adds, changes or deletes rows or commits, read from the source (ast), is either a
command handler's own code (inside the unit of work, tracker.unit_of_work) or one of the exceptions named here with
the reason (the README's "How it is built" names them too). A new place fails this test until it is a handler or
is named here; a place named here that no longer writes fails it too, so the list stays true."""

from __future__ import annotations

import ast
from pathlib import Path

from tracker.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "tracker"
SESSION_METHODS = {"add", "add_all", "delete", "merge", "commit", "begin", "transaction"}
SESSIONS = {"session", "s", "db", "fresh", "get_session", "connection", "get_db", "sessionmaker"}
DML_CALLS = {"insert", "update", "delete"}
CHAINED = {"values", "where", "on_conflict_do_nothing", "on_conflict_do_update", "returning", "execution_options"}

# Code that runs only inside a command's unit of work: the helpers the handlers call.
HANDLER_HELPERS = {
    ("tracker.api.common", "create_token"),  # CreateApiToken
    ("tracker.audit.record", "record"),  # every handler's audit row
    ("tracker.auth.passwords", "_void_resets"),  # SetPassword, ChangeOwnPassword, CreateResetLink
    ("tracker.auth.passwords", "create_reset"),  # CreateResetLink
    ("tracker.auth.passwords", "use_reset"),  # UseResetLink
    ("tracker.auth.service", "create_user"),  # CreateUser
    ("tracker.auth.sessions", "end_others"),  # EndOtherSessions and the password commands
    ("tracker.auth.throttle", "forget"),  # ChangeOwnPassword: the owner knew it, the counter starts again
    ("tracker.feeds.tokens", "_new"),  # RotateFeedToken, EnsureFeedToken
    ("tracker.regulations.history", "append"),  # MoveStage: the one writer of stage state
    ("tracker.regulations.history", "put_recorded"),  # LoadSeed: seeded history through the same writer
    ("tracker.regulations.instruments.lookup", "add_instrument"),  # CreateInstrument, a first move, LoadSeed
    ("tracker.seeding.loader", "_Loader._load_instruments"),  # LoadSeed: an act's instruments and their links
    ("tracker.regulations.services", "check_version"),  # the version lock of every update
    ("tracker.seeding.loader", "_Loader._upsert"),  # LoadSeed (a bulk path: rows with their report source)
    ("tracker.seeding.loader", "_Loader._upsert_keyed"),  # LoadSeed
    ("tracker.seeding.planning", "load_planning"),  # LoadSeed: the planning seed in the same unit
    ("tracker.regulations.revision", "bump"),  # the revision subscriber, before the unit commits
}

# Writes outside the commands, each with its reason: not a change a person makes to the portfolio or an account.
EXCEPTIONS = {
    # The unit of work itself: it commits, and keeps the audit row of a refused attempt.
    ("tracker.unit_of_work", "batch"): "commits the unit",
    ("tracker.unit_of_work", "_keep_refusal_record"): "the audit row of a refused attempt, after the rollback",
    ("tracker.db", "Database.transaction"): "the transaction of a scheduler job or the import (listed here)",
    # The import: a whole export loaded raw into an empty database; it publishes one `Imported` event.
    ("tracker.transfer", "import_data"): "bulk load of an export (publishes Imported)",
    ("tracker.cli", "import_command"): "commits the import's one transaction",
    # Logging in and out: the session row and the login counters are how authentication works, not an edit.
    ("tracker.auth.service", "authenticate"): "counts a failed login, committed even though the login fails",
    ("tracker.auth.sessions", "start"): "a login's server-side session",
    ("tracker.auth.sessions", "purge"): "the scheduler drops ended sessions and used reset links",
    ("tracker.auth.throttle", "purge"): "the scheduler drops old login counters",
    ("tracker.auth.throttle", "succeeded"): "a successful login clears the account's counter",
    ("tracker.auth.views", "login"): "commits the login's session row (audited as login)",
    ("tracker.auth.account_views", "_current_password_may_be_checked"): "a check of the current password takes its "
    "slot on the counter before the check, committed as for a login, so parallel guesses are counted exactly",
    ("tracker.auth.views", "logout"): "commits the session's end",
    # Caches of rendered feeds: derived from the data, rebuilt from it at any time.
    ("tracker.feeds.pieces", "_fill"): "rendered event pieces",
    ("tracker.feeds.pieces", "_insert"): "rendered event pieces",
    ("tracker.feeds.pieces", "prune"): "drops pieces nobody uses",
    ("tracker.feeds.store", "Store._claim"): "a render's lease",
    ("tracker.feeds.store", "Store.serve"): "an assembled feed",
    ("tracker.feeds.views", "feed"): "when the feed was last fetched, and the assembled feed",
    ("tracker.feeds.warm", "prune"): "drops feeds nobody uses",
    # Mail: the outbox rows and their marks are the notification sweeps' own bookkeeping (exactly-once delivery).
    ("tracker.notify.outbox", "_finish"): "a message's outcome",
    ("tracker.notify.outbox", "_send_batch"): "a batch's outcomes",
    ("tracker.notify.outbox", "claim"): "a delivery lease",
    ("tracker.notify.outbox", "renew"): "a delivery lease renewed",
    ("tracker.notify.outbox", "retry"): "RetryMessage's helper: a failed message queued again",
    ("tracker.notify.jobs", "retrying"): "the reminder and digest sweeps' transaction: mails and their marks",
    ("tracker.ops.heartbeat", "record"): "when a scheduler job ran",
}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return None


def _is_dml(node: ast.AST) -> bool:
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CHAINED:
        node = node.func.value
    if not isinstance(node, ast.Call):
        return False
    name = _name(node.func)
    if name in DML_CALLS:
        return True
    first = node.args[0] if node.args else None
    if name == "text" and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value.lstrip().split(" ")[0].upper() in ("INSERT", "UPDATE", "DELETE")
    return False


class _Writers(ast.NodeVisitor):
    def __init__(self, module: str, found: dict[tuple[str, str], bool]) -> None:
        self.module, self.found = module, found
        self.stack: list[tuple[str, bool]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack.append((node.name, any(_name(d) == "handles" for d in node.decorator_list)))
        for child in node.body:
            self.visit(child)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.stack.append((node.name, False))
        for child in node.body:
            self.visit(child)
        self.stack.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and _name(func.value) in SESSIONS:
            writes = func.attr in SESSION_METHODS or (func.attr == "execute" and bool(node.args)
                                                      and _is_dml(node.args[0]))
            if writes and self.stack:
                key = (self.module, ".".join(name for name, _ in self.stack))
                self.found[key] = self.found.get(key, False) or any(handler for _, handler in self.stack)
        self.generic_visit(node)


def writing_places() -> dict[tuple[str, str], bool]:
    """(module, function) -> whether the function is a registered command handler (`@handles(...)`)."""
    found: dict[tuple[str, str], bool] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
        _Writers(module, found).visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_every_writer_is_a_handler_a_helper_of_one_or_a_named_exception():
    places = writing_places()
    outside = {place for place, handler in places.items() if not handler}
    unnamed = sorted(outside - HANDLER_HELPERS - set(EXCEPTIONS))
    assert not unnamed, f"rows written or committed outside the unit of work: {unnamed}"
    stale = sorted((HANDLER_HELPERS | set(EXCEPTIONS)) - outside)
    assert not stale, f"named as writers but no longer writing (or now handlers): {stale}"


def test_the_scan_sees_what_it_must():
    """The scan itself: a handler's add counts as inside, a view's commit as outside."""
    places = writing_places()
    assert places[("tracker.regulations.services", "create_regulation")] is True
    assert places[("tracker.unit_of_work", "batch")] is False
    assert ("tracker.feeds.views", "calendar") not in places  # GET /calendar writes nothing


def test_the_readme_names_the_exceptions():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Writes: one unit of work", 1)[1].split("\n## ", 1)[0]
    for module in sorted({module for module, _ in EXCEPTIONS}):
        assert f"`{module}`" in section, module


def test_no_module_outside_the_features_lists_handler_modules():
    """The unit of work names no feature: features register their handlers when the app imports them."""
    source = Path(PACKAGE / "unit_of_work.py").read_text(encoding="utf-8")
    assert "tracker.regulations" not in source and "HANDLER_MODULES" not in source
