"""Users, sessions, CSRF tokens and login rate limiting of the review desk.

* Passwords are hashed with argon2id (argon2-cffi's defaults); a hash made with older
  parameters is re-hashed at the next login.
* Sessions are server-side: the browser holds a random token (``marsad_session``: HttpOnly,
  SameSite=Strict); the database holds only its SHA-256, so a leaked database opens no session.
* CSRF: every POST carries a token (form field ``csrf`` or header ``X-CSRF-Token``) that is an
  HMAC of the session token (before login: of a random ``marsad_csrf`` cookie) under a key
  kept in memory. A page of another site can neither read it nor compute it.
* Login: at most :data:`MAX_FAILURES` failed attempts per user name and per client address in
  :data:`WINDOW`; then 429 until the window has passed (counted in the database, so every
  worker process sees the same count).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marsad.review.db import ROLES, Desk

log = logging.getLogger(__name__)

SESSION_COOKIE = "marsad_session"
CSRF_COOKIE = "marsad_csrf"
SESSION_HOURS = 12
MAX_FAILURES = 5
WINDOW = timedelta(minutes=10)
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this user has ``role``'s rights (admin > reviewer > viewer)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(desk: Desk, name: str, password: str, role: str) -> None:
    """Create a user, or reset the password and role of an existing one."""
    if not name or len(name) > 64 or not name.isprintable() or ":" in name:
        raise ValueError(f"user name {name!r}: 1-64 printable characters without ':'")
    if len(password) < 8:
        raise ValueError("a password has at least 8 characters")
    desk.add_user(name, hash_password(password), role)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RateLimited(Exception):
    """Too many failed logins for this name or address."""


class Auth:
    """Logins, sessions and CSRF tokens over a :class:`Desk`."""

    def __init__(self, desk: Desk, key: bytes | None = None) -> None:
        self.desk = desk
        self.key = key or secrets.token_bytes(32)

    def login(self, name: str, password: str, client: str) -> str | None:
        """A new session token, or None for a wrong name or password; :class:`RateLimited`
        after too many failures (checked before the password, so guessing gains nothing)."""
        since = (datetime.now(UTC) - WINDOW).isoformat(timespec="microseconds")
        keys = (f"user:{name}", f"addr:{client}")
        if any(self.desk.login_failures(k, since) >= MAX_FAILURES for k in keys):
            raise RateLimited(f"too many failed logins; try again in {WINDOW.seconds // 60} minutes")
        found = self.desk.user(name)
        ok = False
        if found is not None:
            try:
                ok = _hasher.verify(found[0], password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher.hash(password)  # the same work as a wrong password: timing tells no names
        if not ok:
            for k in keys:
                self.desk.login_failed(k)
            log.warning("failed login for %r from %s", name, client)
            return None
        if _hasher.check_needs_rehash(found[0]):  # type: ignore[index]
            self.desk.add_user(name, hash_password(password), found[1])  # type: ignore[index]
        token = secrets.token_urlsafe(32)
        expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).isoformat(timespec="microseconds")
        self.desk.add_session(_token_hash(token), name, expires)
        return token

    def user(self, token: str | None) -> User | None:
        if not token:
            return None
        found = self.desk.session_user(_token_hash(token))
        return User(*found) if found else None

    def logout(self, token: str | None) -> None:
        if token:
            self.desk.drop_session(_token_hash(token))

    def csrf_token(self, basis: str) -> str:
        """The CSRF token of a session (or of a pre-login CSRF cookie)."""
        return hmac.new(self.key, basis.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, basis: str | None, token: str | None) -> bool:
        return bool(basis and token) and hmac.compare_digest(self.csrf_token(basis), token)  # type: ignore[arg-type]


__all__ = ["Auth", "RateLimited", "User", "add_user", "hash_password"]
