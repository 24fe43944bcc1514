"""Calendar subscription feeds (token in the URL, no login) and the page where users get their links."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Engine, update
from werkzeug.wrappers import Response as BaseResponse

from tracker import metrics
from tracker.auth.current import current_actor
from tracker.clock import get_clock
from tracker.date_words import current_language
from tracker.db import get_session
from tracker.feeds import files, source, store, tokens, written
from tracker.feeds.commands import EnsureFeedToken, RevokeFeedToken, RotateFeedToken
from tracker.feeds.models import FeedRender
from tracker.feeds.queries import FeedFilter, FeedParamError, feed_meta, parse_filter
from tracker.hooks import add_page_context
from tracker.regulations.filters import filter_choices
from tracker.regulations.models import Regulation
from tracker.unit_of_work import run_and_commit

bp = Blueprint("feeds", __name__)
FETCH_NOTE = dt.timedelta(hours=1)


def _regulation_feed_links(reg: Regulation) -> dict[str, object]:
    """The regulation page's calendar links, when the user has a feed link already."""
    feed = tokens.active_token(get_session(), current_user)
    if feed is None:
        return {"feed_links": None}
    token = tokens.derive(current_app.config["SECRET_KEY"], feed.nonce)
    only = FeedFilter(regulation=reg, language=current_language())
    return {"feed_links": (feed_url(token, only), feed_url(token, only, webcal=True))}


bp.record_once(lambda state: add_page_context(state.app, "regulation", _regulation_feed_links))
def feed_url(token: str, f: FeedFilter | None = None, *, webcal: bool = False) -> str:
    base = current_app.config["TRACKER"].base_url
    query = f.query_string() if f else ""
    url = f"{base}/feeds/{token}.ics" + (f"?{query}" if query else "")
    return re.sub(r"^https?://", "webcal://", url) if webcal else url


@bp.get("/feeds/<token>.ics")
def feed(token: str) -> BaseResponse:
    db = get_session()
    base_url = current_app.config["TRACKER"].base_url
    query = request.query_string.decode(errors="replace")
    if (request.args.get("kind") or "").strip() == "planning":  # stripped, as parse_filter reads it
        query += f"&forecast_day={get_clock().today().isoformat()}"  # forecasts move with the day, not only the data
    key = store.feed_key(query, base_url=base_url)
    # One query: is the token valid (and made under today's key), the data's revision, and the shared copy's state.
    state = tokens.feed_state(db, token, current_app.config["SECRET_KEY"], key)
    if state is None:
        abort(404, description=_("Deze agenda bestaat niet. Hebt u uw link vernieuwd of ingetrokken, abonneer u dan "
                                 "met de nieuwe link."))
    # This worker renders the events its writes touch (feeds.written).
    written.served(str(cast(Engine, db.get_bind()).url))
    gzipped = request.accept_encodings["gzip"] > 0
    # The shared copy is current and the client holds its ETag: answer at once.
    if state.current_etag is not None and _variant(state.current_etag, gzipped) in request.if_none_match:
        return _headers(Response(status=304), _variant(state.current_etag, gzipped))
    clock = get_clock()
    now = clock.now()

    def build() -> store.FeedContents:
        # Parsed only for a render: a stored render current at this revision was made from these very parameters,
        # and any change to a team, act or authority they name sets a new revision.
        try:
            f = parse_filter(db, request.args, request.args.to_dict(flat=False))
        except FeedParamError as exc:
            abort(400, description=str(exc))
        metrics.FEED_CACHE.labels("miss").inc()
        rows = source.read(db, f, base_url=base_url, today=clock.today())
        return store.contents(rows, feed_meta(f, base_url=base_url))

    stored = None
    if state.stored_etag is not None:
        stored = store.Stored(cast(int, state.stored_revision), state.stored_etag, state.rendered_at)  # set together
    if stored is not None and stored.revision == state.revision:
        metrics.FEED_CACHE.labels("hit").inc()
    # What the feed is and that it is in use, for the scheduler's warming (noted at most once an hour).
    about: dict[str, object] = {"query": store.canonical(query), "base_url": base_url, "fetched_at": now}
    if state.fetched_at is not None and now - state.fetched_at < FETCH_NOTE:
        about = {}
    elif stored is not None and stored.revision == state.revision:
        db.execute(update(FeedRender).where(FeedRender.feed_key == key).values(**about))
        db.commit()
    try:
        feed_store = store.Store(db, feed_folder())
        served = feed_store.serve(key, state.revision, build, now=now, stored=stored, about=about)
    except store.NotReady:
        return _not_ready()
    # The file is sent by the server (gunicorn's sendfile through wsgi.file_wrapper), not copied through Python;
    # Werkzeug answers If-None-Match, If-Modified-Since and ranges from the file.
    etag = _variant(served.etag, gzipped)
    try:
        response = _send(served, gzipped, etag)
    except FileNotFoundError:  # an old file swept away meanwhile: written again from the database, if still current
        if feed_store.file(key, served.etag) is None:
            return _not_ready()
        response = _send(served, gzipped, etag)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="tracker.ics"'
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return _headers(response, etag)


def _send(served: store.Served, gzipped: bool, etag: str) -> Response:
    return send_file(files.gzip_of(served.path) if gzipped else served.path, mimetype="text/calendar",
                     conditional=True, etag=etag, last_modified=served.rendered_at, max_age=None)


def _not_ready() -> Response:
    response = Response(_("De agenda wordt klaargezet; probeer het zo opnieuw.") + "\n", status=503,
                        mimetype="text/plain")
    response.headers["Retry-After"] = "10"
    return response


def _variant(etag: str, gzipped: bool) -> str:
    """Each representation its own strong ETag (RFC 9110 8.8.3): the gzip form is other bytes."""
    return f"{etag}-gzip" if gzipped else etag


def feed_folder() -> Path:
    return current_app.config["TRACKER"].instance_path / "feeds"


def _headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/calendar")
def calendar() -> str:
    db = get_session()
    try:
        f = parse_filter(db, {k: v for k, v in request.args.items() if v}, request.args.to_dict(flat=False))
    except FeedParamError as exc:
        abort(400, description=str(exc))
    # The feed speaks the reader's language: a calendar app fetching it later sends none of its own.
    f = dataclasses.replace(f, language=current_language())
    # Read only: a link is made by a POST (the rotate form), audited like every change.
    token = tokens.current_link(db, current_user, current_app.config["SECRET_KEY"])
    return render_template(
        "feeds/calendar.html",
        https_url=feed_url(token, f) if token else None,
        webcal_url=feed_url(token, f, webcal=True) if token else None,
        f=f,
        args=request.args,
        **filter_choices(db),
    )


@bp.post("/calendar/link")
def make_link() -> BaseResponse:
    """The user's first feed link (or a new one after revoking): made by a POST and audited, never by a GET."""
    run_and_commit(
        get_session(),
        EnsureFeedToken(current_user.email, current_app.config["SECRET_KEY"]),
        current_actor(),
        get_clock(),
    )
    flash(_("Uw agendalink is gemaakt."))
    return redirect(url_for("feeds.calendar"))


@bp.post("/calendar/rotate")
def rotate() -> BaseResponse:
    run_and_commit(
        get_session(),
        RotateFeedToken(current_user.email, current_app.config["SECRET_KEY"]),
        current_actor(),
        get_clock(),
    )
    flash(_("Nieuwe link gemaakt; de oude werkt niet meer."))
    return redirect(url_for("feeds.calendar"))


@bp.get("/calendar/revoke")
def confirm_revoke() -> str:
    """Revoking asks first, on a page of its own: every calendar that subscribed stops updating."""
    return render_template(
        "confirm.html",
        heading=_("Agendalink intrekken?"),
        explanation=_("Alle agenda's die met uw link zijn geabonneerd, krijgen daarna geen nieuwe data meer. "
                      "U kunt later een nieuwe link maken."),
        confirm_label=_("Ja, link intrekken"),
        back_url=url_for("feeds.calendar"),
    )


@bp.post("/calendar/revoke")
def revoke() -> BaseResponse:
    run_and_commit(get_session(), RevokeFeedToken(current_user.email), current_actor(), get_clock())
    flash(_("Link ingetrokken."))
    return redirect(url_for("regulations.board_page"))
