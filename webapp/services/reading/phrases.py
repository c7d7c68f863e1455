"""Turn the lead and support cells of an appendix row into (unit, role) assignments.

A plain function of the cell texts and a roster, usable for any plan. The rules are
those of DESIGN.md:

- a cell is read phrase by phrase; each phrase is a unit, a group that stands for many
  units, a related-bodies phrase («các cơ quan, đơn vị có liên quan»: names no one until
  the reviewer does), or unknown;
- whole names are matched before anything is split: «Sở Văn hóa, Thể thao và Du lịch» is
  one unit; a list of names nobody registered is cut only before a word that starts a
  name («…, Sở …», «… và UBND …»), never inside one;
- a group expands to its active members, or to its stand-in's when it has none
  (no commune registered: the districts answer for their communes);
- «UBND cấp huyện, cấp xã» is two groups: a bare «cấp xã» repeats the previous phrase
  at another level;
- a unit named explicitly keeps the role it is named with; a row's lead never also
  supports the same row through a group;
- typos are read as the nearest name when the whole phrase is close to it and no other
  name is as close, and said so; a near match never takes part of a longer name;
- anything else is reported by name, never dropped; an administrator may map it.
"""

import difflib
import re
from dataclasses import dataclass, field
from enum import Enum

from ..text import fold, nfc
from .vocabulary import folded, vocabulary


class PhraseKind(str, Enum):
    UNIT = "unit"
    GROUP = "group"
    RELATED = "related"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RosterUnit:
    code: str
    names: tuple[str, ...]  # the name first, then other spellings
    active: bool = True


@dataclass(frozen=True)
class RosterGroup:
    code: str
    names: tuple[str, ...]
    members: tuple[str, ...]  # unit codes
    stand_in: str | None = None


# Between the words of a name: spaces, and the punctuation plans put there («KH&CN», «Sở, ban, ngành»).
_NAME_JOINER = r"[\s,\-–&./]+"


@dataclass
class Roster:
    """The units and groups that cells may name, in a stable order."""

    units: dict[str, RosterUnit]
    groups: dict[str, RosterGroup]

    def __post_init__(self) -> None:
        self._entries: list[tuple[PhraseKind, str, str]] = []  # (kind, code, folded name)
        for kind, items in ((PhraseKind.UNIT, self.units), (PhraseKind.GROUP, self.groups)):
            for code, item in items.items():
                for name in item.names:
                    for variant in spellings(name):
                        words = name_key(variant)
                        if words:
                            self._entries.append((kind, code, words))
        self._patterns = [
            (kind, code, words, re.compile(_NAME_JOINER.join(map(re.escape, words.split())) + r"\b"))
            for kind, code, words in self._entries
        ]
        self._by_name = {words: (kind, code) for kind, code, words in self._entries}

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


def spellings(name: str) -> set[str]:
    """A name as plans write it: «UBND» and «Ủy ban nhân dân» are the same words (vocabulary)."""
    found = {nfc(name)}
    for short, full in vocabulary().abbreviations:
        for spelled in list(found):
            if re.search(rf"(?<!\w){re.escape(short)}(?!\w)", spelled):
                found.add(re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, spelled))
            if full in spelled:
                found.add(spelled.replace(full, short))
    return found


def name_key(name: str) -> str:
    """What the resolver knows a name by: its words, without marks or case. «Các» before a name
    is read past like a separator: «Các bộ, ngành» is «bộ, ngành»."""
    return re.sub(r"^cac ", "", _words(fold(nfc(name))))


def _words(folded_text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", folded_text))


@dataclass(frozen=True)
class Phrase:
    """Some words of a cell and what they were read as."""

    text: str
    kind: PhraseKind
    code: str | None = None  # the unit or group
    units: tuple[str, ...] = ()
    note: str = ""
    mapped: bool = False  # read so because an administrator mapped these words


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

    @property
    def has_lead(self) -> bool:
        return any(a.role == "lead" for a in self.assignments)


def mapping_key(text: str) -> str:
    """How a mapped phrase is recognised again: its words, whatever the case, accents or spaces."""
    return folded(text).strip(" ,.;:-")


_LEVEL = re.compile(r"cap\s+(tinh|huyen|xa)\b")
FUZZY_RATIO = 0.85


# «Các Bộ: Quốc phòng, Xây dựng, …» names «Bộ Quốc phòng», «Bộ Xây dựng»…; «UBND các xã: A Lưới 3
# và Khe Tre» names «UBND xã A Lưới 3», «UBND xã Khe Tre» (a place's name never holds «và»; a
# ministry's may: «Kế hoạch và Đầu tư»).
_SHARED_HEAD = re.compile(
    r"(?i)\b(?:các\s+)?(Bộ|Sở|(?:UBND|Ủy ban nhân dân)(?:\s+các)?(?:\s+(?P<level>xã|phường|huyện|quận|thị xã|"
    r"thành phố|đặc khu))?)\s*:\s*(?P<items>[^;\n]+)")


def _distributed(text: str) -> str:
    def spread(m: re.Match) -> str:
        head = re.sub(r"(?i)\s+các\b", "", m.group(1))
        head = head[0].upper() + head[1:]
        items = re.split(r",|\s+và\s+" if m.group("level") else ",", m.group("items"))
        return ", ".join(f"{head} {item.strip()}" for item in items if item.strip())
    return _SHARED_HEAD.sub(spread, text)


def resolve_cell(text: str, roster: Roster, mappings: dict[str, tuple[PhraseKind, str]] | None = None) -> list[Phrase]:
    """Read one cell into phrases, in the order they are written.

    mappings: mapping_key(words) -> (kind, code), what an administrator said unknown words mean.
    """
    text = _distributed(nfc(text))
    folded_text = fold(text)
    read: list[tuple[Phrase, int, int, bool]] = []  # each phrase, where it starts and ends, after «các»
    previous_name: str | None = None  # folded name of the last unit or group read
    pos = 0
    while True:
        skip = vocabulary().separators.match(folded_text, pos)
        plural = bool(skip and re.search(r"\bcac\s*$", skip.group(0)))
        if skip:
            pos = skip.end()
        if pos >= len(folded_text):
            return _tidied(read, text)
        phrase, end, previous_name = _read_phrase(text, folded_text, pos, roster, previous_name, mappings or {})
        read.append((phrase, pos, end, plural))
        pos = end


def _tidied(read: list[tuple[Phrase, int, int, bool]], text: str) -> list[Phrase]:
    """The phrases as a person reads them:

    - a name repeated in brackets («Tập đoàn … (Viettel)»), a bare level after a name with one
      («UBND các phường, xã») and words that qualify the name before («… đối với lĩnh vực …»,
      «… thuộc Bộ TN&MT», «… thực hiện») belong to the phrase before;
    - unknown words naming a kind of body, not one body («các ngân hàng trên địa bàn», «các tổ
      chức quốc tế», «… có liên quan») name no one in particular, and related bodies written one
      after another are one phrase.
    """
    words = vocabulary()
    out: list[tuple[Phrase, int, int]] = []
    for phrase, start, end, plural in read:
        key = mapping_key(phrase.text)
        if phrase.kind == PhraseKind.UNKNOWN and (plural or words.related_words.search(key)):
            phrase = Phrase(phrase.text, PhraseKind.RELATED)
        if out:
            before, first, _ = out[-1]
            same = phrase.kind == before.kind and phrase.code == before.code and (
                phrase.code is not None or phrase.kind == PhraseKind.RELATED)
            level = (phrase.kind == PhraseKind.UNKNOWN and before.kind in (PhraseKind.UNIT, PhraseKind.GROUP)
                     and re.sub(r"^cac ", "", key) in words.level_words
                     and any(w in words.level_words for w in mapping_key(before.text).split()))
            qualifier = phrase.kind == PhraseKind.UNKNOWN and bool(words.qualifier_starts.match(key))
            if same or level or qualifier:
                out[-1] = (Phrase(text[first:end].strip(" ,;.:"), before.kind, before.code, before.units, before.note,
                                  before.mapped), first, end)
                continue
        out.append((phrase, start, end))
    return [phrase for phrase, _, _ in out]


def _read_phrase(text, folded_text, pos, roster, previous_name, mappings):
    best = None
    for kind, code, name, pattern in roster._patterns:
        m = pattern.match(folded_text, pos)
        if m and (best is None or m.end() > best[3]):
            best = (kind, code, name, m.end())
    related = vocabulary().related.match(folded_text, pos)
    # «Sở, ban, ngành có liên quan» names no one in particular; «sở, ban, ngành, cơ quan có
    # liên quan» and «bộ, ngành và địa phương liên quan» name the group, then the related bodies.
    named_first = best is not None and bool(re.match(r"\s*[,;]|\s+va\b", folded_text[best[3]:]))
    if related and (best is None or related.end() >= best[3]) and not named_first:
        return Phrase(text[pos : related.end()].strip(), PhraseKind.RELATED), related.end(), previous_name
    if best:
        kind, code, name, end = best
        return _phrase(roster, text[pos:end], kind, code), end, name

    level = _LEVEL.match(folded_text, pos)
    if level and previous_name and _LEVEL.search(previous_name):
        # «UBND cấp huyện, cấp xã»: the bare level repeats the previous phrase.
        name = _LEVEL.sub(lambda _: level.group(0), previous_name)
        if name in roster._by_name:
            kind, code = roster._by_name[name]
            note = f"hiểu là «{roster.display_name(kind, code)}»"
            return _phrase(roster, text[pos : level.end()], kind, code, note), level.end(), name

    end = _unknown_end(folded_text, pos)
    words = text[pos:end].strip(" ,.;:")
    mapped = mappings.get(mapping_key(words))
    if mapped:
        kind, code = mapped
        phrase = _phrase(roster, words, kind, code, "gán theo lựa chọn khi nhập")
        return Phrase(phrase.text, phrase.kind, phrase.code, phrase.units, phrase.note, mapped=True), end, None
    nearest = _nearest_name(folded_text[pos:end], roster)
    if nearest:
        kind, code, name = nearest
        note = f"đọc gần đúng thành «{roster.display_name(kind, code)}»"
        return _phrase(roster, words, kind, code, note), end, name
    return Phrase(words, PhraseKind.UNKNOWN), end, previous_name


def _unknown_end(folded_text: str, pos: int) -> int:
    """Where words no roster name matches end: at a «;» or a line break, or at a comma or «và»
    followed by a word that starts another name, never inside a name such as «Sở Văn hóa,
    Thể thao và Du lịch» or «Liên hiệp các Hội Khoa học và Kỹ thuật»."""
    heads = vocabulary().name_heads
    for m in re.finditer(r"[;\n]|,|\bva\b|\bvoi\b", folded_text[pos:]):
        at = pos + m.start()
        if m.group(0) in (";", "\n"):
            return at
        rest = folded_text[pos + m.end():].lstrip(" ,")
        if heads.match(rest) or vocabulary().related.match(rest):
            return at
    return len(folded_text)


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


def _nearest_name(folded_words: str, roster: Roster):
    """The name closest to these words, if close and unambiguous (typos). The words are the
    whole phrase: a name is never matched against part of it."""
    candidate = _words(folded_words)
    if not candidate:
        return None
    scores: dict[tuple[PhraseKind, str], tuple[float, str]] = {}
    for kind, code, name in roster._entries:
        ratio = difflib.SequenceMatcher(None, candidate, name).ratio()
        if ratio > scores.get((kind, code), (0.0, ""))[0]:
            scores[(kind, code)] = (ratio, name)
    ranked = sorted(((score, key) for key, score in scores.items()), key=lambda item: item[0][0], reverse=True)
    if not ranked or ranked[0][0][0] < FUZZY_RATIO:
        return None
    if len(ranked) > 1 and ranked[1][0][0] > ranked[0][0][0] - 0.05:
        return None  # two names are about as close: ask a person instead
    (_, name), (kind, code) = ranked[0]
    return kind, code, name


def resolve_row(lead_text: str, support_text: str, roster: Roster,
                mappings: dict[str, tuple[PhraseKind, str]] | None = None) -> RowResolution:
    """Read both cells of a row and decide each unit's single role on it."""
    resolution = RowResolution(resolve_cell(lead_text, roster, mappings), resolve_cell(support_text, roster, mappings))
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


def is_generic(text: str) -> bool:
    """Words that name a kind of body, not one body: never remembered as a unit's spelling."""
    return mapping_key(text) in vocabulary().generic or bool(vocabulary().related.fullmatch(mapping_key(text)))
