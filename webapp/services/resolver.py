"""Turn the lead and support cells of an appendix row into (unit, role) assignments.

A plain function of the cell texts and a roster, usable for any plan. The rules are
those of DESIGN.md:

- a cell is read phrase by phrase; each phrase is a unit, a group that stands for many
  units, "các cơ quan có liên quan" (names no one until the reviewer does), or unknown;
- a group expands to its active members, or to its stand-in's when it has none
  (no commune registered: the districts answer for their communes);
- "UBND cấp huyện, cấp xã" is two groups: a bare "cấp xã" repeats the previous phrase
  at another level;
- a unit named explicitly keeps the role it is named with; a row's lead never also
  supports the same row through a group;
- typos are read as the nearest name when the match is close and unambiguous, and
  said so; anything else is reported by name, never dropped.
"""

import difflib
import re
from dataclasses import dataclass, field
from enum import Enum

from .text import fold, nfc


class PhraseKind(str, Enum):
    UNIT = "unit"
    GROUP = "group"
    RELATED = "related"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RosterUnit:
    code: str
    names: tuple[str, ...]  # the name first, then aliases
    active: bool = True


@dataclass(frozen=True)
class RosterGroup:
    code: str
    names: tuple[str, ...]
    members: tuple[str, ...]  # unit codes
    stand_in: str | None = None


@dataclass
class Roster:
    """The units and groups that cells may name, in a stable order."""

    units: dict[str, RosterUnit]
    groups: dict[str, RosterGroup]

    def __post_init__(self) -> None:
        self._entries: list[tuple[str, str, str]] = []  # (kind, code, folded name)
        for kind, items in ((PhraseKind.UNIT, self.units), (PhraseKind.GROUP, self.groups)):
            for code, item in items.items():
                for name in item.names:
                    for variant in _spellings(name):
                        self._entries.append((kind, code, _words(fold(nfc(variant)))))
        self._patterns = [
            (kind, code, folded, re.compile(r"[\s,\-–]+".join(folded.split()) + r"\b"))
            for kind, code, folded in self._entries
        ]
        self._by_name = {folded: (kind, code) for kind, code, folded in self._entries}

    def group_members(self, code: str) -> tuple[tuple[str, ...], str | None]:
        """Active members of a group, and the stand-in group used when it has none."""
        group = self.groups[code]
        members = tuple(c for c in group.members if self.units[c].active)
        if members or not group.stand_in:
            return members, None
        stand_in_members, _ = self.group_members(group.stand_in)
        return stand_in_members, group.stand_in

    def display_name(self, kind: PhraseKind, code: str) -> str:
        return (self.units if kind == PhraseKind.UNIT else self.groups)[code].names[0]


def _spellings(name: str) -> set[str]:
    """A name as plans write it: "UBND" and "Ủy ban nhân dân" are the same words."""
    spellings = {name}
    for short, full in (("UBND", "Ủy ban nhân dân"),):
        if short in name:
            spellings.add(name.replace(short, full))
        if full in name:
            spellings.add(name.replace(full, short))
    return spellings


def _words(folded: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", folded))


@dataclass(frozen=True)
class Phrase:
    """Some words of a cell and what they were read as."""

    text: str
    kind: PhraseKind
    code: str | None = None  # the unit or group
    units: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ResolvedAssignment:
    unit: str
    role: str  # "lead" or "support"
    phrase: str


@dataclass
class RowResolution:
    lead: list[Phrase] = field(default_factory=list)
    support: list[Phrase] = field(default_factory=list)
    assignments: list[ResolvedAssignment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def phrases(self) -> list[Phrase]:
        return self.lead + self.support

    @property
    def unknown(self) -> list[Phrase]:
        return [p for p in self.phrases if p.kind == PhraseKind.UNKNOWN]

    @property
    def related(self) -> list[Phrase]:
        return [p for p in self.phrases if p.kind == PhraseKind.RELATED]


_SEPARATORS = re.compile(r"(?:[\s,;.\-–:()]+|\b(?:va|cac|voi)\b)+")
# "các cơ quan, đơn vị có liên quan", and "Sở, ban, ngành có liên quan" (no comma before
# "có liên quan": with one, "sở, ban, ngành, cơ quan có liên quan" is the group and then
# the related bodies).
_RELATED = re.compile(
    r"(?:(?:cac|co quan|don vi|to chuc|va)[\s,]+)*(?:co\s+)?lien\s+quan\b"
    r"|so[\s,]+(?:ban[\s,]+)?nganh\s+(?:co\s+)?lien\s+quan\b"
)
_LEVEL = re.compile(r"cap\s+(tinh|huyen|xa)\b")
_CLAUSE_END = re.compile(r"[;,\n]|\bva\b")
FUZZY_RATIO = 0.85


def resolve_cell(text: str, roster: Roster) -> list[Phrase]:
    """Read one cell into phrases, in the order they are written."""
    text = nfc(text)
    folded = fold(text)
    phrases: list[Phrase] = []
    previous_name: str | None = None  # folded name of the last unit or group read
    pos = 0
    while True:
        skip = _SEPARATORS.match(folded, pos)
        if skip:
            pos = skip.end()
        if pos >= len(folded):
            return phrases
        phrase, end, previous_name = _read_phrase(text, folded, pos, roster, previous_name)
        phrases.append(phrase)
        pos = end


def _read_phrase(text, folded, pos, roster, previous_name):
    best = None
    for kind, code, name, pattern in roster._patterns:
        m = pattern.match(folded, pos)
        if m and (best is None or m.end() > best[3]):
            best = (kind, code, name, m.end())
    related = _RELATED.match(folded, pos)
    if related and (best is None or related.end() >= best[3]):
        return Phrase(text[pos : related.end()].strip(), PhraseKind.RELATED), related.end(), previous_name
    if best:
        kind, code, name, end = best
        return _phrase(roster, text[pos:end], kind, code), end, name

    level = _LEVEL.match(folded, pos)
    if level and previous_name and _LEVEL.search(previous_name):
        # "UBND cấp huyện, cấp xã": the bare level repeats the previous phrase.
        name = _LEVEL.sub(lambda _: level.group(0), previous_name)
        if name in roster._by_name:
            kind, code = roster._by_name[name]
            note = f"hiểu là «{roster.display_name(kind, code)}»"
            return _phrase(roster, text[pos : level.end()], kind, code, note), level.end(), name

    clause_end = _CLAUSE_END.search(folded, pos)
    clause_end = clause_end.start() if clause_end else len(folded)
    fuzzy = _nearest_name(folded, pos, roster)
    if fuzzy:
        kind, code, name, end = fuzzy
        note = f"đọc gần đúng thành «{roster.display_name(kind, code)}»"
        return _phrase(roster, text[pos:end].strip(), kind, code, note), end, name
    end = max(clause_end, pos + 1)
    return Phrase(text[pos:end].strip(), PhraseKind.UNKNOWN), end, previous_name


def _phrase(roster: Roster, words: str, kind: PhraseKind, code: str, note: str = "") -> Phrase:
    if kind == PhraseKind.UNIT:
        return Phrase(words, kind, code, (code,), note)
    members, stand_in = roster.group_members(code)
    if stand_in:
        stand_in_note = (
            f"«{roster.display_name(kind, code)}» chưa có đơn vị đăng ký; "
            f"«{roster.display_name(kind, stand_in)}» trả lời thay"
        )
        note = f"{note}; {stand_in_note}" if note else stand_in_note
    return Phrase(words, kind, code, members, note)


def _nearest_name(folded: str, pos: int, roster: Roster):
    """The closest name to the words at pos, if close and unambiguous (typos)."""
    words = list(re.finditer(r"[a-z0-9]+", folded[pos:]))
    stop = re.search(r"[;\n]", folded[pos:])
    if stop:
        words = [w for w in words if w.start() < stop.start()]
    scores: dict[tuple[str, str], tuple[float, str, int]] = {}
    for kind, code, name in roster._entries:
        size = len(name.split())
        for count in (size - 1, size, size + 1):
            if count < 1 or count > len(words):
                continue
            candidate = " ".join(w.group(0) for w in words[:count])
            ratio = difflib.SequenceMatcher(None, candidate, name).ratio()
            if ratio > scores.get((kind, code), (0.0,))[0]:
                scores[(kind, code)] = (ratio, name, pos + words[count - 1].end())
    ranked = sorted(((score, key) for key, score in scores.items()), key=lambda item: item[0][0], reverse=True)
    if not ranked or ranked[0][0][0] < FUZZY_RATIO:
        return None
    if len(ranked) > 1 and ranked[1][0][0] > ranked[0][0][0] - 0.05:
        return None  # two names are about as close: ask a person instead
    (_, name, end), (kind, code) = ranked[0]
    return kind, code, name, end


def resolve_row(lead_text: str, support_text: str, roster: Roster) -> RowResolution:
    """Read both cells of a row and decide each unit's single role on it."""
    resolution = RowResolution(resolve_cell(lead_text, roster), resolve_cell(support_text, roster))
    # unit -> [(role, explicit, phrase text)] in the order the cells name them
    claims: dict[str, list[tuple[str, bool, str]]] = {}
    for role, phrases in (("lead", resolution.lead), ("support", resolution.support)):
        for phrase in phrases:
            for unit in phrase.units:
                claims.setdefault(unit, []).append((role, phrase.kind == PhraseKind.UNIT, phrase.text))

    for role_wanted in ("lead", "support"):
        for unit, unit_claims in claims.items():
            explicit = [c for c in unit_claims if c[1]]
            deciding = explicit or unit_claims
            role = "lead" if any(c[0] == "lead" for c in deciding) else "support"
            if role != role_wanted:
                continue
            if len({c[0] for c in explicit}) > 1:
                resolution.notes.append(
                    f"«{roster.units[unit].names[0]}» được ghi ở cả cột chủ trì và cột phối hợp: giữ vai trò chủ trì"
                )
            phrases = dict.fromkeys(c[2] for c in deciding if c[0] == role)
            resolution.assignments.append(ResolvedAssignment(unit, role, "; ".join(phrases)))
    return resolution
