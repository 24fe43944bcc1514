"""gunicorn settings for the tracker: `gunicorn -c gunicorn.conf.py tracker.wsgi:app`.

The access log goes to standard error with every secret in a path replaced by <redacted>: feed links
(/feeds/<token>.ics), unsubscribe links (/unsubscribe/<token>) and password-reset links (/reset/<token>) carry
their secret in the address, and a log is read by more people than the secret's owner. Every field is redacted
(request line, path, query, referrer, headers), so a custom `access_log_format` stays safe too. Settings given on
the command line (-w, -b, --access-logfile) override the ones here.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from tracker.redaction import redact


class RedactingLogger(Logger):
    """gunicorn's logger, with feed, unsubscribe and reset tokens taken out of every access-log field."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Behind the reverse proxy, gunicorn itself believes its X-Forwarded-* only from there; the app's own rule is
# TRACKER_TRUSTED_PROXIES (Werkzeug's ProxyFix).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
