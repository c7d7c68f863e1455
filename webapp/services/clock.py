"""Time as the province sees it: deadlines and "today" are in Vietnam's time zone.

A history can be replayed at the moments it happened (the demonstration's past quarters):
inside `pinned(moment)`, now() and today() are that moment.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_pinned: ContextVar[datetime | None] = ContextVar("pinned", default=None)


def now() -> datetime:
    return _pinned.get() or datetime.now(timezone.utc)


def today() -> date:
    return now().astimezone(LOCAL_TZ).date()


@contextmanager
def pinned(moment: datetime):
    """now() and today() are this moment (an aware datetime) until the block ends."""
    token = _pinned.set(moment)
    try:
        yield
    finally:
        _pinned.reset(token)


def aware(moment: datetime) -> datetime:
    """A stored moment with its time zone (naive values from SQLite are UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def local(moment: datetime) -> datetime:
    """A stored moment in local time."""
    return aware(moment).astimezone(LOCAL_TZ)
