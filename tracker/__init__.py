"""The EU implementation tracker: how Dutch ministries carry EU digital acts into national law and practice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Flask, g

from tracker.clock import Clock, install
from tracker.config import PROJECT_ROOT, Settings, load_settings
from tracker.db import Database


def create_app(
    config: Mapping[str, Any] | None = None, settings: Settings | None = None, clock: Clock | None = None
) -> Flask:
    """Build the application. `config` holds TRACKER_* overrides by short name (e.g. {"DATABASE_URL": ...});
    `clock` replaces the system's time (tests), otherwise TRACKER_CLOCK or the system's time is used."""
    settings = settings or load_settings(overrides=config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TRACKER=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies everywhere but plain local http, where a browser would drop them.
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,  # the token is bound to the session, which expires
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.extensions["tracker.db"] = Database(settings.database_url)
    install(app, clock or Clock(settings.tz, settings.clock))
    import tracker.models
    from tracker.web import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter

    from flask_wtf.csrf import CSRFProtect

    from tracker.auth.admin_views import bp as admin_bp
    from tracker.auth.views import register_auth
    from tracker.feeds.views import bp as feeds_bp
    from tracker.notify.views import bp as notify_bp
    from tracker.notify.views import unsubscribe
    from tracker.regulations.edit_views import bp as edit_bp
    from tracker.regulations.instruments.views import bp as instruments_bp
    from tracker.regulations.views import bp as regulations_bp
    from tracker.web import register_web

    register_auth(app)  # first: an anonymous POST is a 401, before any CSRF check
    csrf = CSRFProtect(app)
    csrf.exempt(unsubscribe)  # RFC 8058 one-click: the mail client posts without a token
    from tracker.api.views import bp as api_bp
    from tracker.api.views import register_api

    csrf.exempt(api_bp)  # Bearer tokens, not cookies: no cross-site request can carry them
    register_api(app)
    from tracker.api.token_views import bp as tokens_bp
    from tracker.regulations.export_views import bp as export_bp

    app.register_blueprint(tokens_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(notify_bp)
    from tracker.notify.account_mail import register as register_account_mail

    register_account_mail(app)  # password-reset links go out through the outbox
    app.register_blueprint(regulations_bp)
    app.register_blueprint(edit_bp)
    app.register_blueprint(instruments_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(feeds_bp)
    from tracker.report.views import bp as report_bp

    app.register_blueprint(report_bp)
    from tracker.planning.views import bp as planning_bp

    app.register_blueprint(planning_bp)
    register_web(app)
    from tracker.refusals import register as register_refusals

    register_refusals(app)
    # Each feature registers its command handlers and event subscribers (tracker.unit_of_work) in its own modules;
    # the app, which composes the features, imports them so that every entry point finds them all.
    import tracker.api.tokens
    import tracker.api.words
    import tracker.auth.account_service
    import tracker.auth.service
    import tracker.auth.words
    import tracker.feeds.tokens
    import tracker.feeds.words
    import tracker.feeds.written
    import tracker.metrics
    import tracker.notify.services
    import tracker.notify.words
    import tracker.planning.services
    import tracker.planning.words
    import tracker.regulations.instruments.services
    import tracker.regulations.instruments.words
    import tracker.regulations.revision
    import tracker.regulations.services
    import tracker.regulations.words
    import tracker.seeding.commands
    import tracker.seeding.words  # noqa: F401
    from tracker.i18n import init_i18n

    init_i18n(app)
    from tracker.ops import register_ops

    register_ops(app)
    app.teardown_appcontext(_close_session)
    return app


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
