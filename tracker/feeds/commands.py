"""What a user asks of their calendar feed link, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RotateFeedToken:
    """Revoke every link of the user and issue a new one; old links answer 404 at once."""

    email: str
    secret_key: str = field(repr=False)  # the app's key: tokens derive from it and a random nonce


@dataclass(frozen=True)
class RevokeFeedToken:
    email: str


@dataclass(frozen=True)
class EnsureFeedToken:
    """The user's current link, made (and audited) when they have none that works under the app's key."""

    email: str
    secret_key: str = field(repr=False)
