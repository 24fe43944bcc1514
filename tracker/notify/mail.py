"""Building e-mails from outbox rows, and the two ways to send them: .eml files and SMTP."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import smtplib
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from tracker.config import Settings
from tracker.notify.models import OutboxMessage

# CRLF line ends; long header values (unsubscribe URLs) are not folded, so every reader sees them whole.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


class TransientError(Exception):
    """Try again later: a 4xx reply, or the server could not be reached."""


class PermanentError(Exception):
    """Do not try again: a 5xx reply."""


class Backend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def message_id(row: OutboxMessage, base_url: str) -> str:
    # Stable for the row: a retried send carries the same Message-ID, so receivers can drop a duplicate.
    host = urlsplit(base_url).hostname or "tracker"
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<outbox-{row.id}-{digest}@{host}>"


def build_message(row: OutboxMessage, *, sender: str, base_url: str, date: dt.datetime) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = email.utils.format_datetime(date.astimezone(dt.UTC))
    msg["Message-ID"] = message_id(row, base_url)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    for name, value in sorted((row.headers or {}).items()):
        msg[name] = value
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


class FileBackend:
    """Development: each message becomes an .eml file in the instance folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

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

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _classify(min(code for code, _ in exc.recipients.values()), str(exc.recipients)) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, exc.smtp_error.decode(errors="replace")) from exc
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise _classify(min(code for code, _ in refused.values()), str(refused))


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
