"""Tokens for the read-only API: issued and revoked by an administrator, kept only as hashes."""

import hashlib
import secrets

from sqlmodel import Session, select

from ..models import ApiToken, User
from . import clock


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, *, user: User, name: str) -> str:
    """A new token for the user; its value is shown once and never stored."""
    token = "pt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=_hash(token), prefix=token[:10],
                         created_at=clock.now()))
    session.commit()
    return token


def revoke(session: Session, token: ApiToken) -> None:
    token.revoked_at = clock.now()
    session.add(token)
    session.commit()


def user_for(session: Session, token: str) -> User | None:
    """The active user a live token belongs to."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = clock.now()
    session.add(row)
    session.commit()
    return user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())).all()
