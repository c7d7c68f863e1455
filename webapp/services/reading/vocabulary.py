"""The vocabulary of plans (vocabulary.toml), loaded once and compiled."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..text import fold, nfc

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")


def folded(text: str) -> str:
    """Text as the vocabulary's patterns see it: no diacritics, lower case, one space between words."""
    return " ".join(fold(nfc(text)).split())


def _any(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass(frozen=True)
class Vocabulary:
    columns: tuple[tuple[str, re.Pattern], ...]  # (role, title pattern), in the order they are tried
    column_groups: re.Pattern
    note_starts: re.Pattern
    filler_rows: re.Pattern
    citations: re.Pattern
    waiting: re.Pattern
    recurrence: tuple[tuple[str, re.Pattern], ...]  # most frequent first
    points: tuple[re.Pattern, ...]
    open_start: re.Pattern
    abbreviations: tuple[tuple[str, str], ...]
    related: re.Pattern
    related_words: re.Pattern
    level_words: frozenset[str]
    separators: re.Pattern
    qualifier_starts: re.Pattern
    name_heads: re.Pattern
    generic: frozenset[str]
    subjects: tuple[tuple[re.Pattern, str, str], ...]  # (whole words, measure's name, its unit or "")
    units: re.Pattern
    qualifiers: re.Pattern


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    times, phrases = data["timeframes"], data["phrases"]
    heads = "|".join(sorted(phrases["related_heads"], key=len, reverse=True))
    return Vocabulary(
        columns=tuple((c["role"], _any(c["patterns"])) for c in data["columns"]),
        column_groups=_any(data["header"]["column_groups"]),
        note_starts=re.compile("^(?:" + "|".join(data["rows"]["note_starts"]) + ")"),
        filler_rows=_any(data["rows"]["filler_rows"]),
        citations=_any(times["citations"]),
        waiting=re.compile(r"\b(?:" + "|".join(times["waiting"]) + r")\b"),
        recurrence=tuple((kind, re.compile(r"\b(?:" + "|".join(times["recurrence"][kind]) + r")\b"))
                         for kind in ("monthly", "quarterly", "half_yearly", "yearly", "continuous")),
        points=tuple(re.compile(p["pattern"]) for p in times["points"]),
        open_start=_any(times["open_start"]["patterns"]),
        abbreviations=tuple(tuple(pair) for pair in phrases["abbreviations"]),
        related=re.compile(rf"(?:(?:{heads})(?:\s*,\s*|\s+va\s+|\s+))*{phrases['related_tail']}\b"),
        related_words=_any(phrases["related_words"]),
        level_words=frozenset(phrases["level_words"]),
        separators=re.compile(r"(?:[\s,;.\-–:()+•*]+|\b(?:" + "|".join(phrases["joining_words"]) + r")\b)+"),
        qualifier_starts=re.compile(r"^(?:" + "|".join(phrases["qualifier_starts"]) + r")\b"),
        name_heads=re.compile(r"(?:" + "|".join(sorted(phrases["name_heads"], key=len, reverse=True)) + r")\b"),
        generic=frozenset(phrases["generic"]),
        subjects=tuple((re.compile(rf"\b{re.escape(words)}\b"), name, unit[0] if unit else "")
                       for words, name, *unit in data["targets"]["subjects"]),
        units=re.compile(r"(?:" + "|".join(sorted(data["targets"]["units"], key=len, reverse=True)) + r")\b"),
        qualifiers=re.compile(r"(?:" + "|".join(sorted(data["targets"]["qualifiers"], key=len, reverse=True)) + r")"),
    )
