"""Log in and out; the login manager that turns a session cookie into a user; the login guard."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from tracker import metrics
from tracker.auth import service
from tracker.auth.account_views import bp as account_bp
from tracker.auth.forms import LoginForm
from tracker.auth.models import User
from tracker.auth.navigation import max_session_age, safe_next
from tracker.clock import get_clock
from tracker.db import get_db, get_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in om verder te gaan.")
login_manager.session_protection = None  # the server-side session row is the protection

PUBLIC_ENDPOINTS = {
    "auth.login",
    "account.reset",
    "static",
    "health",
    "feeds.feed",
    "notify.unsubscribe",
    "ops.readyz",
    "ops.metrics",
    "notify.choose_language",
}
# What a user who must change their password may still reach.
BEFORE_CHANGE = {"account.change_password", "auth.logout", "static", "notify.choose_language"}


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    return service.load_session(
        get_session(), token, now=get_clock().now(), max_age=max_session_age(), engine=get_db().engine
    )


def register_auth(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    proxies = app.config["TRACKER"].trusted_proxies
    if proxies:
        # Only as many X-Forwarded-* hops as there are proxies of our own are believed: the login limits count
        # the real client's address, which a client cannot choose by sending the header itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # wrapping wsgi_app is how Werkzeug says to

    @app.before_request
    def _require_login() -> Response | None:
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.path.startswith("/api/"):
            return None  # the API authenticates with its own Bearer tokens
        if not current_user.is_authenticated:
            if request.method != "GET":
                abort(401, description=_("Log eerst in."))
            return login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in BEFORE_CHANGE:
            if request.method != "GET":
                abort(403, description=_("Kies eerst een nieuw wachtwoord (/settings/password)."))
            return redirect(url_for("account.change_password", next=request.full_path.rstrip("?")))
        return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if form.validate_on_submit():
        db = get_session()
        now = get_clock().now()
        try:
            email, password = cast(str, form.email.data), cast(str, form.password.data)  # validated: DataRequired
            user = service.authenticate(db, email, password, address=request.remote_addr, now=now)
        except service.LoginRefused as refused:
            metrics.LOGINS_REFUSED.labels("throttled" if refused.throttled else "failure").inc()
            db.commit()  # the failure counts and its audit row must stay
            form.password.errors = [str(refused)]
            return render_template("auth/login.html", form=form), 429 if refused.throttled else 401
        session.clear()  # a fresh session at login: nothing from before carries over
        user.session_token = service.start_session(
            db, user, address=request.remote_addr, now=now, user_agent=request.user_agent.string
        )
        login_user(user)
        db.commit()
        if user.must_change_password:
            flash(_("Kies eerst een eigen wachtwoord."))
            return redirect(url_for("account.change_password", next=safe_next(request.args.get("next"))))
        return redirect(safe_next(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    token = current_user.get_id()
    db = get_session()
    if token:
        service.end_session(db, token, now=get_clock().now())
    logout_user()
    session.clear()
    db.commit()
    flash(_("U bent uitgelogd."))
    return redirect(url_for("auth.login"))
