"""Importing a plan from the file a province sends: its appendix as laid out by whoever
drafted it (.docx, .xlsx, .csv, or .doc and .xls through LibreOffice), or the layout of
export-plan, so that a plan makes the round trip.

Import is two steps: a preview (every row with its cells, the reading of its timeframe,
every lead and support phrase with the units it resolves to, the rows read against the
rows seen) and a commit that loads all or nothing. Words no unit matches may be mapped to
a unit or a group for this import; they are remembered as another spelling of that unit
only when the administrator asks, and words that name a kind of body («các đơn vị») never
are. A plan with rows that name no lead is committed only when the administrator says so.
"""

import re
from dataclasses import dataclass, field

from sqlmodel import Session, select

from ..database import lock_for_write
from ..models import Plan, Unit, UnitGroup
from .plans import LoadReport, PlanMeta, store_plan
from .reading import AppendixError, ParsedAppendix, ParsedTask
from .reading.phrases import PhraseKind, RowResolution, is_generic, mapping_key, resolve_row
from .reading.timeframes import Timeframe, parse_timeframe
from .roster import roster_from_db

_TARGET = re.compile(r"(unit|group):([a-z0-9][a-z0-9-]*)")


@dataclass
class Mapping:
    """Words of a cell, and the unit or group an administrator says they mean."""

    phrase: str
    kind: PhraseKind
    code: str
    remember: bool = False  # keep the words as another spelling of the unit or group


def parse_mapping(entry: str) -> tuple[str, str]:
    """«CỤM TỪ=unit:MÃ» or «CỤM TỪ=group:MÃ» as written on the command line; anything else is
    refused with what was expected."""
    phrase, equals, target = entry.partition("=")
    if not equals or not phrase.strip() or not _TARGET.fullmatch(target.strip()):
        raise AppendixError(f"--map «{entry}» không đúng dạng: hãy viết «CỤM TỪ=unit:MÃ» hoặc «CỤM TỪ=group:MÃ» "
                            "(dấu bằng giữa cụm từ và đơn vị, ví dụ --map \"Sở NN&MT=unit:snnmt\").")
    return phrase.strip(), target.strip()


def mappings_from(session: Session, pairs: dict[str, str], remember: set[str] = frozenset()) -> list[Mapping]:
    """Phrase -> «unit:CODE» / «group:CODE», checked against the roster."""
    found = []
    for phrase, target in pairs.items():
        m = _TARGET.fullmatch(target)
        if not m:
            raise AppendixError(f"«{target}» không phải đơn vị hay nhóm (unit:MÃ hoặc group:MÃ) để gán cho «{phrase}».")
        kind, code = m.groups()
        model = Unit if kind == "unit" else UnitGroup
        if session.exec(select(model.id).where(model.code == code)).first() is None:
            raise AppendixError(f"Không có {'đơn vị' if kind == 'unit' else 'nhóm'} mã «{code}» để gán cho «{phrase}».")
        if phrase in remember and is_generic(phrase):
            raise AppendixError(f"«{phrase}» là từ chung chỉ một loại cơ quan, không ghi nhớ làm tên của "
                                f"«{code}» được: hãy bỏ chọn «ghi nhớ».")
        found.append(Mapping(phrase, PhraseKind.UNIT if kind == "unit" else PhraseKind.GROUP, code, phrase in remember))
    return found


def _resolver_mappings(mappings: list[Mapping]) -> dict[str, tuple[PhraseKind, str]]:
    return {mapping_key(m.phrase): (m.kind, m.code) for m in mappings}


@dataclass
class PreviewRow:
    task: ParsedTask
    resolution: RowResolution
    timeframe: Timeframe


@dataclass
class Preview:
    parsed: ParsedAppendix
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def unresolved(self) -> list[str]:
        """Phrases no unit or group matches, each once, in the order met."""
        return list(dict.fromkeys(p.text for row in self.rows for p in row.resolution.unknown))

    @property
    def without_lead(self) -> list[str]:
        """Refs of the rows that would have no lead unit."""
        return [row.task.ref for row in self.rows if not row.resolution.has_lead]

    @property
    def timeframes_not_read(self) -> list[str]:
        return [row.task.ref for row in self.rows if not row.timeframe.understood]


def preview(session: Session, parsed: ParsedAppendix, mappings: list[Mapping] = ()) -> Preview:
    roster = roster_from_db(session)
    meanings = _resolver_mappings(list(mappings))
    return Preview(parsed, [PreviewRow(t, resolve_row(t.lead, t.support, roster, meanings), parse_timeframe(t.timeframe))
                            for t in parsed.tasks])


def remember_mappings(session: Session, mappings: list[Mapping]) -> None:
    """The mappings the administrator asked to remember become other spellings of their unit or group."""
    for mapping in mappings:
        if not mapping.remember:
            continue
        model = Unit if mapping.kind == PhraseKind.UNIT else UnitGroup
        item = session.exec(select(model).where(model.code == mapping.code)).one()
        aliases = [a for a in item.aliases.splitlines() if a.strip()]
        if mapping.phrase not in aliases:
            item.aliases = "\n".join([*aliases, mapping.phrase])
            session.add(item)
    session.flush()


class LeadMissing(AppendixError):
    """Rows with no lead unit, and the import not told to go on without them: each caller says
    how to confirm (a box on the page, a flag of the command)."""


def commit_import(session: Session, *, meta: PlanMeta, parsed: ParsedAppendix, mappings: list[Mapping] = (),
                  allow_without_lead: bool = False) -> LoadReport:
    """Load the new plan, all or nothing: the caller's transaction is rolled back on any error."""
    lock_for_write(session)
    if session.exec(select(Plan).where((Plan.code == meta.code) | (Plan.number == meta.number))).first():
        raise AppendixError(f"Đã có kế hoạch mã «{meta.code}» hoặc số «{meta.number}».")
    mappings = list(mappings)
    if not allow_without_lead:
        missing = preview(session, parsed, mappings).without_lead
        if missing:
            raise LeadMissing(f"{len(missing)} nhiệm vụ chưa có đơn vị chủ trì ({', '.join(missing[:12])}"
                              f"{'…' if len(missing) > 12 else ''}): hãy gán các cụm từ chưa khớp cho đơn vị, hoặc "
                              "xác nhận vẫn nhập để Sở Nội vụ chỉ định sau.")
    remember_mappings(session, mappings)
    report = LoadReport()
    store_plan(session, meta, parsed, report, _resolver_mappings(mappings))
    return report
