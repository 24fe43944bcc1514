"""Building e-mails from outbox rows, and the two ways to send them: .eml files and SMTP.

A row's text reaches the headers only as one line (`one_line`: no CR, LF or other control characters), so a title
with a line break can neither inject a header nor make the builder raise; what cannot be made safe (a recipient that
is not one address, a header name that is not a header name) raises `InvalidMessage`, which fails that message alone.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import functools
import hashlib
import re
import smtplib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
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
# A bare address of ASCII letters (one @): written as it is, with no need for the address parser.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
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
    def send(self, message: Built) -> None: ...

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
    if _PLAIN_ADDRESS.fullmatch(raw):
        return raw  # the usual case, without the address parser
    found = email.utils.getaddresses([raw])
    address = found[0][1] if len(found) == 1 else ""
    local, _, domain = address.partition("@")
    if _CONTROL.search(raw) or not local or not domain or "@" in domain or any(c.isspace() for c in address):
        raise InvalidMessage(f"recipient {raw!r} is not one e-mail address")
    return raw.strip()


@dataclass(frozen=True)
class Built:
    """A finished message: its bytes, made once (and written or sent as they are), and its envelope."""

    raw: bytes
    sender: str  # the envelope's MAIL FROM
    recipient: str  # the envelope's one RCPT TO
    message_id: str
    # Set only for an address outside ASCII: such a message needs SMTPUTF8, which the email package negotiates.
    international: EmailMessage | None = None


_ADDRESS_HEADERS = {"from", "to", "cc", "reply-to", "sender"}


def _header(name: str, value: str) -> str:
    """One header line. A plain value is written as it is; one with non-ASCII text, a display name, something that
    reads as an encoded word, or more than a line's worth is folded by the email package, as before."""
    if (
        value.isascii()
        and len(name) + len(value) <= 996
        and "=?" not in value
        and (name.lower() not in _ADDRESS_HEADERS or _PLAIN_ADDRESS.fullmatch(value))
    ):
        return f"{name}: {value}\r\n"
    return _folded(name, value)


@functools.lru_cache(maxsize=256)  # the sender is the same on every message
def _folded(name: str, value: str) -> str:
    return str(MAIL_POLICY.header_factory(name, value).fold(policy=MAIL_POLICY))


@functools.lru_cache(maxsize=16)
def _envelope_sender(sender: str) -> str:
    return email.utils.parseaddr(sender)[1]


def _part(text: str, subtype: str) -> bytes:
    """A text part's headers and body in UTF-8: as it is (7bit or 8bit) when every line fits in 998 bytes, like the
    email package does for the SMTP policy; else base64."""
    lines = text.encode("utf-8").splitlines() or [b""]
    if max(map(len, lines), default=0) <= 998:
        body = b"".join(line + b"\r\n" for line in lines)
        cte = "7bit" if body.isascii() else "8bit"
    else:
        body = base64.encodebytes(b"".join(line + b"\r\n" for line in lines)).replace(b"\n", b"\r\n")
        cte = "base64"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n'.encode()
        + body
    )


def build_message(row: OutboxMessage, *, sender: str, base_url: str, date: dt.datetime) -> Built:
    """The e-mail for a row as bytes, written straight from a template (the email package's message objects cost
    milliseconds per message; delivery wants a thousand a second). InvalidMessage (or another error) means it
    cannot be sent as it is."""
    to = recipient_of(row)
    envelope_to = to if _PLAIN_ADDRESS.fullmatch(to) else email.utils.getaddresses([to])[0][1]
    envelope_from = _envelope_sender(one_line(sender))
    if not (envelope_to.isascii() and envelope_from.isascii()):
        msg = email_package_message(row, sender=sender, base_url=base_url, date=date)
        return Built(bytes(msg), envelope_from, envelope_to, msg["Message-ID"], international=msg)
    mid = message_id(row, base_url)
    head = [
        _header("From", one_line(sender)),
        _header("To", to),
        _header("Subject", one_line(row.subject)),
        f"Date: {email.utils.format_datetime(date.astimezone(dt.UTC))}\r\n",
        f"Message-ID: {mid}\r\n",
        "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n",
    ]
    for name, value in sorted((row.headers or {}).items()):
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED:
            raise InvalidMessage(f"header name {name!r} is not allowed")
        head.append(_header(name, one_line(value)))
    head.append("MIME-Version: 1.0\r\n")
    text = _part(row.body_text, "plain")
    if not row.body_html:
        return Built("".join(head).encode() + text, envelope_from, envelope_to, mid)
    html = _part(row.body_html, "html")
    boundary = "=_outbox_" + hashlib.sha256(row.key.encode()).hexdigest()[:24]
    while boundary.encode() in text or boundary.encode() in html:  # a delimiter may not occur in a part
        boundary += "_"
    head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n')
    sep = f"\r\n--{boundary}\r\n".encode()
    raw = b"".join(
        ["".join(head).encode(), sep[2:], text, sep, html, f"\r\n--{boundary}--\r\n".encode()]
    )
    return Built(raw, envelope_from, envelope_to, mid)


def email_package_message(row: OutboxMessage, *, sender: str, base_url: str, date: dt.datetime) -> EmailMessage:
    """The same message built by the email package: for addresses outside ASCII (SMTPUTF8), and the reference the
    tests hold the template against."""
    msg = EmailMessage(policy=MAIL_POLICY)
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
    return msg


class FileBackend:
    """Development: each message becomes an .eml file in the instance folder."""

    idempotent = True  # the file is named by the Message-ID and replaced atomically: sending again is harmless
    # A claim and its outcomes are two commits (an fsync each on SQLite, some 20 ms here): over 500 files they cost
    # little, over 50 they would cost more than writing the files.
    batch_size = 500

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def send(self, message: Built) -> None:
        name = message.message_id.strip("<>").replace("@", "_").replace("/", "_") + ".eml"
        tmp = self.folder / f".{name}.tmp"
        try:
            tmp.write_bytes(message.raw)
        except FileNotFoundError:  # the first message: no folder yet
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(message.raw)
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
        self.batch_size = 50  # messages per connection, and per claim
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

    def send(self, message: Built) -> None:
        try:
            refused = self._transfer(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _classify(min(code for code, _ in exc.recipients.values()), str(exc.recipients)) from exc
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error  # the server's bytes, or smtplib's own words (str)
            text = error.decode(errors="replace") if isinstance(error, bytes) else error
            raise _classify(exc.smtp_code, text) from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address and no SMTPUTF8: never better
            raise PermanentError(f"{type(exc).__name__}: {exc}") from exc
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise _classify(min(code for code, _ in refused.values()), str(refused))

    def _transfer(self, message: Built) -> dict[str, tuple[int, bytes]]:
        if getattr(self._local, "batching", False):
            if getattr(self._local, "open", None) is None:
                self._local.open = self._connect()
            try:
                return _send(self._local.open, message)
            except BaseException:
                # After any failure the session's state is unknown: the next message opens a new connection.
                self._close()
                raise
        smtp = self._connect()
        try:
            return _send(smtp, message)
        finally:
            _quit(smtp)


def _send(smtp: smtplib.SMTP, message: Built) -> dict[str, tuple[int, bytes]]:
    """The built bytes as they are; a message to or from an address outside ASCII through the email package, which
    asks the server for SMTPUTF8 (and raises SMTPNotSupportedError when it has none)."""
    if message.international is not None:
        return smtp.send_message(message.international)
    return smtp.sendmail(message.sender, [message.recipient], message.raw)


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
