"""Find the numeric targets (chỉ tiêu) written in a task's text.

The one-stop-shop plans state their targets in a few recurring shapes:
"đạt tối thiểu tương ứng 30%, 20%, 15% … cấp tỉnh, cấp huyện, cấp xã",
"tại 50% Bộ phận Một cửa cấp huyện và 30% … cấp xã", "tối đa 30 phút",
"tối thiểu là 1.600; vùng nông thôn 1.200 hồ sơ", "thêm 20% mỗi năm … cho đến khi đạt
100%". Each becomes a target with a direction (≥ or ≤), a level and a date; the clause
it came from is kept so that a person can check the reading.
"""

import re
from dataclasses import dataclass
from datetime import date

from ...models import Direction, Level
from ..text import fold, nfc

_LEVELS = {"tinh": Level.PROVINCE, "huyen": Level.DISTRICT, "xa": Level.COMMUNE}
_LEVEL_NAMES = {Level.PROVINCE: "cấp tỉnh", Level.DISTRICT: "cấp huyện", Level.COMMUNE: "cấp xã"}

# (words in the clause, name of the measure); the first that matches names it.
_SUBJECTS = [
    ("khong phai cung cap lai", "Tỷ lệ tổ chức, cá nhân không phải cung cấp lại giấy tờ"),
    ("hai long", "Mức độ hài lòng của tổ chức, cá nhân"),
    ("thoi gian cho doi", "Thời gian chờ đợi tại Bộ phận Một cửa"),
    ("thoi gian tiep nhan", "Thời gian tiếp nhận, xử lý một hồ sơ"),
    ("nang suat", "Năng suất tiếp nhận hồ sơ của một nhân sự trong năm"),
    ("luan chuyen", "Tỷ lệ hồ sơ luân chuyển nội bộ bằng phương thức điện tử"),
    ("dich vu cong truc tuyen", "Tỷ lệ hồ sơ thực hiện trực tuyến"),
    ("quy trinh so hoa", "Tỷ lệ Bộ phận Một cửa triển khai quy trình số hóa"),
    ("so hoa", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC"),
]

_NUMBER = r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)"
_PERCENT = re.compile(_NUMBER + r"\s*%")
_MINUTES = re.compile(_NUMBER + r"\s*phut\b")
_COUNT = re.compile(r"(?:(?:toi thieu|it nhat)(?:\s+la)?\s+|vung nong thon\s+)" + _NUMBER + r"(?!\s*(?:%|phut|\d))")
_UP_TO = re.compile(r"(?:cho\s+)?den\s+khi\s+dat\s+(?:ty\s+le\s+)?" + _NUMBER + r"\s*%")
_LEVEL_WORD = re.compile(r"cap\s+(tinh|huyen|xa)\b")


@dataclass(frozen=True)
class FoundIndicator:
    name: str
    target_value: float
    unit_of_measure: str
    direction: Direction
    level: Level
    target_date: date | None
    source_text: str
    yearly_step: float | None = None


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _clauses(text: str):
    """Clauses as (original, folded), split at ";" with parenthesised asides dropped."""
    text = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group(0)), nfc(text))
    for clause in re.split(r";", text):
        if clause.strip():
            yield clause.strip(" .\n"), fold(clause.strip(" .\n"))


def _subject(folded_clause: str, folded_text: str, original_clause: str) -> str:
    for haystack in (folded_clause, folded_text):
        for words, name in _SUBJECTS:
            if words in haystack:
                return name
    return original_clause[:120]


def _direction(folded_before: str) -> Direction:
    at_most = max(folded_before.rfind(w) for w in ("toi da", "giam", "xuong"))
    at_least = max(folded_before.rfind(w) for w in ("toi thieu", "it nhat", "dat", "tang"))
    return Direction.AT_MOST if at_most > at_least else Direction.AT_LEAST


def find_indicators(text: str, due_on: date | None = None) -> list[FoundIndicator]:
    found: list[FoundIndicator] = []
    folded_text = fold(nfc(text))
    for clause, folded in _clauses(text):
        year = re.search(r"\bnam\s+(\d{4})\b", folded)
        target_date = date(int(year.group(1)), 12, 31) if year else due_on
        subject = _subject(folded, folded_text, clause)
        levels = [_LEVELS[m.group(1)] for m in _LEVEL_WORD.finditer(folded)]

        measures = []  # (start, end, value, unit)
        for pattern, unit in ((_PERCENT, "%"), (_MINUTES, "phút"), (_COUNT, "hồ sơ")):
            for m in pattern.finditer(folded):
                measures.append((m.start(1), m.end(), _number(m.group(1)), unit))
        measures.sort()
        if not measures:
            continue

        up_to = _UP_TO.search(folded)
        if up_to and len(measures) == 2 and re.search(r"\b(?:moi|hang|trong moi)\s+nam\b|\bthem\b", folded):
            # "+N% a year until M%": one target M reached in yearly steps of N.
            step, target = measures[0][2], _number(up_to.group(1))
            for level in levels or [Level.ALL]:
                found.append(
                    FoundIndicator(
                        _named(subject, level), target, "%", Direction.AT_LEAST, level, target_date, clause, step
                    )
                )
            continue

        respectively = "tuong ung" in folded and len(levels) == len(measures) > 1
        for index, (start, end, value, unit) in enumerate(measures):
            if unit == "hồ sơ" and "nang suat" in folded_text:
                unit = "hồ sơ/người/năm"
            if unit == "%" and re.search(r"\btang\b", folded[:start]) and "den khi" not in folded:
                unit = "% tăng thêm"
            if respectively:
                own_levels = [levels[index]]
            else:
                after = _LEVEL_WORD.search(folded[end : end + 40])
                own_levels = [_LEVELS[after.group(1)]] if len(measures) > 1 and after else levels or [Level.ALL]
            name = subject + (" (vùng nông thôn)" if "vung nong thon" in folded[max(0, start - 20) : start] else "")
            direction = _direction(folded[:start])
            for level in own_levels:
                found.append(FoundIndicator(_named(name, level), value, unit, direction, level, target_date, clause))
    return found


def _named(name: str, level: Level) -> str:
    return f"{name} — {_LEVEL_NAMES[level]}" if level != Level.ALL else name
