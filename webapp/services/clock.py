"""Time as the province sees it: deadlines and "today" are in Vietnam's time zone."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def aware(moment: datetime) -> datetime:
    """A stored moment with its time zone (naive values from SQLite are UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def local(moment: datetime) -> datetime:
    """A stored moment in local time."""
    return aware(moment).astimezone(LOCAL_TZ)
