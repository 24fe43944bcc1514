"""Role x route: every write route of the app, for every role, with the exact answer and its effect.

Roles: anonymous, a viewer (team EZK), an editor of EZK (the team owning the DSA), an editor of JENV (another
team) and an admin. Browser posts carry a valid CSRF token, so a refusal is the app's permission check and not the
CSRF check; JSON API writes carry the role's Bearer token. For every cell the test records the status, whether the
database changed at all, and which audit events were written:

- an allowed cell changes the database and writes exactly the route's audit event, by that user;
- a refused cell changes nothing at all (every table but the login throttle is compared row by row).

`test_every_write_route_is_in_the_matrix` fails when a POST/PUT/PATCH/DELETE route appears that no case covers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.conftest import NOW, csrf_from
from tracker.audit.models import AuditEvent
from tracker.auth.models import Team, User
from tracker.cli import cli
from tracker.db import Base
from tracker.notify import outbox
from tracker.notify.digest import unsubscribe_token
from tracker.notify.models import Follow, OutboxMessage, OutboxStatus
from tracker.regulations.models import Regulation
from tracker.regulations.stages import Stage

ROLES = ("anonymous", "viewer", "jenv", "ezk", "admin")
EMAIL = {
    "viewer": "viewer@example.nl",
    "ezk": "ezk.editor@example.nl",
    "jenv": "jenv.editor@example.nl",
    "admin": "admin@example.nl",
}
TEAM_OF = {"viewer": "EZK", "ezk": "EZK", "jenv": "JENV", "admin": "EZK", "anonymous": "EZK"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ITEM_KINDS = ("deadlines", "designations", "evaluations")
SINGULAR = {"deadlines": "deadline", "designations": "designation", "evaluations": "evaluation"}
STAGE_ORDER = [s.value for s in Stage]
NOT_MATRIX_TABLES = {"login_throttles"}  # counts failed logins; no request here fails a login
# When a token or session was last used is a sighting, written on any authenticated request (refused or not).
SIGHTINGS = {"api_tokens.last_used_at", "user_sessions.last_seen_at"}


def row(anonymous: int, viewer: int, jenv: int, ezk: int, admin: int) -> dict[str, int]:
    return {"anonymous": anonymous, "viewer": viewer, "jenv": jenv, "ezk": ezk, "admin": admin}


def owning_team(ok: int) -> dict[str, int]:
    """Editors of the owning team (EZK) and admins; viewers and editors of other teams are refused."""
    return row(401, 403, 403, ok, ok)


def api_owning_team(ok: int) -> dict[str, int]:
    return row(401, 403, 403, ok, ok)


def any_user(ok: int) -> dict[str, int]:
    return row(401, ok, ok, ok, ok)


def admins(ok: int) -> dict[str, int]:
    return row(401, 403, 403, 403, ok)


# -- the world the matrix runs in -------------------------------------------------------------------
@dataclass
class World:
    app: Any
    db: Any
    clients: dict[str, FlaskClient]
    csrf: dict[str, str]
    api_tokens: dict[str, str]
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def n(self) -> int:
        return next(self.counter)

    def scalar(self, query):  # type: ignore[no-untyped-def]
        with self.db.sessionmaker() as s:
            return s.scalar(query)

    def user_id(self, role: str) -> int:
        return self.scalar(select(User.id).where(User.email == EMAIL.get(role, EMAIL["viewer"])))

    def team_id(self, key: str) -> int:
        return self.scalar(select(Team.id).where(Team.key == key))

    def regulation(self, key: str = "DSA") -> Regulation:
        with self.db.sessionmaker() as s:
            return s.scalars(select(Regulation).where(Regulation.key == key)).one()

    def api(self, method: str, url: str, role: str = "admin", **kwargs: Any):  # type: ignore[no-untyped-def]
        """The JSON API with a role's Bearer token, from a client that holds no browser session."""
        headers = kwargs.pop("headers", {})
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {self.api_tokens[role]}"
        return self.app.test_client().open(url, method=method, headers=headers, **kwargs)

    def new_item(self, kind: str) -> dict[str, Any]:
        """A fresh item on the DSA, made by the admin through the API (before the cell's snapshot)."""
        response = self.api("POST", f"/api/v1/regulations/DSA/{kind}", json=API_ITEM[kind](f"fresh {self.n()}"))
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def form(self, url: str, selector: str = "form.grid") -> dict[str, str]:
        """The fields of a form as the admin's browser would post them unchanged."""
        html = self.clients["admin"].get(url).get_data(as_text=True)
        return form_fields(BeautifulSoup(html, "html.parser"), selector)

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.output


def form_fields(soup: BeautifulSoup, selector: str) -> dict[str, str]:
    form = next(f for f in soup.select(selector) if f.select_one("input[name=csrf_token]"))
    data: dict[str, str] = {}
    for i in form.select("input[name]"):
        if i.get("type") in ("checkbox", "radio"):
            if i.has_attr("checked"):
                data[i["name"]] = i.get("value", "y")
        elif i.get("type") != "submit":
            data[i["name"]] = i.get("value", "")
    for s in form.select("select[name]"):
        chosen = s.select_one("option[selected]") or s.select_one("option")
        data[s["name"]] = chosen["value"] if chosen else ""
    for t in form.select("textarea[name]"):
        data[t["name"]] = t.get_text()
    data.pop("csrf_token", None)
    return data


@pytest.fixture
def world(app, db, users, login) -> World:
    clients = {role: login(email) for role, email in EMAIL.items()}
    clients["anonymous"] = app.test_client()
    csrf = {role: csrf_from(c.get("/settings").get_data(as_text=True)) for role, c in clients.items() if role in EMAIL}
    csrf["anonymous"] = csrf_from(clients["anonymous"].get("/login").get_data(as_text=True))
    w = World(app, db, clients, csrf, {})
    for role, email in EMAIL.items():
        w.api_tokens[role] = w.cli("api-token", "create", email, "--name", "matrix").strip()
    return w


_FINGERPRINT_SQL: dict[str, list[tuple[str, str]]] = {}  # by dialect: (table, its SELECT) for every matrix table


def fingerprint(db) -> dict[str, list[tuple]]:
    """Every row of every table (but the login throttle), to tell "changed nothing" from "changed something". The
    rows as the driver returns them, by SELECTs compiled once per dialect: a cell takes two fingerprints per role,
    and building and typing the ORM's statements each time cost more than the queries."""
    dialect = db.engine.dialect
    if dialect.name not in _FINGERPRINT_SQL:
        statements = []
        for table in Base.metadata.sorted_tables:
            if table.name not in NOT_MATRIX_TABLES:
                columns = [c for c in table.columns if f"{table.name}.{c.name}" not in SIGHTINGS]
                query = select(*columns).order_by(*table.primary_key.columns)
                statements.append((table.name, str(query.compile(dialect=dialect))))
        _FINGERPRINT_SQL[dialect.name] = statements
    with db.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.exec_driver_sql(sql)] for name, sql in _FINGERPRINT_SQL[dialect.name]}


def last_audit_id(db) -> int:
    with db.sessionmaker() as s:
        return s.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def audit_since(db, after: int) -> list[tuple[str, str]]:
    with db.sessionmaker() as s:
        query = select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.id > after).order_by(AuditEvent.id)
        return [tuple(r) for r in s.execute(query)]


# -- the cases: one per write route (and kind) ------------------------------------------------------
Request = tuple[str, dict[str, Any]]  # url, form fields (browser) or JSON body / query (API)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    rule: str  # exactly as in app.url_map
    expected: dict[str, int]
    audit: str | None  # the audit action an allowed cell writes (None: the route audits nothing)
    make: Callable[[World, str], Request]
    browser: bool = True  # a browser form with a CSRF token; False: the JSON API with a Bearer token
    csrf: bool = True  # protected by CSRF (the one-click unsubscribe is not, by RFC 8058)
    actor: Callable[[str], str] = lambda role: EMAIL[role]
    # Whether an allowed cell writes to the database (a logged-out reader's language lives in the session only).
    stores: Callable[[str], bool] = lambda role: True
    # Audit actions that follow from the allowed change, by the same actor (a reset revokes the API tokens).
    also: tuple[str, ...] = ()


API_ITEM: dict[str, Callable[[str], dict[str, Any]]] = {
    "deadlines": lambda title: {"kind": "other", "title": title, "due": "2027"},
    "designations": lambda title: {"authority": "ACM", "role": title, "status": "intended"},
    "evaluations": lambda title: {"subject": title, "level": "eu", "status": "announced", "due": "2028"},
}
TEXT_FIELD = {"deadlines": "title", "designations": "role", "evaluations": "subject"}


def next_move(w: World) -> dict[str, str]:
    """The DSA's next stage (back to parliament after in_force), dated a week after the previous move."""
    reg = w.regulation()
    current = reg.current_stage.value
    to = STAGE_ORDER[STAGE_ORDER.index(current) + 1] if current != "in_force" else "parliament"
    n = w.n()
    return {"to_stage": to, "effective": f"2024-{1 + n // 28:02d}-{1 + n % 28:02d}", "reason": "Matrix",
            "version": str(reg.version)}


def stage_move(w: World, role: str) -> Request:
    return "/regulations/DSA/stage", next_move(w)


def new_regulation(w: World, role: str) -> Request:
    key = f"MX{w.n()}"
    return "/regulations/new", {"key": key, "title": f"Matrix act {key}", "kind": "regulation",
                                "team_id": str(w.team_id(TEAM_OF[role])), "version": "0"}


def edit_regulation(w: World, role: str) -> Request:
    data = w.form("/regulations/DSA/edit")
    data["title"] = f"Digital Services Act ({role} {w.n()})"
    return "/regulations/DSA/edit", data


def new_item(kind: str) -> Callable[[World, str], Request]:
    def make(w: World, role: str) -> Request:
        data = w.form(f"/regulations/DSA/{kind}/new")
        data.update({TEXT_FIELD[kind]: f"New by {role} {w.n()}"})
        if "due" in data:
            data["due"] = "2027"
        return f"/regulations/DSA/{kind}/new", data

    return make


def edit_item(kind: str) -> Callable[[World, str], Request]:
    """The item's edit form as the admin's browser shows it, one text changed."""

    def make(w: World, role: str) -> Request:
        item = w.new_item(kind)
        url = f"/regulations/DSA/{kind}/{item['id']}/edit"
        data = w.form(url)
        assert data["version"] == str(item["version"])
        data[TEXT_FIELD[kind]] = f"Edited by {role}"
        return url, data

    return make


def delete_item(kind: str) -> Callable[[World, str], Request]:
    def make(w: World, role: str) -> Request:
        item = w.new_item(kind)
        return f"/regulations/DSA/{kind}/{item['id']}/delete", {"version": str(item["version"])}

    return make


def follow(w: World, role: str) -> Request:
    return "/regulations/DSA/follow", {}


def unfollow(w: World, role: str) -> Request:
    if role != "anonymous":
        with w.db.transaction() as s:
            s.add(Follow(user_id=w.user_id(role), regulation_id=w.regulation().id, created_at=NOW))
    return "/regulations/DSA/unfollow", {}


def notification_settings(w: World, role: str) -> Request:
    return "/settings", {"reminder_days": "60,14", "digest_enabled": "y", "digest_when_empty": "notice"}


def rotate_feed(w: World, role: str) -> Request:
    if role != "anonymous":
        assert w.clients[role].get("/calendar").status_code == 200  # the user has a feed link
    return "/calendar/rotate", {}


def revoke_feed_link(w: World, role: str) -> Request:
    rotate_feed(w, role)
    return "/calendar/revoke", {}


def create_api_token(w: World, role: str) -> Request:
    return "/settings/tokens", {"name": f"token {w.n()}"}


def revoke_api_token(w: World, role: str) -> Request:
    email = EMAIL.get(role, EMAIL["viewer"])
    name = f"to revoke {w.n()}"
    w.cli("api-token", "create", email, "--name", name)
    from tracker.api.models import ApiToken

    token_id = w.scalar(select(ApiToken.id).where(ApiToken.name == name))
    return f"/settings/tokens/{token_id}/revoke", {}


def logout(w: World, role: str) -> Request:
    return "/logout", {}


def choose_language(w: World, role: str) -> Request:
    return "/taal", {"language": "en", "next": "/"}


def login(w: World, role: str) -> Request:
    from tests.conftest import PASSWORD

    return "/login", {"email": EMAIL.get(role, EMAIL["viewer"]), "password": PASSWORD}


def unsubscribe(w: World, role: str) -> Request:
    user_id = w.user_id(role)
    with w.db.transaction() as s:
        s.execute(update(User).where(User.id == user_id).values(digest_enabled=True))
    return f"/unsubscribe/{unsubscribe_token(w.app.config['SECRET_KEY'], user_id)}", {}


def admin_create_user(w: World, role: str) -> Request:
    return "/admin/users", {"email": f"new{w.n()}@example.nl", "name": "New person", "role": "viewer",
                            "password": "a long enough password"}


def admin_update_user(w: World, role: str) -> Request:
    email = f"target{w.n()}@example.nl"
    w.cli("users", "create", email, "--name", "Target", "--role", "viewer")
    user_id = w.scalar(select(User.id).where(User.email == email))
    return f"/admin/users/{user_id}", {"role": "editor", "active": "y"}


def admin_create_team(w: World, role: str) -> Request:
    return "/admin/teams", {"key": f"T{w.n()}", "name": "Matrix team"}


def admin_team_name(w: World, role: str) -> Request:
    return "/admin/teams/EZK/name", {"name": f"Ministerie van Economische Zaken en Klimaat ({w.n()})"}


def make_feed_link(w: World, role: str) -> Request:
    from tracker.feeds.models import FeedToken

    if role != "anonymous":  # a link is made when the user has none: end any they have
        with w.db.transaction() as s:
            s.execute(update(FeedToken).where(FeedToken.user_id == w.user_id(role)).values(revoked_at=NOW))
    return "/calendar/link", {}


def admin_team_reminders(w: World, role: str) -> Request:
    return "/admin/teams/EZK/reminders", {"reminder_days": f"{40 + w.n()},5"}


def admin_retry(w: World, role: str) -> Request:
    key = f"failed-{w.n()}"
    with w.db.transaction() as s:
        outbox.enqueue(s, [outbox.NewMessage(key=key, kind="reminder", user_id=None, recipient="a@example.nl",
                                             subject="Subject", body_text="Body")], now=NOW)
        s.execute(update(OutboxMessage).where(OutboxMessage.key == key)
                  .values(status=OutboxStatus.FAILED, attempts=1, last_error="550 no such user"))
    return f"/admin/outbox/{w.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))}/retry", {}


def change_password(w: World, role: str) -> Request:
    from tests.conftest import PASSWORD

    new = f"matrix quartz lantern {w.n()} orbit"
    # Keeping one's API tokens: the change alone (without it, the revocations follow: test_tokens_follow_password).
    return "/settings/password", {"current": PASSWORD, "new": new, "repeat": new, "keep_api_tokens": "y"}


def use_reset_link(w: World, role: str) -> Request:
    from tracker.api.models import ApiToken

    email = EMAIL.get(role, EMAIL["viewer"])
    with w.db.transaction() as s:  # exactly one live API token, which the reset revokes
        s.execute(update(ApiToken).where(ApiToken.user_id == w.user_id(role))
                  .values(revoked_at=NOW))
    w.cli("api-token", "create", email, "--name", f"before reset {w.n()}")
    output = w.cli("users", "reset", email)
    new = f"matrix quartz lantern {w.n()} orbit"
    return re.search(r"(/reset/\S+)", output).group(1), {"new": new, "repeat": new}


def end_session(w: World, role: str) -> Request:
    from tests.conftest import login_client
    from tracker.auth.models import UserSession

    email = EMAIL.get(role, EMAIL["viewer"])
    login_client(w.app, email)  # a second session of the same user, to end from the first
    session_id = w.scalar(select(func.max(UserSession.id)).join(User).where(User.email == email))
    return f"/settings/sessions/{session_id}/end", {}


def end_other_sessions(w: World, role: str) -> Request:
    from tests.conftest import login_client

    login_client(w.app, EMAIL.get(role, EMAIL["viewer"]))
    return "/settings/sessions/end-others", {}


def admin_reset_link(w: World, role: str) -> Request:
    return "/admin/users/reset", {"reset_email": EMAIL["viewer"]}


def api_stage(w: World, role: str) -> Request:
    body = next_move(w)
    return "/api/v1/regulations/DSA/stage", {**body, "version": int(body["version"])}


def api_create(kind: str) -> Callable[[World, str], Request]:
    return lambda w, role: (f"/api/v1/regulations/DSA/{kind}", API_ITEM[kind](f"API by {role} {w.n()}"))


def api_update(kind: str) -> Callable[[World, str], Request]:
    def make(w: World, role: str) -> Request:
        item = w.new_item(kind)
        return f"/api/v1/regulations/DSA/{kind}/{item['id']}", {TEXT_FIELD[kind]: f"Patched by {role}",
                                                                 "version": item["version"]}

    return make


def api_delete(kind: str) -> Callable[[World, str], Request]:
    def make(w: World, role: str) -> Request:
        item = w.new_item(kind)
        return f"/api/v1/regulations/DSA/{kind}/{item['id']}?version={item['version']}", {}

    return make


def plan_review(w: World, role: str) -> Request:
    return "/regulations/DSA/plan/review", {"note": f"still current ({role} {w.n()})"}


def plan_planned(w: World, role: str) -> Request:
    n = w.n()
    return "/regulations/DSA/plan/planned", {"step": "in_force", "date": f"{2030 + n // 12}-{1 + n % 12:02d}"}


def plan_target(w: World, role: str) -> Request:
    from tracker.regulations.models import Deadline

    pick = func.min if w.n() % 2 else func.max  # another of the DSA's deadlines each time
    deadline_id = w.scalar(
        select(pick(Deadline.id)).where(Deadline.regulation_id == w.regulation().id, Deadline.due_on.is_not(None))
    )
    return "/regulations/DSA/plan/target", {"deadline_id": str(deadline_id)}


def plan_duration(w: World, role: str) -> Request:
    return "/regulations/DSA/plan/duration", {"step": "parliament", "days": str(100 + w.n()), "scope": "act"}


def new_instrument(w: World, role: str) -> Request:
    # On the DMA: the DSA keeps one instrument, so the stage-move cells need not name one.
    data = w.form("/regulations/DMA/instruments/new")
    data.update({"kind": "amvb", "title": f"Besluit van {role} {w.n()}"})
    return "/regulations/DMA/instruments/new", data


def _dsa_instrument(w: World) -> int:
    from tracker.regulations.instruments.models import Instrument

    return w.scalar(select(func.min(Instrument.id)).where(Instrument.regulation_id == w.regulation().id))


def edit_instrument(w: World, role: str) -> Request:
    url = f"/instruments/{_dsa_instrument(w)}/edit"
    data = w.form(url)
    data["title"] = f"Uitvoeringswet DSA ({role} {w.n()})"
    return url, data


def api_new_instrument(w: World, role: str) -> Request:
    return "/api/v1/regulations/DMA/instruments", {"kind": "ministeriele_regeling", "title": f"API {role} {w.n()}"}


def api_edit_instrument(w: World, role: str) -> Request:
    instrument = _dsa_instrument(w)
    version = w.api("GET", f"/api/v1/instruments/{instrument}").get_json()["version"]
    return f"/api/v1/instruments/{instrument}", {"title": f"Uitvoeringswet DSA (API {role} {w.n()})",
                                                  "version": version}


ITEM_RULES = {
    "new": "/regulations/<key>/<kind>/new",
    "edit": "/regulations/<key>/<kind>/<int:item_id>/edit",
    "delete": "/regulations/<key>/<kind>/<int:item_id>/delete",
}
CASES = [
    Case("stage move", "POST", "/regulations/<key>/stage", owning_team(302), "stage.move", stage_move),
    Case("regulation new", "POST", "/regulations/new", row(401, 403, 302, 302, 302), "regulation.create",
         new_regulation),
    Case("regulation edit", "POST", "/regulations/<key>/edit", owning_team(302), "regulation.update",
         edit_regulation),
    Case("instrument new", "POST", "/regulations/<key>/instruments/new", owning_team(302), "instrument.create",
         new_instrument),
    Case("instrument edit", "POST", "/instruments/<int:instrument_id>/edit", owning_team(302), "instrument.update",
         edit_instrument),
    Case("api instrument create", "POST", "/api/v1/regulations/<key>/instruments", api_owning_team(201),
         "instrument.create", api_new_instrument, browser=False, csrf=False),
    Case("api instrument update", "PATCH", "/api/v1/instruments/<int:instrument_id>", api_owning_team(200),
         "instrument.update", api_edit_instrument, browser=False, csrf=False),
    *[Case(f"{kind} new", "POST", ITEM_RULES["new"], owning_team(302), f"{SINGULAR[kind]}.create", new_item(kind))
      for kind in ITEM_KINDS],
    *[Case(f"{kind} edit", "POST", ITEM_RULES["edit"], owning_team(302), f"{SINGULAR[kind]}.update", edit_item(kind))
      for kind in ITEM_KINDS],
    *[Case(f"{kind} delete", "POST", ITEM_RULES["delete"], owning_team(302), f"{SINGULAR[kind]}.delete",
           delete_item(kind)) for kind in ITEM_KINDS],
    Case("plan review", "POST", "/regulations/<key>/plan/review", owning_team(302), "plan.review", plan_review),
    Case("plan planned date", "POST", "/regulations/<key>/plan/planned", owning_team(302), "plan.planned",
         plan_planned),
    Case("plan target", "POST", "/regulations/<key>/plan/target", owning_team(302), "plan.target", plan_target),
    Case("plan duration", "POST", "/regulations/<key>/plan/duration", owning_team(302), "plan.duration",
         plan_duration),
    Case("follow", "POST", "/regulations/<key>/follow", any_user(302), "follow", follow),
    Case("unfollow", "POST", "/regulations/<key>/unfollow", any_user(302), "unfollow", unfollow),
    Case("notification settings", "POST", "/settings", any_user(302), "user.settings", notification_settings),
    Case("feed rotate", "POST", "/calendar/rotate", any_user(302), "feed.rotate", rotate_feed),
    Case("feed revoke", "POST", "/calendar/revoke", any_user(302), "feed.revoke", revoke_feed_link),
    Case("api token create", "POST", "/settings/tokens", any_user(200), "api_token.create", create_api_token),
    Case("api token revoke", "POST", "/settings/tokens/<int:token_id>/revoke", any_user(302), "api_token.revoke",
         revoke_api_token),
    Case("logout", "POST", "/logout", any_user(302), "logout", logout),
    Case("language", "POST", "/taal", row(303, 303, 303, 303, 303), "user.language", choose_language,
         stores=lambda role: role != "anonymous"),
    Case("login", "POST", "/login", row(302, 302, 302, 302, 302), "login.success", login,
         actor=lambda role: EMAIL.get(role, EMAIL["viewer"])),
    Case("unsubscribe", "POST", "/unsubscribe/<token>", row(200, 200, 200, 200, 200), "user.unsubscribe",
         unsubscribe, csrf=False, actor=lambda role: EMAIL.get(role, EMAIL["viewer"])),
    Case("admin create user", "POST", "/admin/users", admins(200), "user.create", admin_create_user),
    Case("admin update user", "POST", "/admin/users/<int:user_id>", admins(302), "user.role", admin_update_user),
    Case("admin create team", "POST", "/admin/teams", admins(302), "team.create", admin_create_team),
    Case("admin team name", "POST", "/admin/teams/<key>/name", admins(302), "team.rename", admin_team_name),
    Case("feed link", "POST", "/calendar/link", any_user(302), "feed.create", make_feed_link),
    Case("admin team reminders", "POST", "/admin/teams/<key>/reminders", admins(302), "team.reminders",
         admin_team_reminders),
    Case("admin outbox retry", "POST", "/admin/outbox/<int:message_id>/retry", admins(302), "outbox.retry",
         admin_retry),
    Case("password change", "POST", "/settings/password", any_user(302), "user.password.change", change_password),
    Case("password reset link", "POST", "/reset/<token>", row(302, 302, 302, 302, 302), "user.password.reset",
         use_reset_link, actor=lambda role: EMAIL.get(role, EMAIL["viewer"]), also=("api_token.revoke",)),
    Case("session end", "POST", "/settings/sessions/<int:session_id>/end", any_user(302), "session.end", end_session),
    Case("sessions end others", "POST", "/settings/sessions/end-others", any_user(302), "session.end_others",
         end_other_sessions),
    Case("admin reset link", "POST", "/admin/users/reset", admins(302), "user.password.reset_link", admin_reset_link),
    Case("api stage move", "POST", "/api/v1/regulations/<key>/stage", api_owning_team(201), "stage.move", api_stage,
         browser=False, csrf=False),
    *[Case(f"api {kind} create", "POST", "/api/v1/regulations/<key>/<kind>", api_owning_team(201),
           f"{SINGULAR[kind]}.create", api_create(kind), browser=False, csrf=False) for kind in ITEM_KINDS],
    *[Case(f"api {kind} update", "PATCH", "/api/v1/regulations/<key>/<kind>/<int:item_id>", api_owning_team(200),
           f"{SINGULAR[kind]}.update", api_update(kind), browser=False, csrf=False) for kind in ITEM_KINDS],
    *[Case(f"api {kind} delete", "DELETE", "/api/v1/regulations/<key>/<kind>/<int:item_id>", api_owning_team(204),
           f"{SINGULAR[kind]}.delete", api_delete(kind), browser=False, csrf=False) for kind in ITEM_KINDS],
]


def send(w: World, case: Case, role: str, url: str, payload: dict[str, Any], *, with_csrf: bool = True):
    if not case.browser:
        if case.method == "DELETE":
            return w.api(case.method, url, role)
        return w.api(case.method, url, role, json=payload)
    data = {**payload, **({"csrf_token": w.csrf[role]} if with_csrf else {})}
    return w.clients[role].open(url, method=case.method, data=data)


def attempt(w: World, case: Case, role: str, *, with_csrf: bool = True) -> tuple[int, bool, list[tuple[str, str]]]:
    """One cell: (status, whether the database changed, the audit events written)."""
    url, payload = case.make(w, role)
    before, audit_mark = fingerprint(w.db), last_audit_id(w.db)
    response = send(w, case, role, url, payload, with_csrf=with_csrf)
    return response.status_code, fingerprint(w.db) != before, audit_since(w.db, audit_mark)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_write_route_matrix(world, case):
    actual = {role: attempt(world, case, role) for role in ROLES}
    expected = {
        role: (status, True, [(action, case.actor(role)) for action in (case.audit, *case.also)])
        if status < 400 and case.stores(role)
        else (status, False, [])
        for role, status in case.expected.items()
    }
    assert actual == expected


@pytest.mark.parametrize("case", [c for c in CASES if c.csrf], ids=[c.name for c in CASES if c.csrf])
def test_a_browser_post_without_its_csrf_token_is_refused_and_changes_nothing(world, case):
    """Every allowed browser cell, sent without the token: 400 and nothing changes; anonymous stays 401."""
    actual = {role: attempt(world, case, role, with_csrf=False)[:2] for role in ROLES}
    public = ("/login", "/reset/<token>", "/taal")  # forms for the logged-out: CSRF answers anonymous too
    expected = {role: (401 if role == "anonymous" and case.rule not in public else 400, False) for role in ROLES}
    assert actual == expected


def test_the_api_ignores_a_browser_session(world):
    """The API is exempt from CSRF because only a Bearer token counts: a logged-in browser cookie is a 401."""
    for role in ("ezk", "admin"):
        before = fingerprint(world.db)
        reg = world.regulation()
        response = world.clients[role].post("/api/v1/regulations/DSA/stage", json={
            "to_stage": "council_of_state", "effective": "2024-01-15", "version": reg.version})
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert fingerprint(world.db) == before


def test_every_write_route_is_in_the_matrix(app):
    """A new POST/PUT/PATCH/DELETE route fails here until a case covers it; a case for a gone route fails too."""
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods & WRITE_METHODS}
    covered = {(c.method, c.rule) for c in CASES}
    assert routes - covered == set(), "write routes missing from the matrix"
    assert covered - routes == set(), "matrix cases for routes the app does not have"


# -- refusals beyond the matrix ---------------------------------------------------------------------
def test_nobody_revokes_someone_elses_api_token(world):
    revoke_url, _ = revoke_api_token(world, "admin")  # a token of the admin
    for role in ("viewer", "jenv", "ezk"):
        before = fingerprint(world.db)
        response = world.clients[role].post(revoke_url, data={"csrf_token": world.csrf[role]})
        assert response.status_code == 404, role
        assert fingerprint(world.db) == before


def test_an_editor_cannot_hand_a_regulation_to_another_team(world):
    """The team list offers only the editor's own teams, so another team is refused by the form: 400, the error
    on the team field, nothing saved."""
    jenv = world.team_id("JENV")
    for url, data in (edit_regulation(world, "ezk"), new_regulation(world, "ezk")):
        before = fingerprint(world.db)
        response = world.clients["ezk"].post(url, data={**data, "team_id": str(jenv), "csrf_token": world.csrf["ezk"]})
        assert response.status_code == 400, url
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert "Ongeldige keuze" in soup.select_one("#team_id-error").get_text()
        assert fingerprint(world.db) == before


GET_FORMS = [  # (url, expected by role): pages that hold a write form
    ("/regulations/DSA/edit", row(302, 403, 403, 200, 200)),
    ("/regulations/new", row(302, 403, 200, 200, 200)),
    *[(f"/regulations/DSA/{kind}/new", row(302, 403, 403, 200, 200)) for kind in ITEM_KINDS],
    ("/admin/users", row(302, 403, 403, 403, 200)),
    ("/admin/audit", row(302, 403, 403, 403, 200)),
    ("/admin/outbox", row(302, 403, 403, 403, 200)),
    ("/settings", row(302, 200, 200, 200, 200)),
    ("/settings/tokens", row(302, 200, 200, 200, 200)),
]


@pytest.mark.parametrize(("url", "expected"), GET_FORMS, ids=[u for u, _ in GET_FORMS])
def test_form_pages_by_role(world, url, expected):
    actual = {}
    for role in ROLES:
        response = world.clients[role].get(url)
        actual[role] = response.status_code
        if role == "anonymous":
            assert response.headers["Location"].startswith("/login"), url
    assert actual == expected


@pytest.mark.parametrize("kind", ITEM_KINDS)
def test_item_edit_forms_by_role(world, kind):
    item = world.new_item(kind)
    url = f"/regulations/DSA/{kind}/{item['id']}/edit"
    assert {role: world.clients[role].get(url).status_code for role in ROLES} == row(302, 403, 403, 200, 200)


def test_the_regulation_page_shows_edit_controls_only_to_those_who_may_edit(world):
    for role in ("viewer", "jenv", "ezk", "admin"):
        page = world.clients[role].get("/regulations/DSA").get_data(as_text=True)
        may = role in ("ezk", "admin")
        assert ('id="move-form"' in page, 'id="edit-regulation"' in page) == (may, may), role
        assert bool(re.search(r"/regulations/DSA/deadlines/\d+/delete", page)) == may, role


def test_a_deactivated_editor_is_refused_everywhere(world):
    """Deactivation ends the browser session and the API token's use at once."""
    world.cli("users", "deactivate", EMAIL["ezk"])
    before = fingerprint(world.db)
    url, data = stage_move(world, "ezk")
    assert world.clients["ezk"].post(url, data={**data, "csrf_token": world.csrf["ezk"]}).status_code == 401
    url, body = api_stage(world, "ezk")
    assert world.api("POST", url, "ezk", json=body).status_code == 401
    assert fingerprint(world.db) == before

