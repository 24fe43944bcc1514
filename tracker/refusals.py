"""One mapping from a refusal (tracker.errors.Refused) to what each channel answers.

- a browser form shown again: each error on its field (`on_form`), status `page_status`;
- a browser request without a form to show again: the error page with every message (the app's error handler);
- the API: an RFC 9457 problem document with the refusal's own status and its fields (the same handler);
- the terminal: each error with its field on standard error, exit 1 (`exit_cli`).

The status for a person is the refusal's own, but 422 (fields that do not fit) is 400, as for a form whose fields
the browser-side form check refuses: the same wrong input gives the same answer wherever it was caught.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l

from tracker.errors import Refused, form_errors, problem

ERROR_TITLES = {
    400: _l("Dit verzoek kan niet worden verwerkt"),
    401: _l("Log eerst in"),
    403: _l("Geen toegang"),
    404: _l("Niet gevonden"),
    405: _l("Dit kan niet op deze manier"),
    409: _l("Conflict"),
    413: _l("Te groot"),
    429: _l("Te veel pogingen"),
    500: _l("Er ging iets mis"),
}
ERROR_MESSAGES = {
    400: _l("Het verzoek bevat iets wat de tracker niet kan lezen."),
    401: _l("U bent niet (meer) ingelogd."),
    403: _l("U mag dit niet doen of zien."),
    404: _l("Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar het bord."),
    405: _l("Deze pagina kan niet op deze manier worden gebruikt."),
    413: _l("Wat u stuurde is te groot."),
    429: _l("Wacht even en probeer het dan opnieuw."),
    500: _l("Er ging iets mis aan onze kant. Probeer het later opnieuw; blijft het misgaan, meld het de beheerder."),
}

FEED_PREFIX = "/feeds/"
API_PREFIX = "/api/"


def page_status(exc: Refused) -> int:
    return 400 if exc.status == 422 else exc.status


def described(exc: Refused) -> str:
    """Every message of the refusal on one line, with its field where it has one."""
    return "; ".join(message for _, message in exc.errors) or exc.message


def on_form(form: Any, exc: Refused) -> int:
    """Put the refusal's errors on `form` (the caller shows it again) and return the status to answer with."""
    form_errors(form, exc)
    return page_status(exc)


def exit_cli(exc: Refused) -> NoReturn:
    """Print each error with its field, and exit 1: nothing was changed."""
    click.echo(f"Refused: {exc.message}" if len(exc.errors) > 1 else "Refused:", err=True)
    for field, message in exc.errors:
        click.echo(f"  {field or 'request'}: {message}", err=True)
    sys.exit(1)


def _answer(exc: Refused) -> Response | tuple[str, int]:
    if request.path.startswith(API_PREFIX):
        body = json.dumps(problem(exc), ensure_ascii=False)
        return Response(body, exc.status, content_type="application/problem+json")
    if request.path.startswith(FEED_PREFIX):
        return Response(f"{exc.status} {exc.title}: {described(exc)}\n", exc.status, mimetype="text/plain")
    status = page_status(exc)
    title = f"{status} {ERROR_TITLES.get(status) or exc.title}"
    return render_template("error.html", error=exc, error_title=title, error_message=described(exc)), status


def register(app: Flask) -> None:
    """A refusal that a view lets through is answered here, the one way its channel expects."""
    app.register_error_handler(Refused, _answer)
