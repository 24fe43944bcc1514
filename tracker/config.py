"""Settings from TRACKER_* environment variables, validated once at start.

| variable | default | meaning |
| --- | --- | --- |
| TRACKER_INSTANCE_PATH | ./instance | folder for the SQLite file, the generated secret key, mail files |
| TRACKER_DATABASE_URL | sqlite:///<instance>/tracker.sqlite3 | SQLAlchemy URL (sqlite, postgresql+psycopg) |
| TRACKER_SECRET_KEY | generated once into <instance>/secret_key | signs sessions and tokens |
| TRACKER_BASE_URL | http://127.0.0.1:5000 | public URL used in links in mails and feeds |
| TRACKER_TIMEZONE | Europe/Amsterdam | time zone for "today", display and schedules |
| TRACKER_SEED_PATH | <repo>/seed | folder `tracker seed` reads |
| TRACKER_ADMIN_EMAIL | admin@example.invalid | the first admin, created by `tracker serve` when no user exists |
| TRACKER_ADMIN_PASSWORD | (generated, printed once) | that admin's password |
| TRACKER_MAIL_BACKEND | file | `file` (.eml files in <instance>/mail) or `smtp` |
| TRACKER_MAIL_FROM | tracker@localhost | sender address |
| TRACKER_SMTP_HOST / _PORT | localhost / 25 | SMTP server |
| TRACKER_SMTP_USERNAME / _PASSWORD | (none) | log in when set |
| TRACKER_SMTP_STARTTLS | false | upgrade the connection with STARTTLS |
| TRACKER_SMTP_TIMEOUT | 30 | seconds |
| TRACKER_REMINDER_DAYS | 90,30,7,1 | default lead times (days before a date) |
| TRACKER_DIGEST_DAY / _TIME | mon / 08:00 | when the weekly digest goes out (Europe/Amsterdam) |
| TRACKER_CLOCK | (the system's) | a fixed moment such as 2026-11-30T08:00Z: rehearse a date, or run tests |
| TRACKER_METRICS_TOKEN | (none) | when set, /metrics asks for `Authorization: Bearer <token>` |
| TRACKER_METRICS_ALLOW | 127.0.0.1/32,::1/128 | without a token, the addresses (CIDRs) that may read /metrics |
| TRACKER_LOG_FORMAT | text | `text` or `json` (one JSON object per line) |
| TRACKER_SESSION_MAX_DAYS | 7 | a login ends this many days after it began, however active (besides 12 idle hours) |
| TRACKER_TRUSTED_PROXIES | 0 | how many reverse proxies in front set X-Forwarded-For/-Proto (Werkzeug's ProxyFix) |
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tracker.parsing import DIGITS

LANGUAGES = ("nl", "en")  # the languages of the interface and the mails, Dutch first
PREFIX = "TRACKER_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

KNOWN = {
    "INSTANCE_PATH": "folder for the SQLite file, the generated secret key and mail files",
    "DATABASE_URL": "SQLAlchemy database URL",
    "SECRET_KEY": "secret key for sessions and tokens",
    "BASE_URL": "public base URL, e.g. https://tracker.example.nl",
    "TIMEZONE": "IANA time zone, e.g. Europe/Amsterdam",
    "SEED_PATH": "folder with the seed files",
    "ADMIN_EMAIL": "e-mail of the first admin created on first run",
    "ADMIN_PASSWORD": "password of the first admin (otherwise generated and printed once)",
    "MAIL_BACKEND": "file or smtp",
    "MAIL_FROM": "sender address of the tracker's e-mail",
    "SMTP_HOST": "SMTP server host",
    "SMTP_PORT": "SMTP server port",
    "SMTP_USERNAME": "SMTP user name (optional)",
    "SMTP_PASSWORD": "SMTP password (optional)",
    "SMTP_STARTTLS": "true or false",
    "SMTP_TIMEOUT": "seconds",
    "REMINDER_DAYS": "default reminder lead times, e.g. 90,30,7,1",
    "DIGEST_DAY": "weekday of the digest: mon..sun",
    "DIGEST_TIME": "time of the digest, HH:MM",
    "CLOCK": "a fixed moment for the app's clock, e.g. 2026-11-30T08:00Z (empty: the system's time)",
    "METRICS_TOKEN": "bearer token that /metrics asks for (at least 16 characters)",
    "METRICS_ALLOW": "addresses or CIDRs that may read /metrics without a token, comma-separated",
    "LOG_FORMAT": "text or json",
    "SESSION_MAX_DAYS": "days a login lasts at most, 1 to 90",
    "TRUSTED_PROXIES": "number of reverse proxies in front whose X-Forwarded-For/-Proto are believed, 0 to 5",
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> tuple[int, ...]:
    """Lead times such as "90,30,7,1": whole days from 0 to 730, at most 8, returned largest first."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or len(parts) > 8 or not all(DIGITS.fullmatch(p) and int(p) <= 730 for p in parts):
        raise ValueError(f"{text!r}: give up to 8 whole numbers of days from 0 to 730, e.g. 90,30,7,1")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


class ConfigError(Exception):
    """A setting is unknown or malformed; the message names the variable and what is wrong."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str = field(repr=False)
    base_url: str
    timezone: str
    seed_path: Path
    admin_email: str = "admin@example.invalid"
    admin_password: str | None = field(default=None, repr=False)
    mail_backend: str = "file"
    mail_from: str = "tracker@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    smtp_timeout: float = 30.0
    reminder_days: tuple[int, ...] = (90, 30, 7, 1)
    digest_day: str = "mon"
    digest_time: tuple[int, int] = (8, 0)
    clock: dt.datetime | None = None  # a fixed moment; None runs on the system's time
    metrics_token: str | None = field(default=None, repr=False)
    metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
    )
    log_format: str = "text"
    session_max_days: int = 7
    trusted_proxies: int = 0  # 0: the peer address is the client's (no X-Forwarded-* is believed)

    @property
    def mail_path(self) -> Path:
        return self.instance_path / "mail"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(environ: Mapping[str, str] | None = None, overrides: Mapping[str, str] | None = None) -> Settings:
    """Read TRACKER_* variables (and explicit overrides, which win); raise ConfigError naming each problem."""
    env = dict(os.environ if environ is None else environ)
    raw = {k[len(PREFIX) :]: v for k, v in env.items() if k.startswith(PREFIX)}
    raw.update({k.upper(): str(v) for k, v in (overrides or {}).items()})

    problems = [
        f"{PREFIX}{name} is not a known setting (known: {', '.join(PREFIX + k for k in sorted(KNOWN))})"
        for name in sorted(raw)
        if name not in KNOWN
    ]
    instance = Path(raw.get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    database_url = raw.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.sqlite3'}"
    base_url = (raw.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    timezone = raw.get("TIMEZONE") or "Europe/Amsterdam"
    seed_path = Path(raw.get("SEED_PATH") or PROJECT_ROOT / "seed").resolve()

    problems += _check_database_url(database_url)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        problems.append(f"{PREFIX}BASE_URL={base_url!r} must be an http(s) URL such as https://tracker.example.nl")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{PREFIX}TIMEZONE={timezone!r} is not an IANA time zone such as Europe/Amsterdam")
    secret = raw.get("SECRET_KEY")
    if secret is not None and len(secret) < 16:
        problems.append(f"{PREFIX}SECRET_KEY must be at least 16 characters")
    admin_email = (raw.get("ADMIN_EMAIL") or "admin@example.invalid").strip().lower()
    if "@" not in admin_email:
        problems.append(f"{PREFIX}ADMIN_EMAIL={admin_email!r} is not an e-mail address")
    admin_password = raw.get("ADMIN_PASSWORD") or None
    if admin_password is not None and len(admin_password) < 12:
        problems.append(f"{PREFIX}ADMIN_PASSWORD must be at least 12 characters")
    mail = _mail_settings(raw, problems)
    clock = None
    if raw.get("CLOCK", "").strip():
        try:
            clock = _parse_moment(raw["CLOCK"])
        except ValueError as exc:
            problems.append(f"{PREFIX}CLOCK: {exc}")
    ops = _ops_settings(raw, problems)
    ops.update(_auth_settings(raw, problems))
    if problems:
        raise ConfigError("; ".join(problems))

    return Settings(
        instance_path=instance,
        database_url=database_url,
        secret_key=secret or _instance_secret(instance),
        base_url=base_url,
        timezone=timezone,
        seed_path=seed_path,
        admin_email=admin_email,
        admin_password=admin_password,
        clock=clock,
        **mail,
        **ops,
    )


def _ops_settings(raw: dict[str, str], problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    token = raw.get("METRICS_TOKEN") or None
    if token is not None and (len(token) < 16 or any(c.isspace() for c in token)):
        problems.append(f"{PREFIX}METRICS_TOKEN must be at least 16 characters without spaces")
    out["metrics_token"] = token
    if "METRICS_ALLOW" in raw:
        networks = []
        for part in (p.strip() for p in raw["METRICS_ALLOW"].split(",")):
            if not part:
                continue
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                problems.append(f"{PREFIX}METRICS_ALLOW: {part!r} is not an address or CIDR such as 10.0.0.0/8")
        out["metrics_allow"] = tuple(networks)
    log_format = raw.get("LOG_FORMAT", "text").strip().lower()
    if log_format not in ("text", "json"):
        problems.append(f"{PREFIX}LOG_FORMAT={log_format!r} must be text or json")
    out["log_format"] = log_format
    return out


def _auth_settings(raw: dict[str, str], problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, key, low, high, default in (
        ("SESSION_MAX_DAYS", "session_max_days", 1, 90, "7"),
        ("TRUSTED_PROXIES", "trusted_proxies", 0, 5, "0"),
    ):
        value = raw.get(name, default).strip() or default
        if not DIGITS.fullmatch(value) or not low <= int(value) <= high:
            problems.append(f"{PREFIX}{name}={value!r} must be a whole number from {low} to {high}")
        else:
            out[key] = int(value)
    return out


def _parse_moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a moment such as 2026-11-30T08:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _mail_settings(raw: dict[str, str], problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    backend = raw.get("MAIL_BACKEND", "file")
    if backend not in ("file", "smtp"):
        problems.append(f"{PREFIX}MAIL_BACKEND={backend!r} must be file or smtp")
    out["mail_backend"] = backend
    out["mail_from"] = raw.get("MAIL_FROM", "tracker@localhost")
    if "@" not in str(out["mail_from"]):
        problems.append(f"{PREFIX}MAIL_FROM={out['mail_from']!r} is not an e-mail address")
    out["smtp_host"] = raw.get("SMTP_HOST", "localhost")
    for name, key, low, high, default in (
        ("SMTP_PORT", "smtp_port", 1, 65535, "25"),
        ("SMTP_TIMEOUT", "smtp_timeout", 1, 600, "30"),
    ):
        value = raw.get(name, default)
        if not DIGITS.fullmatch(value) or not low <= int(value) <= high:
            problems.append(f"{PREFIX}{name}={value!r} must be a whole number from {low} to {high}")
        else:
            out[key] = int(value)
    out["smtp_username"] = raw.get("SMTP_USERNAME") or None
    out["smtp_password"] = raw.get("SMTP_PASSWORD") or None
    starttls = raw.get("SMTP_STARTTLS", "false").lower()
    if starttls not in ("true", "false", "1", "0", "yes", "no"):
        problems.append(f"{PREFIX}SMTP_STARTTLS={starttls!r} must be true or false")
    out["smtp_starttls"] = starttls in ("true", "1", "yes")
    try:
        out["reminder_days"] = parse_days(raw.get("REMINDER_DAYS", "90,30,7,1"))
    except ValueError as exc:
        problems.append(f"{PREFIX}REMINDER_DAYS={exc}")
    day = raw.get("DIGEST_DAY", "mon").lower()
    if day not in WEEKDAYS:
        problems.append(f"{PREFIX}DIGEST_DAY={day!r} must be one of {', '.join(WEEKDAYS)}")
    out["digest_day"] = day
    time = raw.get("DIGEST_TIME", "08:00")
    hh, _, mm = time.partition(":")
    if not (DIGITS.fullmatch(hh) and DIGITS.fullmatch(mm) and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
        problems.append(f"{PREFIX}DIGEST_TIME={time!r} must be HH:MM, e.g. 08:00")
    else:
        out["digest_time"] = (int(hh), int(mm))
    return out


def _check_database_url(url: str) -> list[str]:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return [f"{PREFIX}DATABASE_URL is not a database URL (e.g. sqlite:///path or postgresql+psycopg://...)"]
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        return [f"{PREFIX}DATABASE_URL: backend {parsed.get_backend_name()!r} is not supported (sqlite, postgresql)"]
    return []


def _instance_secret(instance: Path) -> str:
    """Generate the secret key once and keep it, so sessions survive a restart."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written aside and linked into place: when two processes start at once, both end up with one key.
    tmp = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key
