"""Building e-mails from outbox rows, and the two ways to send them: .eml files and SMTP.

A row's text reaches the headers only as one line (`one_line`: no CR, LF or other control characters), so a title
with a line break can neither inject a header nor make the builder raise; what cannot be made safe (a recipient that
is not one address, a header name that is not a header name) raises `InvalidMessage`, which fails that message alone.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
import smtplib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from tracker.config import Settings
from tracker.notify.models import OutboxMessage

# CRLF line ends; long header values (unsubscribe URLs) are not folded, so every reader sees them whole.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: none belongs in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 field name: printable ASCII except the colon
# Set by build_message itself, or adding recipients: a row's own headers may not carry these.
_RESERVED = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "auto-submitted", "x-auto-response-suppress"}


class TransientError(Exception):
    """Try again later: a 4xx reply, or the server could not be reached."""


class PermanentError(Exception):
    """Do not try again: a 5xx reply."""


class InvalidMessage(PermanentError):
    """The row cannot become a well-formed message; sending it again would not help."""


class Backend(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def batch(self) -> AbstractContextManager[None]: ...


def one_line(value: object) -> str:
    """`value` as one header-safe line: control characters and line breaks become spaces, runs of spaces one."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def fit(value: str, length: int) -> str:
    """One line of at most `length` characters; a longer one is cut and ends with an ellipsis."""
    line = one_line(value)
    return line if len(line) <= length else line[: length - 1].rstrip() + "\u2026"


def message_id(row: OutboxMessage, base_url: str) -> str:
    # Stable for the row: a retried send carries the same Message-ID, so receivers can drop a duplicate.
    host = urlsplit(base_url).hostname or "tracker"
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<outbox-{row.id}-{digest}@{host}>"


def recipient_of(row: OutboxMessage) -> str:
    """The row's recipient as one address, or InvalidMessage."""
    raw = row.recipient or ""
    found = email.utils.getaddresses([raw])
    address = found[0][1] if len(found) == 1 else ""
    local, _, domain = address.partition("@")
    if _CONTROL.search(raw) or not local or not domain or "@" in domain or any(c.isspace() for c in address):
        raise InvalidMessage(f"recipient {raw!r} is not one e-mail address")
    return raw.strip()


class _Built(EmailMessage):
    """A finished message: its bytes are made once (build_message checks them; the file backend writes them)."""

    _raw: bytes | None = None

    def __bytes__(self) -> bytes:
        if self._raw is None:
            self._raw = super().__bytes__()
        return self._raw


def build_message(row: OutboxMessage, *, sender: str, base_url: str, date: dt.datetime) -> EmailMessage:
    """The e-mail for a row, checked by rendering it once; InvalidMessage (or another error) means it cannot be
    sent as it is."""
    msg = _Built(policy=MAIL_POLICY)
    msg["From"] = one_line(sender)
    msg["To"] = recipient_of(row)
    msg["Subject"] = one_line(row.subject)
    msg["Date"] = email.utils.format_datetime(date.astimezone(dt.UTC))
    msg["Message-ID"] = message_id(row, base_url)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    for name, value in sorted((row.headers or {}).items()):
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED:
            raise InvalidMessage(f"header name {name!r} is not allowed")
        msg[name] = one_line(value)
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    bytes(msg)  # whatever would fail while sending fails here, before anything is sent
    return msg


class FileBackend:
    """Development: each message becomes an .eml file in the instance folder."""

    idempotent = True  # the file is named by the Message-ID and replaced atomically: sending again is harmless

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_") + ".eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(message))
        tmp.replace(self.folder / name)


class SmtpBackend:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.starttls, self.username, self.password = starttls, username, password
        # One batch's connection per thread: deliverers in two threads may share a backend.
        self._local = threading.local()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Send the messages of one batch over one connection (opened at the first message, closed at the end)."""
        self._local.batching = True
        try:
            yield
        finally:
            self._local.batching = False
            self._close()

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _close(self) -> None:
        smtp, self._local.open = getattr(self._local, "open", None), None
        if smtp is not None:
            _quit(smtp)

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self._transfer(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _classify(min(code for code, _ in exc.recipients.values()), str(exc.recipients)) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, exc.smtp_error.decode(errors="replace")) from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address and no SMTPUTF8: never better
            raise PermanentError(f"{type(exc).__name__}: {exc}") from exc
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise _classify(min(code for code, _ in refused.values()), str(refused))

    def _transfer(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        if getattr(self._local, "batching", False):
            if getattr(self._local, "open", None) is None:
                self._local.open = self._connect()
            try:
                return self._local.open.send_message(message)
            except BaseException:
                # After any failure the session's state is unknown: the next message opens a new connection.
                self._close()
                raise
        smtp = self._connect()
        try:
            return smtp.send_message(message)
        finally:
            _quit(smtp)


def _quit(smtp: smtplib.SMTP) -> None:
    # Not `with smtplib.SMTP(...)`: its exit raises when QUIT is not answered 221, which after an accepted
    # message would turn a delivered message into a retry, and so into a second copy.
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _classify(code: int, text: str) -> Exception:
    return TransientError(f"{code} {text}") if 400 <= code < 500 else PermanentError(f"{code} {text}")


def backend_for(settings: Settings) -> Backend:
    if settings.mail_backend == "smtp":
        return SmtpBackend(
            settings.smtp_host,
            settings.smtp_port,
            timeout=settings.smtp_timeout,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
        )
    return FileBackend(settings.mail_path)
