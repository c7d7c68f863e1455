"""Tokens for the read-only API: issued and revoked by an administrator, kept only as hashes."""

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from ..database import lock_for_write
from ..models import ApiToken, User
from . import clock

log = logging.getLogger(__name__)
LAST_USE_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, *, user: User, name: str) -> str:
    """A new token for the user; its value is shown once and never stored."""
    token = "pt_" + secrets.token_urlsafe(32)
    lock_for_write(session)
    session.add(ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=_hash(token), prefix=token[:10],
                         created_at=clock.now()))
    session.commit()
    return token


def revoke(session: Session, token: ApiToken) -> None:
    lock_for_write(session)
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
    _note_use(session, row)
    return user


def _note_use(session: Session, token: ApiToken) -> None:
    """Stamp the token's last use, at most once a minute, in a short write of its own: a read
    of the API never fails because another request holds the write lock."""
    now = clock.now()
    last = token.last_used_at
    if last is not None and now - clock.aware(last) < LAST_USE_RESOLUTION:
        return
    session.commit()  # end the read before asking for the write lock
    try:
        lock_for_write(session)
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    except OperationalError:
        session.rollback()
        log.warning("last use of API token %s not recorded: the database is busy", token.prefix)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())).all()
