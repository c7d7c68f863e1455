"""Find the numeric targets (chỉ tiêu) written in a task's text.

The one-stop-shop plans state their targets in a few recurring shapes:
"đạt tối thiểu tương ứng 30%, 20%, 15% … cấp tỉnh, cấp huyện, cấp xã",
"tại 50% Bộ phận Một cửa cấp huyện và 30% … cấp xã", "tối đa 30 phút",
"tối thiểu là 1.600; vùng nông thôn 1.200 hồ sơ", "thêm 20% mỗi năm … cho đến khi đạt
100%". Each becomes a target with a direction (≥ or ≤), a level and a date; the clause
it came from is kept so that a person can check the reading. A number is a target when it
is a percentage, a duration, or when a word such as «tối thiểu», «đạt», «không quá» comes
before it; its unit is what the text writes right after it («1.200 hồ sơ», «3 ngày làm
việc»). The measures' names and units are in vocabulary.toml ([targets]).
"""

import re
from dataclasses import dataclass
from datetime import date

from ...models import Direction, Level
from ..text import fold, nfc
from .vocabulary import vocabulary

_LEVELS = {"tinh": Level.PROVINCE, "huyen": Level.DISTRICT, "xa": Level.COMMUNE}
_LEVEL_NAMES = {Level.PROVINCE: "cấp tỉnh", Level.DISTRICT: "cấp huyện", Level.COMMUNE: "cấp xã"}

_NUMBER = r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)"
_PERCENT = re.compile(_NUMBER + r"\s*%")
_MINUTES = re.compile(_NUMBER + r"\s*phut\b")
# After a word that makes a target («tối thiểu», «đạt»…): the number, then perhaps its unit.
_COUNT = re.compile(r"\s+(?:(?:la|muc|tuong ung|con)\s+)?" + _NUMBER + r"(?!\s*%)(?![\d.,]\d)")
_PER = re.compile(r"(?:\s*/\s*[a-z]+)*")
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


def _subject(folded_clause: str, folded_text: str, original_clause: str) -> tuple[str, str]:
    """The measure's name (and its unit, when the vocabulary gives one), from whole words of
    the clause, else of the whole text («số hoặc» is not «số hóa»)."""
    for haystack in (folded_clause, folded_text):
        for words, name, unit in vocabulary().subjects:
            if words.search(haystack):
                return name, unit
    return original_clause[:120], ""


def _measures(clause: str, folded: str) -> list[tuple[int, int, float, str]]:
    """(start, end, value, unit as written) of each target number of the clause, in order;
    the unit is empty when the text writes none after the number."""
    found: list[tuple[int, int, float, str]] = []
    taken = [False] * len(folded)

    def add(start: int, end: int, value: float, unit: str) -> None:
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            found.append((start, end, value, unit))

    for pattern, unit in ((_PERCENT, "%"), (_MINUTES, "phút")):
        for m in pattern.finditer(folded):
            add(m.start(1), m.end(), _number(m.group(1)), unit)
    words = vocabulary()
    for qualifier in words.qualifiers.finditer(folded):
        whole_words = not folded[qualifier.end():qualifier.end() + 1].isalnum() and not (
            qualifier.start() and folded[qualifier.start() - 1].isalnum())
        m = _COUNT.match(folded, qualifier.end()) if whole_words else None
        if not m:
            continue
        end, unit = m.end(), ""
        named = words.units.match(folded, end + len(folded[end:]) - len(folded[end:].lstrip()))
        if named:
            per = _PER.match(folded, named.end())
            unit = " ".join(clause[named.start():per.end()].split())
            end = per.end()
        add(m.start(1), end, _number(m.group(1)), unit)
    return sorted(found)


def _direction(folded_before: str) -> Direction:
    at_most = max(folded_before.rfind(w) for w in ("toi da", "giam", "xuong", "khong qua", "khong vuot qua", "duoi"))
    at_least = max(folded_before.rfind(w) for w in ("toi thieu", "it nhat", "dat", "tang"))
    return Direction.AT_MOST if at_most > at_least else Direction.AT_LEAST


def find_indicators(text: str, due_on: date | None = None) -> list[FoundIndicator]:
    found: list[FoundIndicator] = []
    folded_text = fold(nfc(text))
    for clause, folded in _clauses(text):
        year = re.search(r"\bnam\s+(\d{4})\b", folded)
        target_date = date(int(year.group(1)), 12, 31) if year else due_on
        subject, subject_unit = _subject(folded, folded_text, clause)
        levels = [_LEVELS[m.group(1)] for m in _LEVEL_WORD.finditer(folded)]
        measures = _measures(clause, folded)
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
            if subject_unit and fold(subject_unit).startswith(fold(unit)):
                unit = subject_unit  # «1.200 hồ sơ» of a throughput: hồ sơ/người/năm
            if unit == "%" and re.search(r"\btang\b", folded[:start]) and "den khi" not in folded:
                unit = "% tăng thêm"
            elif unit == "%" and re.search(r"\bgiam\b", folded[:start]):
                unit = "% giảm"  # «giảm tối thiểu 20%»: at least a fifth less
            if respectively:
                own_levels = [levels[index]]
            else:
                after = _LEVEL_WORD.search(folded[end : end + 40])
                own_levels = [_LEVELS[after.group(1)]] if len(measures) > 1 and after else levels or [Level.ALL]
            name = subject + (" (vùng nông thôn)" if "vung nong thon" in folded[max(0, start - 20) : start] else "")
            direction = Direction.AT_LEAST if unit == "% giảm" else _direction(folded[:start])
            for level in own_levels:
                found.append(FoundIndicator(_named(name, level), value, unit, direction, level, target_date, clause))
    return found


def _named(name: str, level: Level) -> str:
    return f"{name} — {_LEVEL_NAMES[level]}" if level != Level.ALL else name
