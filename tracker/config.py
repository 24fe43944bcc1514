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
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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
}


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
    )


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
