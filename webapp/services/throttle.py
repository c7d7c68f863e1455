"""Login throttling per account and per address, kept in the database so that it holds
across every worker and app server behind the proxy. The functions work in the caller's
transaction (a login takes the write lock first), which commits them."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from ..models import LoginThrottle
from . import clock


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    return [(f"account:{username.strip().lower()}", "account"), (f"address:{address}", "address")]


def locked_for(session: Session, username: str, address: str) -> timedelta | None:
    """How much longer logins for this account or from this address are refused, if they are."""
    now = clock.now()
    waits = []
    for key, _ in _keys(username, address):
        row = session.get(LoginThrottle, key, with_for_update=True)
        until = clock.aware(row.locked_until) if row and row.locked_until else None
        if until and until > now:
            waits.append(until - now)
    return max(waits) if waits else None


def failed(session: Session, username: str, address: str, limits: Limits) -> None:
    now = clock.now()
    for key, kind in _keys(username, address):
        limit = limits.per_account if kind == "account" else limits.per_address
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_started_at=now)
        if now - clock.aware(row.window_started_at) > limits.window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + limits.lockout
        session.add(row)
    session.flush()


def succeeded(session: Session, username: str) -> None:
    row = session.get(LoginThrottle, _keys(username, "")[0][0])
    if row is not None:
        session.delete(row)
