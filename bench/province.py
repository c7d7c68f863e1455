"""A whole synthetic province, the same for the same seed: a plan of N rows in sections, M
units (departments with their offices, central agencies' branches, districts with their
communes), about four assignments a row, and K closed quarters of reporting before the
open one — to measure the app at a province's size rather than plan 1958's.

It is built through the app's own services wherever they exist: the roster and the plan
are stored as an import stores them (every cell read by the resolver, every timeframe and
target read from its text), periods are opened and closed by the period service (so the
frozen figures are the ones closing computes), extensions are asked for and decided, the
open quarter's reports are sent and reviewed and its indicator figures entered one by one.
Only the bulk of the closed quarters' history — each lead's saves and sendings — is
written in one statement a quarter, as the demonstration's history is (services/demo.py).

    .venv/bin/python bench/province.py --database-url URL [--seed 1] [--tasks 1000] [--units 300] [--periods 12]

The database must hold no unit yet; its schema is created or upgraded first. `periods` is
the number of closed quarters; the quarter of `today` is the open one.
"""

import argparse
import hashlib
import math
import random
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from webapp.models import (
    Assignment,
    Direction,
    Extension,
    Indicator,
    IndicatorValue,
    Period,
    PeriodKind,
    PeriodReport,
    PeriodTaskStatus,
    Plan,
    Recurrence,
    Report,
    ReportChange,
    ReportStatus,
    ReviewState,
    Role,
    Section,
    Task,
    Unit,
    UnitKind,
    User,
    UserRole,
)
from webapp.services import clock
from webapp.services.accounts import DEMO_PASSWORD, hash_password
from webapp.services.deadlines import decide_extension, request_extension
from webapp.services.demo import Course, HistoryWriter, Quarter, course_toward, moment, progress
from webapp.services.periods import STATE_LABELS, close_period, open_period, reports_held, review, submit
from webapp.services.plans import LoadReport, PlanMeta, store_plan
from webapp.services.reading.sections import ParsedAppendix, ParsedSection, ParsedTask
from webapp.services.roster import GroupEntry, RosterFile, UnitEntry, apply_roster
from webapp.services.targets import indicator_units, save_value
from webapp.services.text import slug

PLAN_CODE = "tinh-mo-phong"
REVIEWER, LEADER, ADMIN = "snv-ra-soat", "lanh-dao", "quan-tri"

DEPARTMENTS = [
    ("snv", "Sở Nội vụ"), ("vpubnd", "Văn phòng UBND tỉnh"), ("stc", "Sở Tài chính"), ("stp", "Sở Tư pháp"),
    ("sct", "Sở Công Thương"), ("sxd", "Sở Xây dựng"), ("syt", "Sở Y tế"), ("sgddt", "Sở Giáo dục và Đào tạo"),
    ("snnmt", "Sở Nông nghiệp và Môi trường"), ("skhcn", "Sở Khoa học và Công nghệ"),
    ("svhttdl", "Sở Văn hóa Thể thao và Du lịch"), ("sdttg", "Sở Dân tộc và Tôn giáo"), ("sngv", "Sở Ngoại vụ"),
    ("ttt", "Thanh tra tỉnh"), ("bqlkcn", "Ban Quản lý các khu công nghiệp"), ("skhdt", "Sở Kế hoạch và Đầu tư"),
    ("sgtvt", "Sở Giao thông vận tải"), ("stnmt", "Sở Tài nguyên và Môi trường"),
    ("sldtbxh", "Sở Lao động Thương binh và Xã hội"), ("stttt", "Sở Thông tin và Truyền thông"),
    ("bdt", "Ban Dân tộc"), ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
]
OFFICES = [
    ("ttpvhcc", "Trung tâm Phục vụ hành chính công tỉnh"), ("ttltls", "Trung tâm Lưu trữ lịch sử tỉnh"),
    ("cckl", "Chi cục Kiểm lâm"), ("cctl", "Chi cục Thủy lợi"), ("ttksbt", "Trung tâm Kiểm soát bệnh tật tỉnh"),
    ("tttgpl", "Trung tâm Trợ giúp pháp lý nhà nước"), ("ttxtdt", "Trung tâm Xúc tiến đầu tư"),
    ("ccqldd", "Chi cục Quản lý đất đai"), ("ttdvvl", "Trung tâm Dịch vụ việc làm"),
    ("ttgdyk", "Trung tâm Giám định y khoa"), ("cccntty", "Chi cục Chăn nuôi và Thú y"),
    ("ttkn", "Trung tâm Khuyến nông"), ("ttcntt", "Trung tâm Công nghệ thông tin tỉnh"),
]
CENTRAL = [
    ("cat", "Công an tỉnh"), ("bhxh", "Bảo hiểm xã hội tỉnh"), ("thue", "Thuế tỉnh"),
    ("kbnn", "Kho bạc Nhà nước khu vực"), ("nhnn", "Ngân hàng Nhà nước chi nhánh tỉnh"), ("hq", "Hải quan tỉnh"),
    ("tk", "Thống kê tỉnh"),
]
OTHERS = [
    (UnitKind.ORGANIZATION, "mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"), (UnitKind.PRESS, "baotinh", "Báo tỉnh"),
    (UnitKind.ENTERPRISE, "buudien", "Bưu điện tỉnh"), (UnitKind.ORGANIZATION, "tinhdoan", "Tỉnh đoàn"),
    (UnitKind.PRESS, "ptth", "Đài Phát thanh và Truyền hình tỉnh"),
]
PLACE_FIRST = ["An", "Bình", "Đông", "Hòa", "Hưng", "Minh", "Nam", "Phú", "Quang", "Tân", "Thanh", "Thái", "Trung",
               "Vĩnh", "Xuân", "Đại", "Hồng", "Kiến", "Long", "Phúc", "Sơn", "Quỳnh"]
PLACE_SECOND = ["Bình", "Hòa", "Lạc", "Lợi", "Minh", "Phong", "Sơn", "Thành", "Thịnh", "Thủy", "Tiến", "Trung",
                "Xuyên", "Yên", "Đức", "Hải", "Hiệp", "Lâm", "Nghĩa", "Phước", "Giang", "Mỹ"]
COMMUNE_KINDS = [("xã", 16), ("phường", 3), ("thị trấn", 1)]
# How often a unit of each kind leads or supports a row (Sở Nội vụ, the plan's focal unit, most).
LEAD_WEIGHT = {UnitKind.DEPARTMENT: 10, UnitKind.OFFICE: 4, UnitKind.CENTRAL: 3, UnitKind.ORGANIZATION: 2,
               UnitKind.PRESS: 2, UnitKind.ENTERPRISE: 2, UnitKind.DISTRICT: 6, UnitKind.COMMUNE: 1,
               UnitKind.PROVINCE: 0}
SUPPORT_WEIGHT = {**LEAD_WEIGHT, UnitKind.DEPARTMENT: 6, UnitKind.DISTRICT: 3, UnitKind.PROVINCE: 1}
FOCAL_WEIGHT = 30

AREAS = ["Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy", "Cải cách chế độ công vụ",
         "Cải cách tài chính công", "Xây dựng chính quyền điện tử", "Chuyển đổi số", "Nâng cao chất lượng dịch vụ công",
         "Thanh tra, kiểm tra", "Thông tin, tuyên truyền", "Đào tạo, bồi dưỡng", "Hợp tác, liên kết"]
VERBS = ["Rà soát, đánh giá", "Xây dựng và triển khai", "Tổ chức thực hiện", "Kiểm tra, giám sát việc thực hiện",
         "Nâng cấp, hoàn thiện", "Số hóa", "Tuyên truyền, phổ biến", "Tổng kết, đánh giá", "Chuẩn hóa",
         "Cập nhật, công khai"]
OBJECTS = ["quy trình nội bộ giải quyết thủ tục hành chính", "hệ thống thông tin báo cáo", "cơ sở dữ liệu chuyên ngành",
           "văn bản quy phạm pháp luật do tỉnh ban hành", "quy chế phối hợp liên thông", "bộ thủ tục hành chính",
           "danh mục dịch vụ công trực tuyến", "đề án vị trí việc làm", "kho dữ liệu dùng chung",
           "quy định về phân cấp, ủy quyền"]
FIELDS = ["lĩnh vực đất đai", "lĩnh vực xây dựng", "lĩnh vực đầu tư", "lĩnh vực y tế", "lĩnh vực giáo dục",
          "lĩnh vực tư pháp", "lĩnh vực lao động", "lĩnh vực nông nghiệp", "lĩnh vực tài chính", "lĩnh vực văn hóa",
          "lĩnh vực giao thông", "lĩnh vực công thương"]
PRODUCTS = ["Kế hoạch của UBND tỉnh", "Báo cáo kết quả", "Quyết định của UBND tỉnh", "Văn bản hướng dẫn",
            "Hệ thống được đưa vào vận hành", "Quy chế phối hợp", "Tài liệu tuyên truyền", "Hội nghị tổng kết"]
RESULTS = [
    (1, "Đã xây dựng kế hoạch triển khai, phân công công chức đầu mối theo dõi."),
    (30, "Đã tổ chức triển khai; đang thực hiện các nội dung của nhiệm vụ ({percent}%)."),
    (60, "Đã hoàn thành phần lớn khối lượng ({percent}%); đang tổng hợp, hoàn thiện hồ sơ."),
    (100, "Đã hoàn thành: {product}."),
]
DIFFICULTIES = ["Kinh phí chưa được bố trí.", "Chưa có hướng dẫn của bộ, ngành Trung ương.",
                "Nhân lực còn thiếu, phần lớn kiêm nhiệm."]
PROPOSALS = ["Đề nghị Sở Tài chính bố trí kinh phí.", "Đề nghị UBND tỉnh cho phép điều chỉnh tiến độ."]
RETURN_COMMENTS = ["Đề nghị bổ sung số liệu cụ thể và số, ngày văn bản làm căn cứ.",
                   "Kết quả chưa khớp với tỷ lệ hoàn thành; đề nghị làm rõ."]
SUPPORT_NOTE = "Đã cử công chức phối hợp, cung cấp số liệu thuộc lĩnh vực quản lý cho đơn vị chủ trì."


class ProvinceError(ValueError):
    pass


@dataclass
class Province:
    """What was built."""

    plan_id: int
    units: int
    tasks: int
    assignments: int
    closed: int
    open_label: str
    counts: dict[str, int] = field(default_factory=dict)


def build_province(session: Session, *, seed: int = 1, tasks: int = 1000, units: int = 300, periods: int = 12,
                   today: date | None = None) -> Province:
    """Build the province in an empty database (schema in place), committing as it goes."""
    if tasks < 1 or periods < 1:
        raise ProvinceError("a province needs at least one row and one closed quarter")
    if session.exec(select(Unit.id)).first() is not None:
        raise ProvinceError("the database already holds units: build the province in an empty one")
    today = today or clock.today()
    rng = random.Random(seed)
    quarters = _quarters(today, periods)
    roster = _roster(rng, units)
    apply_roster(session, roster, LoadReport())
    by_code = {u.code: u for u in session.exec(select(Unit))}
    _accounts(session, by_code)
    plan = _plan(session, rng, roster, quarters, tasks)
    # Objects stay loaded across commits: reading each report back would take most of the time.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        history = _History(session, rng, plan, quarters, today)
        history.play()
    finally:
        session.expire_on_commit = expire_on_commit
    assignments = session.exec(select(func.count()).select_from(Assignment)).one()
    return Province(plan.id, len(by_code), tasks, assignments, len(quarters) - 1, quarters[-1].label,
                    fingerprint(session)["counts"])


# --- units and accounts ---------------------------------------------------------------------------


def _roster(rng: random.Random, count: int) -> RosterFile:
    """The province, its departments and their offices, central agencies, a few other bodies, the
    districts and, for the rest, communes under them."""
    if count < 8:
        raise ProvinceError("a province needs at least 8 units")
    departments = DEPARTMENTS[:min(len(DEPARTMENTS), max(2, count // 14))]
    offices = OFFICES[:min(len(OFFICES), max(1, count // 30))]
    central = CENTRAL[:min(len(CENTRAL), max(1, count // 60))]
    others = OTHERS[:min(len(OTHERS), count // 100)]
    districts = max(2, count // 30)
    communes = count - 1 - len(departments) - len(offices) - len(central) - len(others) - districts
    roster = RosterFile(units=[UnitEntry("ubnd-tinh", "UBND tỉnh", UnitKind.PROVINCE)])
    roster.units += [UnitEntry(code, name, UnitKind.DEPARTMENT) for code, name in departments]
    roster.units += [UnitEntry(code, name, UnitKind.OFFICE, departments[i % len(departments)][0])
                     for i, (code, name) in enumerate(offices)]
    roster.units += [UnitEntry(code, name, UnitKind.CENTRAL) for code, name in central]
    roster.units += [UnitEntry(code, name, kind) for kind, code, name in others]
    places = _places(rng, districts + communes)
    district_codes = []
    for i, place in enumerate(places[:districts]):
        level = "thành phố" if i == 0 else "huyện"
        code = slug(f"{level} {place}")
        district_codes.append(code)
        roster.units.append(UnitEntry(code, f"UBND {level} {place}", UnitKind.DISTRICT))
    levels = [level for level, weight in COMMUNE_KINDS for _ in range(weight)]
    for i, place in enumerate(places[districts:]):
        level = rng.choice(levels)
        roster.units.append(UnitEntry(slug(f"{level} {place}")[:40], f"UBND {level} {place}", UnitKind.COMMUNE,
                                      district_codes[i % districts]))
    roster.groups = [
        GroupEntry("so-ban-nganh", "Sở, ban, ngành", member_kinds=[UnitKind.DEPARTMENT]),
        GroupEntry("ubnd-cap-huyen", "UBND cấp huyện", ["UBND các huyện, thành phố"], [UnitKind.DISTRICT]),
        GroupEntry("ubnd-cap-xa", "UBND cấp xã", ["UBND các xã, phường, thị trấn"], [UnitKind.COMMUNE]),
    ]
    return roster


def _places(rng: random.Random, count: int) -> list[str]:
    """Place names, each different from the others once diacritics are folded (codes and the
    resolver read names folded)."""
    names = [f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND if slug(a) != slug(b)]
    rng.shuffle(names)
    found, seen = [], set()
    round_ = 1
    while len(found) < count:
        for name in names:
            name = name if round_ == 1 else f"{name} {round_}"
            if slug(name) not in seen:
                seen.add(slug(name))
                found.append(name)
                if len(found) == count:
                    break
        round_ += 1
    return found


def _accounts(session: Session, units: dict[str, Unit]) -> None:
    """One account a unit (its code), the reviewer, a leader and an administrator, all with the
    demonstration's password, hashed once (scrypt is slow on purpose)."""
    password_hash = hash_password(DEMO_PASSWORD)
    now = clock.now()
    rows = [(unit.code, UserRole.UNIT, unit.id, f"Đầu mối {unit.name}") for unit in units.values()]
    rows += [(REVIEWER, UserRole.REVIEWER, units["snv"].id, "Chuyên viên rà soát, Sở Nội vụ"),
             (LEADER, UserRole.LEADER, None, "Lãnh đạo UBND tỉnh"), (ADMIN, UserRole.ADMIN, None, "Quản trị hệ thống")]
    session.execute(insert(User), [
        dict(username=username, full_name=name, role=role, unit_id=unit_id, email="", active=True,
             must_change_password=False, plan_id=None, password_hash=password_hash,
             session_token=secrets.token_urlsafe(16), created_at=now)
        for username, role, unit_id, name in rows])
    session.commit()


# --- the plan -------------------------------------------------------------------------------------


def _quarters(today: date, closed: int) -> list[Quarter]:
    """The closed quarters, then the quarter of today (the open one)."""
    current = Quarter(today.year, (today.month - 1) // 3 + 1)
    first = current
    for _ in range(closed):
        first = Quarter(first.year - (first.number == 1), (first.number - 2) % 4 + 1)
    found = [first]
    while found[-1] != current:
        found.append(found[-1].next())
    return found


def _plan(session: Session, rng: random.Random, roster: RosterFile, quarters: list[Quarter], count: int) -> Plan:
    """The appendix of `count` rows in sections, stored as an import stores it."""
    leads = _weighted(roster, LEAD_WEIGHT)
    supports = _weighted(roster, SUPPORT_WEIGHT)
    leaves = max(1, round(count / 25))  # about 25 rows a section, at most 26 parts (A–Z)
    parts = min(26, math.ceil(leaves / 8))
    per_part = math.ceil(leaves / parts)
    parsed = ParsedAppendix()
    position = 0
    leaf_codes: list[str] = []
    for p in range(parts):
        part = chr(ord("A") + p)
        position += 1
        parsed.sections.append(ParsedSection(part, part, f"NHÓM NHIỆM VỤ {part}", None, position))
        for i in range(min(per_part, leaves - len(leaf_codes))):
            position += 1
            parsed.sections.append(ParsedSection(f"{part}.{_roman(i + 1)}", _roman(i + 1),
                                                 AREAS[len(leaf_codes) % len(AREAS)].upper(), part, position))
            leaf_codes.append(f"{part}.{_roman(i + 1)}")
    future = list(quarters)
    for _ in range(4):
        future.append(future[-1].next())
    numbers: Counter = Counter()
    for n in range(count):
        section = leaf_codes[n * len(leaf_codes) // count]
        numbers[section] += 1
        number = numbers[section]
        lead_names = _pick(rng, leads, rng.choices([1, 2, 3], [60, 28, 12])[0], ())
        support_names = _pick(rng, supports, rng.choice([0, 1, 1, 2, 2, 3, 3, 4]), lead_names)
        draw = rng.random()
        if draw < 0.02:
            support_names.append("UBND cấp huyện")
        elif draw < 0.03:
            support_names.append("Sở, ban, ngành")
        elif draw < 0.08:
            support_names.append("các cơ quan có liên quan")
        position += 1
        parsed.tasks.append(ParsedTask(
            ref=f"{section}.{number}", section=section, stt=str(number), content=_content(rng),
            lead=", ".join(lead_names), support=", ".join(support_names), timeframe=_timeframe(rng, future),
            product=rng.choice(PRODUCTS), position=position))
    meta = PlanMeta(code=PLAN_CODE, number=f"{len(quarters) * 10 + 1}/KH-UBND",
                    title="Kế hoạch cải cách hành chính của tỉnh (mô phỏng)", issuer="UBND tỉnh",
                    issued_on=quarters[0].starts_on + timedelta(days=9), focal_unit="snv")
    report = LoadReport()
    plan = store_plan(session, meta, parsed, report)
    unread = [note for note in report.notes if "không khớp" in note or "gần đúng" in note]
    if unread:
        raise ProvinceError("cells the resolver could not read: " + "; ".join(unread[:5]))
    session.commit()
    return plan


def _roman(number: int) -> str:
    text = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            text, number = text + letters, number - value
    return text


def _weighted(roster: RosterFile, weights: dict) -> tuple[list[str], list[int]]:
    names = [u.name for u in roster.units]
    return names, [FOCAL_WEIGHT if u.code == "snv" else weights[u.kind] for u in roster.units]


def _pick(rng: random.Random, weighted, count: int, taken) -> list[str]:
    names, weights = weighted
    chosen: list[str] = []
    while len(chosen) < count and len(chosen) + len(taken) < sum(1 for w in weights if w):
        name = rng.choices(names, weights)[0]
        if name not in chosen and name not in taken:
            chosen.append(name)
    return chosen


def _content(rng: random.Random) -> str:
    draw = rng.random()
    field_ = rng.choice(FIELDS)
    if draw < 0.04:
        return f"Tỷ lệ hồ sơ thủ tục hành chính {field_} giải quyết trước và đúng hạn đạt tối thiểu {rng.randint(90, 99)}%"
    if draw < 0.06:
        return f"Thời gian chờ đợi tại Bộ phận Một cửa {field_} tối đa {rng.choice([15, 20, 30])} phút"
    if draw < 0.09:
        level = rng.choice(["cấp tỉnh", "cấp huyện", "cấp xã"])
        return f"Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính {field_} đạt {rng.randint(5, 9) * 10}% {level}"
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {field_}"


def _timeframe(rng: random.Random, quarters: list[Quarter]) -> str:
    quarter = rng.choice(quarters)
    draw = rng.random()
    if draw < 0.40:
        return f"Quý {_roman(quarter.number)}/{quarter.year}"
    if draw < 0.60:
        return f"Tháng {quarter.starts_on.month + rng.randint(0, 2)}/{quarter.year}"
    if draw < 0.70:
        return f"{rng.randint(1, 28):02d}/{quarter.starts_on.month + rng.randint(0, 2):02d}/{quarter.year}"
    if draw < 0.77:
        return f"Năm {quarter.year}"
    if draw < 0.86:
        return "Thường xuyên"
    if draw < 0.92:
        return "Hằng năm"
    if draw < 0.95:
        return "Định kỳ hằng quý"
    return "Theo hướng dẫn của bộ, ngành Trung ương"


# --- the history ----------------------------------------------------------------------------------


class _History(HistoryWriter):
    """The quarters played one after another, as the demonstration's history plays plan 1958's."""

    def __init__(self, session: Session, rng: random.Random, plan: Plan, quarters: list[Quarter], today: date):
        super().__init__(session, {u.username: u for u in session.exec(select(User).order_by(User.id))})
        self.rng, self.plan, self.quarters, self.today = rng, plan, quarters, today
        pairs = session.exec(select(Task, Unit, Assignment.role).join(Assignment, Assignment.task_id == Task.id)
                             .join(Unit, Assignment.unit_id == Unit.id).where(Task.plan_id == plan.id)
                             .order_by(Task.position, Assignment.id)).all()
        self.leads = [(task, unit) for task, unit, role in pairs if role == Role.LEAD]
        self.supports = [(task, unit) for task, unit, role in pairs if role == Role.SUPPORT]
        self.courses = {(task.id, unit.id): self._course(task) for task, unit in self.leads}
        self.diligence = {unit.id: rng.uniform(0.7, 0.98) for _, unit in self.leads}
        indicators = session.exec(select(Indicator).join(Task).where(Task.plan_id == plan.id).order_by(Indicator.id))
        self.indicators = [(indicator, indicator_units(session, indicator)) for indicator in indicators]
        self.extensions = self._pick_extensions(max(2, len(self.leads) // 200))

    def _index(self, day: date | None) -> int | None:
        """The quarter a day falls in, counted on past the open one for days after it."""
        if day is None:
            return None
        return next((i for i, q in enumerate(self.quarters) if q.holds(day)),
                    len(self.quarters) + (day - self.quarters[-1].ends_on).days // 91 if day > self.today else 0)

    def _course(self, task: Task) -> Course:
        rng, due = self.rng, self._index(task.due_on)
        if task.awaits_guidance:
            return Course(start=rng.randint(len(self.quarters) // 2, len(self.quarters)), finish=None,
                          plateau=rng.choice([0, 0, 20, 35]))
        if due is None:  # recurring or continuous: reported on from the start
            return Course(start=rng.randint(0, 1), finish=None, plateau=rng.choice([50, 60, 70]))
        return course_toward(rng, due, late_by=3)

    def _pick_extensions(self, count: int) -> list[tuple[Task, Unit, int]]:
        """Rows due in a closed quarter whose lead finishes late: asked in time for three more
        months (those a quarter late first, whom the extension brings on time)."""
        found = []
        for task, unit in self.leads:
            due = self._index(task.due_on)
            course = self.courses[(task.id, unit.id)]
            if (task.recurrence == Recurrence.NONE and not task.awaits_guidance and due is not None
                    and due < len(self.quarters) - 1 and (course.finish is None or course.finish > due)):
                found.append((course.finish != due + 1, len(found), (task, unit, due)))
        found.sort(key=lambda item: item[:2])
        pool = found[:max(count, sum(1 for late, _, _ in found if not late))]
        picked = sorted(self.rng.sample(pool, min(count, len(pool))), key=lambda item: item[1])
        return [pick for _, _, pick in picked]

    def play(self) -> None:
        for index in range(len(self.quarters)):
            self.quarter(index)

    def percent(self, course: Course, index: int, task: Task) -> int:
        quarter = self.quarters[index]
        if index < course.start:
            return 0
        if task.recurrence == Recurrence.YEARLY:
            return 100 if quarter.number == 4 else 25 * quarter.number
        if task.recurrence != Recurrence.NONE:
            return course.plateau
        return progress(course, index)

    def values(self, task: Task, course: Course, index: int, percent: int, day: date) -> dict:
        if percent == 100:
            status = ReportStatus.DONE
        elif percent == 0:
            status = ReportStatus.NOT_STARTED
        elif course.blocked_from is not None and index >= course.blocked_from:
            status = ReportStatus.BLOCKED
        else:
            status = ReportStatus.IN_PROGRESS
        if percent:
            text = next(t for floor, t in reversed(RESULTS) if percent >= floor)
            result = text.format(percent=percent, product=task.product.lower())
        else:
            result = "Chưa triển khai trong kỳ; đơn vị đang chuẩn bị kế hoạch thực hiện."
        values = {"status": status, "percent": percent, "result": result}
        if status == ReportStatus.BLOCKED:
            values["difficulties"] = DIFFICULTIES[index % len(DIFFICULTIES)]
            values["proposals"] = PROPOSALS[index % len(PROPOSALS)]
        if status == ReportStatus.DONE:
            values["evidence_number"] = f"{self.rng.randint(12, 480)}/BC-{task.ref}"
            values["evidence_date"] = day
        return values

    def quarter(self, index: int) -> None:
        quarter, session, rng = self.quarters[index], self.session, self.rng
        is_open = index == len(self.quarters) - 1
        with clock.pinned(moment(quarter.starts_on)):
            period = open_period(session, plan=self.plan, kind=PeriodKind.QUARTER, label=quarter.label,
                                 starts_on=quarter.starts_on, ends_on=quarter.ends_on, deadline=quarter.deadline,
                                 user=self.reviewer, today=quarter.starts_on)
        self.finished = reports_held(session, period)
        written = min(self.today, quarter.ends_on - timedelta(days=12)) if is_open else \
            quarter.ends_on - timedelta(days=12)
        saves = []
        for task, unit in self.leads:
            if (task.id, unit.id) in self.finished:
                continue
            course = self.courses[(task.id, unit.id)]
            day = max(quarter.starts_on, written - timedelta(days=rng.randint(0, 20)))
            percent = self.percent(course, index, task)
            saves.append((task, unit, self.values(task, course, index, percent, day), moment(day, 9 + rng.randint(0, 7))))
        if index % 3 == 1:
            saves += [(task, unit, {"contribution_note": SUPPORT_NOTE}, moment(written - timedelta(days=3)))
                      for task, unit in self.supports[index % 5::7]]
        self.ensure_reports([(task, unit) for task, unit, _, _ in saves])
        with session.no_autoflush:
            for task, unit, values, at in saves:
                self.write(task, unit, values, at)
        self.write_out()
        for task, unit, due in self.extensions:
            if due == index:
                self.extension(task, unit, approve=(task, unit, due) != self.extensions[0])
        if is_open:
            self.open_quarter(period)
            return
        self.send_and_review(period)
        self.write_out(self.indicator_figures(period, index))
        closing = quarter.deadline + timedelta(days=6)
        with clock.pinned(moment(closing, 16)):
            close_period(session, period=period, user=self.reviewer, today=closing)

    def send_and_review(self, period: Period) -> None:
        """A closed quarter: most units send by the deadline, some late, some never; the reviewer
        accepts most and returns a few, sent again and accepted."""
        rng = self.rng
        for task, unit in self.leads:
            report = self.reports[(task.id, unit.id)]
            if (task.id, unit.id) in self.finished or rng.random() > self.diligence[unit.id]:
                continue
            late = rng.random() < 0.1
            sent_on = period.deadline + timedelta(days=rng.randint(1, 6)) if late else \
                period.deadline - timedelta(days=rng.randint(0, 9))
            user, sent_at = self.users[unit.code], moment(sent_on, 8 + rng.randint(0, 8))
            copy = self.send(report, period, user, sent_at)
            reviewed_at = moment(sent_on + timedelta(days=rng.randint(1, 4)), 14)
            if rng.random() < 0.04:
                comment = RETURN_COMMENTS[len(self.copies) % len(RETURN_COMMENTS)]
                self.review(copy, report, reviewed_at, period, accept=False, comment=comment)
                resent_at = reviewed_at + timedelta(days=rng.randint(1, 3))
                copy.update(state=ReviewState.SUBMITTED, submitted_at=resent_at, reviewed_by_id=None, reviewed_at=None,
                            review_comment="")
                self.step(report, user, resent_at, period, "submission", STATE_LABELS[ReviewState.RETURNED],
                          f"Gửi báo cáo kỳ {period.label}")
                reviewed_at = resent_at + timedelta(days=2)
            self.review(copy, report, reviewed_at, period, accept=True, comment="")

    def open_quarter(self, period: Period) -> None:
        """The quarter of today, through the services: about half the leads have sent, most of what
        was sent is reviewed (a few returned), a couple changed after acceptance; figures entered
        by most units; one extension waits for the reviewer."""
        rng, session, today = self.rng, self.session, self.today
        sends = []
        for task, unit in self.leads:
            report = self.reports[(task.id, unit.id)]
            if report.version == 0 or (task.id, unit.id) in self.finished or rng.random() > self.diligence[unit.id] \
                    or rng.random() < 0.45:
                continue
            sent_on = max(period.starts_on, today - timedelta(days=rng.randint(0, 25)))
            sends.append((moment(sent_on, 8 + rng.randint(0, 8)), len(sends), task, unit))
        verdicts: dict[tuple, list] = {}
        in_order = sorted(sends, key=lambda s: (s[0], s[1]))
        for sent_at, _, task, unit in in_order:
            with clock.pinned(sent_at):
                copy = submit(session, period=period, task=task, unit=unit, user=self.users[unit.code])
            reviewed_on = sent_at.astimezone(clock.LOCAL_TZ).date() + timedelta(days=rng.randint(1, 4))
            if reviewed_on <= today and (task, unit) != in_order[-1][2:]:  # the last one sent always waits
                accept = rng.random() >= 0.05
                verdicts.setdefault((reviewed_on, accept), []).append(copy)
        for (reviewed_on, accept), copies in sorted(verdicts.items(), key=lambda v: (v[0][0], v[0][1])):
            with clock.pinned(moment(reviewed_on, 14)):
                review(session, copies=copies, user=self.reviewer, accept=accept,
                       comment="" if accept else RETURN_COMMENTS[0])
        accepted = [c for (_, accept), copies in sorted(verdicts.items(), key=lambda v: (v[0][0], v[0][1]))
                    if accept for c in copies if c.percent < 90][:2]
        for copy in accepted:  # the unit moved on after its report was accepted: to send again
            task, unit = session.get(Task, copy.task_id), session.get(Unit, copy.unit_id)
            self.write(task, unit, {"percent": copy.percent + 5}, moment(today, 10))
        self.write_out()
        with clock.pinned(moment(today, 11)):
            for number, (indicator, units) in enumerate(self.indicators):
                for unit in units:
                    if rng.random() < 0.6:
                        save_value(session, indicator=indicator, unit=unit, period=period, user=self.users[unit.code],
                                   value=self.figure(indicator, unit, len(self.quarters) - 1),
                                   source=f"Hệ thống thông tin giải quyết TTHC tỉnh, số liệu {period.label}")
        waiting = next(((t, u) for t, u in self.leads if t.recurrence == Recurrence.NONE and not t.awaits_guidance
                        and t.due_on and t.due_on > today + timedelta(days=30)), None)
        if waiting:
            task, unit = waiting
            with clock.pinned(moment(today, 15)):
                request_extension(session, task=task, unit=unit, user=self.users[unit.code],
                                  new_due_on=task.due_on + timedelta(days=60), today=today,
                                  reason="Chờ Bộ hoàn thiện phần mềm dùng chung để kết nối.")

    def extension(self, task: Task, unit: Unit, *, approve: bool) -> None:
        asked_on = task.due_on - timedelta(days=20)
        with clock.pinned(moment(asked_on)):
            extension = request_extension(self.session, task=task, unit=unit, user=self.users[unit.code],
                                          new_due_on=task.due_on + timedelta(days=90), today=asked_on,
                                          reason="Chờ hướng dẫn của bộ, ngành Trung ương về quy trình liên thông.")
        with clock.pinned(moment(asked_on + timedelta(days=3), 15)):
            decide_extension(self.session, extension=extension, user=self.reviewer, approve=approve,
                             comment="Đồng ý gia hạn 3 tháng." if approve else "Đề nghị hoàn thành đúng hạn.")

    def figure(self, indicator: Indicator, unit: Unit, index: int) -> float:
        """Nearing the target as the quarters go; some units fall short."""
        share = min(1.0, (index + 1) / max(len(self.quarters) - 2, 1)) * (0.9 + 0.25 * (unit.id % 5) / 4)
        if indicator.direction == Direction.AT_MOST:
            return round(indicator.target_value * (2.2 - 1.2 * share), 1)
        value = round(indicator.target_value * share, 1)
        return min(value, 100.0) if indicator.unit_of_measure.strip() == "%" else value

    def indicator_figures(self, period: Period, index: int) -> list[dict]:
        return [dict(indicator_id=indicator.id, unit_id=unit.id, period_id=period.id,
                     value=self.figure(indicator, unit, index),
                     source=f"Hệ thống thông tin giải quyết TTHC tỉnh, số liệu {period.label}",
                     explanation_request="", explanation="", updated_by_id=self.users[unit.code].id,
                     updated_at=moment(period.deadline - timedelta(days=2)))
                for indicator, units in self.indicators for unit in units]


# --- what was built, in a few numbers and one digest ---------------------------------------------

COUNTED = (Unit, User, Section, Task, Assignment, Indicator, Report, ReportChange, Period, PeriodReport,
           PeriodTaskStatus, IndicatorValue, Extension)


def fingerprint(session: Session) -> dict:
    """Row counts and a digest of the rows that say what happened (refs, units, statuses, figures,
    frozen states), without ids or wall-clock times: the same seed gives the same on any engine."""
    counts = {model.__tablename__: session.exec(select(func.count()).select_from(model)).one() for model in COUNTED}
    code = {u.id: u.code for u in session.exec(select(Unit))}
    ref = {t.id: t.ref for t in session.exec(select(Task))}
    label = {p.id: p.label for p in session.exec(select(Period))}
    indicator = {i.id: (ref[i.task_id], i.position) for i in session.exec(select(Indicator))}
    rows = [
        sorted((u.code, u.name, u.kind.value, code.get(u.parent_id, "")) for u in session.exec(select(Unit))),
        sorted((t.ref, t.content, t.lead_text, t.support_text, str(t.due_on), t.recurrence.value)
               for t in session.exec(select(Task))),
        sorted((ref[a.task_id], code[a.unit_id], a.role.value) for a in session.exec(select(Assignment))),
        sorted((ref[r.task_id], code[r.unit_id], r.status.value, r.percent, r.version) for r in session.exec(select(Report))),
        sorted((label[c.period_id], ref[c.task_id], code[c.unit_id], c.state.value, c.frozen_status, c.percent)
               for c in session.exec(select(PeriodReport))),
        sorted((label[s.period_id], ref[s.task_id], s.status, s.leads, s.reported)
               for s in session.exec(select(PeriodTaskStatus))),
        sorted((label[v.period_id], *indicator[v.indicator_id], code[v.unit_id], v.value)
               for v in session.exec(select(IndicatorValue))),
        sorted((ref[e.task_id], code[e.unit_id], e.state.value, str(e.new_due_on)) for e in session.exec(select(Extension))),
    ]
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return {"counts": counts, "digest": digest}


def main() -> int:
    from webapp.database import make_engine, writer
    from webapp.schema import upgrade

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--periods", type=int, default=12, help="closed quarters before the open one")
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    upgrade(engine)
    with Session(writer(engine)) as session:
        try:
            province = build_province(session, seed=args.seed, tasks=args.tasks, units=args.units,
                                      periods=args.periods)
        except ProvinceError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    engine.dispose()
    elapsed = time.perf_counter() - started
    print(f"province (seed {args.seed}): {province.units} units, {province.tasks} rows, {province.assignments} "
          f"assignments, {province.closed} closed quarters, {province.open_label} open; built in {elapsed:.1f} s")
    print(", ".join(f"{name} {count}" for name, count in province.counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
