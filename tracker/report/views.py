"""/report: the report on a page, with the board's filters, and a download per format."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.models import Team
from tracker.clock import get_clock
from tracker.date_words import current_language
from tracker.db import get_session
from tracker.regulations.models import Authority, RegulationKind
from tracker.report.build import MissingLibrary, file_name, read, render
from tracker.report.html import template_values
from tracker.report.options import MEDIA_TYPES, OptionError, ReportOptions, parse_format, parse_options

bp = Blueprint("report", __name__)
KNOWN = {"as_of", "since", "lang", "pillar", "team", "authority", "kind", "mine"}


def _options(known: set[str] = KNOWN) -> ReportOptions:
    unknown = sorted(set(request.args) - known)
    if unknown:
        abort(
            400,
            description=_(
                "%(name)s: geen instelling van het rapport; gebruik %(known)s.",
                name=unknown[0],
                known=", ".join(sorted(known)),
            ),
        )
    for single in ("as_of", "since", "lang", "authority", "kind", "mine"):
        if len(request.args.getlist(single)) > 1:
            abort(400, description=_("%(name)s: geef het één keer.", name=single))
    teams = request.args.getlist("team")
    mine = request.args.get("mine", "").strip()
    if mine not in ("", "0", "1"):
        abort(400, description=_("mine: gebruik 1 (alleen mijn teams) of laat het weg."))
    if mine == "1":  # as on the board: the teams of the person asking (the links then name them)
        if not current_user.teams:
            abort(400, description=_("mine: u hoort bij geen team; kies een team."))
        teams += [team.key for team in current_user.teams]
    try:
        return parse_options(
            today=get_clock().today(),
            as_of=request.args.get("as_of"),
            since=request.args.get("since"),
            # The report's language follows the reader's unless chosen: an English reader gets an English report.
            lang=request.args.get("lang") or current_language(),
            pillars=request.args.getlist("pillar"),
            teams=teams,
            authority=request.args.get("authority"),
            kind=request.args.get("kind"),
        )
    except OptionError as exc:
        abort(400, description=str(exc))


def _report(options: ReportOptions):
    clock = get_clock()
    try:
        # In the report's language: the planning feature's line per act (a hook) is written while reading.
        with force_locale(options.lang):
            return read(get_session(), options, today=clock.today(), tz=clock.tz)
    except OptionError as exc:
        abort(400, description=str(exc))


@bp.get("/report")
def page() -> str:
    options = _options()
    report = _report(options)
    db = get_session()
    return render_template(
        "report/page.html",
        options=options,
        teams=list(db.scalars(select(Team).order_by(Team.key))),
        authorities=list(db.scalars(select(Authority).order_by(Authority.key))),
        kinds=list(RegulationKind),
        mine=request.args.get("mine") == "1",
        **template_values(report),
    )


@bp.get("/report/download")
def download() -> Response:
    """?format=docx|pdf|html and the page's parameters. The format is checked first: nothing is drawn for a bad
    request."""
    if len(request.args.getlist("format")) > 1:
        abort(400, description=_("%(name)s: geef het één keer.", name="format"))
    try:
        fmt = parse_format(request.args.get("format"))
    except OptionError as exc:
        abort(400, description=str(exc))
    options = _options(KNOWN | {"format"})
    try:
        body = render(_report(options), fmt)
    except MissingLibrary as exc:
        abort(503, description=str(exc))
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(options, fmt)}"'
    return response
