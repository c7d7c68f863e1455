"""Read a "Thời gian thực hiện" cell into a due date and a recurrence (DESIGN.md).

    15/8/2021                       -> that date
    Năm 2021, Trong năm 2022        -> 31/12 of the year
    quý IV năm 2022                 -> the quarter's last day
    Hàng năm, … và các năm tiếp theo,
    Theo tiến độ từng năm           -> yearly (first due at the end of the year named, if any)
    Theo hướng dẫn của …            -> no date until the guidance gives one
"""

import re
from dataclasses import dataclass
from datetime import date

from ..models import Recurrence
from .text import fold, nfc

_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_QUARTER = re.compile(r"\bquy\s+(i|ii|iii|iv|1|2|3|4)\b\s*(?:nam\s+)?(\d{4})")
_YEAR = re.compile(r"\bnam\s+(\d{4})\b")
_YEARLY = re.compile(r"\bhang\s+nam\b|\bcac\s+nam\s+tiep\s+theo\b|\btung\s+nam\b|\bmoi\s+nam\b")
_GUIDANCE = re.compile(r"\btheo\s+huong\s+dan\b")
_QUARTER_END = {"i": (3, 31), "ii": (6, 30), "iii": (9, 30), "iv": (12, 31), "1": (3, 31), "2": (6, 30), "3": (9, 30), "4": (12, 31)}


@dataclass(frozen=True)
class Timeframe:
    due_on: date | None
    recurrence: Recurrence
    awaits_guidance: bool

    @property
    def understood(self) -> bool:
        return bool(self.due_on or self.recurrence != Recurrence.NONE or self.awaits_guidance)


def parse_timeframe(text: str) -> Timeframe:
    folded = fold(nfc(text))
    due_on = None
    if m := _DATE.search(folded):
        due_on = _valid_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    elif m := _QUARTER.search(folded):
        month, day = _QUARTER_END[m.group(1)]
        due_on = date(int(m.group(2)), month, day)
    elif m := _YEAR.search(folded):
        due_on = date(int(m.group(1)), 12, 31)
    recurrence = Recurrence.YEARLY if _YEARLY.search(folded) else Recurrence.NONE
    awaits_guidance = bool(_GUIDANCE.search(folded)) and due_on is None and recurrence == Recurrence.NONE
    return Timeframe(due_on, recurrence, awaits_guidance)


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
