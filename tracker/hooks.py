"""Page hooks: a feature adds to another feature's page without that feature importing it.

The regulation page shows a follow button (notify) and calendar links (feeds); regulations must not import either,
since both build on regulations. Each registers a provider of template values for the page, and the page asks the
app for whatever was registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask.sansio.app import App

EXTENSION = "tracker.page_context"
Provider = Callable[[Any], dict[Any, Any]]  # template values by name; the report's hook: a line per act id


def add_page_context(app: App, page: str, provider: Provider) -> None:
    app.extensions.setdefault(EXTENSION, {}).setdefault(page, []).append(provider)


def page_context(page: str, subject: Any) -> dict[str, Any]:
    """Every registered provider's values for `page` about `subject` (e.g. a Regulation)."""
    values: dict[str, Any] = {}
    for provider in current_app.extensions.get(EXTENSION, {}).get(page, []):
        values.update(provider(subject))
    return values
