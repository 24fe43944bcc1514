"""Refusals: every command that cannot be carried out raises one of these, naming the field at fault.

One place turns them into what a user sees: `form_errors` for a browser form, `problem` for RFC 9457 problem details
in the API. Nothing here knows Flask or WTForms, so services raise them and stay free of the web. Messages may be
lazy translations (flask_babel.lazy_gettext): they take the reader's language when `message` or `errors` is read,
at the place that shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l


class Refused(Exception):
    """A command refused. `errors` lists (field, message); a field of None means the request as a whole."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Unprocessable Content"
    field: ClassVar[str | None] = None  # the default field of a subclass

    def __init__(self, message: Any, field: str | None = None, *, errors: Iterable[tuple[str | None, Any]] = ()):
        super().__init__(message)
        self._message = message
        listed = list(errors)
        self._errors: list[tuple[str | None, Any]] = listed or [(field or type(self).field, message)]

    @property
    def message(self) -> str:
        return str(self._message)

    @property
    def errors(self) -> list[tuple[str | None, str]]:
        return [(name, str(text)) for name, text in self._errors]


class InvalidFields(Refused):
    """Input that does not fit the field description (type, length, required, choice)."""


class NotFound(Refused):
    status, title = 404, "Not Found"


class Forbidden(Refused):
    status, title = 403, "Forbidden"


class Conflict(Refused):
    """Someone else saved the record since it was read, or a unique value was taken at the same moment."""

    status, title = 409, "Conflict"


class StaleVersion(Conflict):
    field = "version"

    def __init__(self, what: str) -> None:
        super().__init__(_l("Iemand anders heeft dit gegeven (%(what)s) gewijzigd nadat u het opende. Er is niets "
                            "opgeslagen.", what=_WHAT.get(what, what)))


_WHAT = {"regulation": _l("regeling"), "deadline": _l("termijn"), "designation": _l("aanwijzing"),
         "evaluation": _l("evaluatie"), "record": _l("gegeven")}


class Duplicate(Conflict):
    pass


# What each channel adds to a stale version: the browser keeps the input, a script fetches again.
BROWSER_STALE_HINT = _l("Uw invoer staat hieronder, naast wat de ander opsloeg: kies wat u houdt.")
API_STALE_HINT = _l("Haal het opnieuw op en breng uw wijziging opnieuw aan.")


def form_errors(form: Any, exc: Refused) -> None:
    """Put each error on its form field, or above the form when the form has no such field."""
    for field, message in exc.errors:
        if isinstance(exc, StaleVersion):
            message = f"{message} {BROWSER_STALE_HINT}"
        target = getattr(form, field, None) if field else None
        if field and target is not None and hasattr(target, "errors") and field != "version":
            if not isinstance(target.errors, list):  # WTForms keeps a tuple until validation appended
                target.errors = list(target.errors)
            target.errors.append(message)
        else:
            form.form_errors.append(message)


def problem(exc: Refused, *, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """The RFC 9457 problem document of a refusal; `rename` maps internal field names to the API's."""
    detail = f"{exc.message} {API_STALE_HINT}" if isinstance(exc, StaleVersion) else exc.message
    body: dict[str, Any] = {"type": "about:blank", "title": exc.title, "status": exc.status, "detail": detail}
    named = [(rename or {}).get(f, f) if f is not None else None for f, _ in exc.errors]
    if any(named):
        body["errors"] = [{"field": f or "", "message": m} for f, (_, m) in zip(named, exc.errors, strict=True)]
    return body
