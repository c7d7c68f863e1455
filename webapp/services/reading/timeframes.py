"""Read a timeframe cell («Thời gian thực hiện») into a due date, a start and a recurrence.

The forms are in vocabulary.toml: the moments a cell names (a date, a month, a quarter, a
half-year, a year, each with or without a range), how often a row is reported (Thường
xuyên, Hằng năm, Định kỳ hằng quý…) and what a row waits for (Theo hướng dẫn…, Sau khi…).
The text itself is always kept; this is only its reading, shown beside it.

    15/8/2021, Trước ngày 15/8/2021   due 15/08/2021
    Tháng 12/2025                     due 31/12/2025
    Quý IV/2026, Quý IV năm 2026      due 31/12/2026
    6 tháng đầu năm 2026              due 30/06/2026
    2026, Năm 2026, Trong năm 2026    due 31/12/2026
    2025 - 2030, Năm 2025-2026        due at the end of the last year, from 1 January of the first
    Quý IV/2025 - Quý II/2026         due 30/06/2026, from 01/10/2025
    Thường xuyên                      continuous (reported every period, never simply done)
    Hằng năm; Năm 2025 và các năm tiếp theo   yearly (the first year due at its end)
    Định kỳ hằng quý / 6 tháng / hằng tháng   quarterly / half-yearly / monthly
    Theo hướng dẫn…, Sau khi…         waiting: no date until the reviewer sets one
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ...models import Recurrence
from .vocabulary import folded, vocabulary

QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
RECURRENCE_NAMES = {
    Recurrence.CONTINUOUS: "thường xuyên",
    Recurrence.YEARLY: "hằng năm",
    Recurrence.HALF_YEARLY: "định kỳ 6 tháng",
    Recurrence.QUARTERLY: "hằng quý",
    Recurrence.MONTHLY: "hằng tháng",
}


@dataclass(frozen=True)
class Timeframe:
    due_on: date | None
    recurrence: Recurrence
    awaits_guidance: bool
    starts_on: date | None = None

    @property
    def understood(self) -> bool:
        return bool(self.due_on or self.recurrence != Recurrence.NONE or self.awaits_guidance)

    @property
    def reading(self) -> str:
        """What was read, in words, to show beside the text as written."""
        parts = []
        if self.recurrence != Recurrence.NONE:
            parts.append(RECURRENCE_NAMES[self.recurrence].capitalize())
        if self.due_on:
            due = f"hạn {self.due_on:%d/%m/%Y}"
            if self.recurrence not in (Recurrence.NONE, Recurrence.CONTINUOUS):
                due = f"lần đầu {due}"
            parts.append(due)
        if self.starts_on:
            parts.append(f"từ {self.starts_on:%d/%m/%Y}")
        if self.awaits_guidance:
            parts.append("chờ hướng dẫn, chưa có hạn")
        text = ", ".join(parts) or "chưa đọc được hạn"
        return text[0].upper() + text[1:]


def parse_timeframe(text: str) -> Timeframe:
    words = vocabulary()
    cell = words.citations.sub(" van ban ", folded(text))  # «theo văn bản»: waits for that document
    cell = " ".join(re.sub(r"[–—]", "-", cell).split())
    waiting_first = words.waiting.match(cell)
    if waiting_first:
        # «Sau khi VCCI công bố kết quả PCI năm 2025»: a year in what is waited for is no deadline;
        # after a comma («Theo hướng dẫn của Bộ, trong năm 2026») it is.
        clause_end = re.search(r"[,;]", cell)
        cell = cell[clause_end.end():] if clause_end else ""
        cell = f"{waiting_first.group(0)} {cell}"
    spans = _spans(cell)
    recurrence = next((Recurrence(kind) for kind, pattern in words.recurrence if pattern.search(cell)), Recurrence.NONE)
    due_on = max((end for _, end, _ in spans), default=None)
    ranged = len(spans) > 1 or any(is_range for _, _, is_range in spans)
    starts_on = min(start for start, _, _ in spans) if ranged else None
    if len(spans) == 1 and recurrence == Recurrence.NONE and words.open_start.search(cell.strip(" .;")):
        # «Từ năm 2026»: the row goes on from then, with no end.
        return Timeframe(None, Recurrence.CONTINUOUS, False, spans[0][0])
    awaits = bool(words.waiting.search(cell)) and due_on is None and recurrence == Recurrence.NONE
    return Timeframe(due_on, recurrence, awaits, starts_on)


def _spans(cell: str) -> list[tuple[date, date, bool]]:
    """Every moment the cell names, as (first day, last day, written as a range), in the
    order written. The patterns are tried in their order; a stretch of text read by one is
    not read again by the next («Quý IV/2026» is not also the year 2026)."""
    taken = [False] * len(cell)
    found: list[tuple[int, date, date, bool]] = []
    for pattern in vocabulary().points:
        for m in pattern.finditer(cell):
            if any(taken[m.start():m.end()]):
                continue
            groups = m.groupdict()
            span = _span(groups)
            if span is None:
                continue
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), *span, bool(groups.get("month_from") or groups.get("quarter_from"))))
    return [(start, end, ranged) for _, start, end, ranged in sorted(found)]


def _span(groups: dict) -> tuple[date, date] | None:
    year_text = groups.get("year") or groups.get("year_before")
    if not year_text:
        return None
    year = int(year_text)
    if groups.get("year_before"):
        year -= 1
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        if groups.get("day"):
            day = date(year, int(groups["month"]), int(groups["day"]))
            return day, day
        if groups.get("month"):
            last = int(groups["month"])
            first = int(groups.get("month_from") or last)
            if not 1 <= first <= last <= 12:
                return None
            return date(year, first, 1), _month_end(year, last)
        if groups.get("quarter"):
            last = QUARTERS[groups["quarter"]]
            first = QUARTERS[groups.get("quarter_from") or groups["quarter"]]
            return date(year, 3 * first - 2, 1), _month_end(year, 3 * last)
        if groups.get("half"):
            second = any(word in groups["half"] for word in ("cuoi",))
            return (date(year, 7, 1), date(year, 12, 31)) if second else (date(year, 1, 1), date(year, 6, 30))
    except ValueError:
        return None  # 31/02: a date that does not exist is not read (the importer says so)
    return date(year, 1, 1), date(year, 12, 31)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
