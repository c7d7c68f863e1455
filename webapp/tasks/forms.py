"""The report forms: a lead unit's (every field) and a supporting unit's (its note)."""

import re
from datetime import date

from werkzeug.exceptions import BadRequest
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..forms import ChoiceField, DateField, Form, options, read_date_vn
from ..models import ReportStatus
from ..services.reports import FIELD_LABELS, LEAD_NOTE_LABEL, STATUS_LABELS
from ..services.rows import Filters
from ..services.text import by_vietnamese_name

LONG_TEXT = 5000


def _long(field: str, rows: int = 3) -> TextAreaField:
    return TextAreaField(
        FIELD_LABELS[field],
        validators=[Length(max=LONG_TEXT, message=f"Tối đa {LONG_TEXT} ký tự.")],
        render_kw={"rows": rows},
    )



class _ReportForm(Form):
    version = HiddenField()
    view = HiddenField()

    def validate_version(self, field):
        if not re.fullmatch(r"\d+", field.data or ""):
            raise ValidationError("Biểu mẫu thiếu phiên bản của báo cáo: hãy tải lại trang.")

    @property
    def expected_version(self) -> int:
        return int(self.version.data)


class LeadReportForm(_ReportForm):
    status = ChoiceField(
        FIELD_LABELS["status"],
        choices=options((s.value, label) for s, label in STATUS_LABELS.items()),
        validators=[InputRequired(message="Hãy chọn tình trạng.")],
    )
    percent = StringField(FIELD_LABELS["percent"], render_kw={"inputmode": "numeric", "maxlength": 3})
    result = _long("result", 4)
    evidence_number = StringField(
        FIELD_LABELS["evidence_number"],
        validators=[Length(max=100, message="Tối đa 100 ký tự.")],
        render_kw={"placeholder": "VD: 125/BC-SNV"},
    )
    evidence_date = StringField(
        FIELD_LABELS["evidence_date"], render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "maxlength": 10}
    )
    difficulties = _long("difficulties")
    proposals = _long("proposals")
    contribution_note = _long("contribution_note")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # A lead's own note; «Ý kiến, kết quả phối hợp» is what a supporter writes.
        self.contribution_note.label.text = LEAD_NOTE_LABEL

    def validate_percent(self, field):
        text = (field.data or "").strip().rstrip("%").strip()
        if not text:
            field.data = ""  # validate() decides: nothing done yet, or a figure forgotten
            return
        if not re.fullmatch(r"[0-9]{1,3}", text) or not 0 <= int(text) <= 100:
            raise ValidationError("Tỷ lệ hoàn thành là một số nguyên từ 0 đến 100.")
        field.data = str(int(text))

    def validate_evidence_date(self, field):
        if not (field.data or "").strip():
            return
        if read_date_vn(field.data) > self.today:
            raise ValidationError("Ngày văn bản không thể sau hôm nay.")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        status = ReportStatus(self.status.data)
        problems = {}
        if status == ReportStatus.DONE:
            self.percent.data = "100"  # choosing «Hoàn thành» says the work is whole
        elif not self.percent.data and status == ReportStatus.NOT_STARTED:
            self.percent.data = "0"
        elif not self.percent.data:  # a cleared box would silently set the work back to 0%
            problems[self.percent] = "Hãy nhập tỷ lệ hoàn thành, từ 0 đến 100."
        percent = int(self.percent.data or 0)
        if status == ReportStatus.DONE and not self.result.data.strip():
            problems[self.result] = "Hãy ghi kết quả thực hiện khi báo cáo hoàn thành."
        if status == ReportStatus.NOT_STARTED and percent > 0:
            problems[self.status] = "Đã có tiến độ thì tình trạng là «Đang thực hiện»."
        if status in (ReportStatus.IN_PROGRESS, ReportStatus.BLOCKED) and percent == 100:
            # As when «Hoàn thành» is changed back and its 100% stays: the figures would count it unfinished.
            problems[self.percent] = ("Xong 100% thì chọn tình trạng «Hoàn thành»; nếu việc chưa xong, hãy ghi tỷ lệ "
                                      "đã làm được.")
        if status == ReportStatus.BLOCKED and not self.difficulties.data.strip():
            problems[self.difficulties] = "Hãy nêu khó khăn, vướng mắc."
        for field, message in problems.items():
            field.errors.append(message)
        return not problems

    def values(self) -> dict:
        evidence_date = self.evidence_date.data.strip()
        return {
            "status": ReportStatus(self.status.data),
            "percent": int(self.percent.data),
            "result": self.result.data.strip(),
            "evidence_number": self.evidence_number.data.strip(),
            "evidence_date": read_date_vn(evidence_date) if evidence_date else None,
            "difficulties": self.difficulties.data.strip(),
            "proposals": self.proposals.data.strip(),
            "contribution_note": self.contribution_note.data.strip(),
        }

    def fill(self, report) -> None:
        """Show the stored report (GET)."""
        self.status.data = report.status.value
        self.percent.data = str(report.percent)
        self.result.data = report.result
        self.evidence_number.data = report.evidence_number
        self.evidence_date.data = report.evidence_date.strftime("%d/%m/%Y") if report.evidence_date else ""
        self.difficulties.data = report.difficulties
        self.proposals.data = report.proposals
        self.contribution_note.data = report.contribution_note
        self.version.data = str(report.version)


class SupportReportForm(_ReportForm):
    contribution_note = _long("contribution_note", 4)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)

    def values(self) -> dict:
        return {"contribution_note": self.contribution_note.data.strip()}

    def fill(self, report) -> None:
        self.contribution_note.data = report.contribution_note
        self.version.data = str(report.version)


class FilterForm(Form):
    """The filters of the lists; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Tìm", render_kw={"type": "search", "placeholder": "Tìm theo nội dung, đơn vị, mã (VD: so hoa)"})
    plan = SelectField("Kế hoạch", choices=[])
    status = SelectField("Tình trạng", choices=[])
    role = SelectField("Vai trò", choices=options([("", "Tất cả"), ("lead", "Chủ trì"), ("support", "Phối hợp")]))
    section = SelectField("Mục", choices=[])
    unit = SelectField("Đơn vị", choices=[])
    overdue = SelectField("Thời hạn", choices=options([("", "Tất cả"), ("1", "Chỉ việc quá hạn")]))

    def set_choices(self, *, sections=(), units=(), statuses=(), plans=()) -> None:
        """The choices that come from the plans; each list starts with «Tất cả»."""
        everything = [("", "Tất cả")]
        self.plan.choices = options([("", "Tất cả kế hoạch")] + [(p.code, f"KH {p.number}") for p in plans])
        self.section.choices = options(everything + [(s.code, f"{s.code} {s.title}") for s in sections if s.parent_id])
        self.unit.choices = options(everything + [(u.code, u.name) for u in by_vietnamese_name(units)])
        self.status.choices = options(everything + list(statuses))

    def filters(self) -> Filters:
        """The filters asked for; a value no list offers (a link typed by hand or cut short) is
        refused saying so, rather than answered with an empty list."""
        for field in (self.status, self.role, self.section, self.unit, self.overdue):
            offered = {choice.value for choice in field.choices}
            if field.data and len(offered) > 1 and field.data not in offered:
                raise BadRequest(f"Không có lựa chọn «{field.data}» ở «{field.label.text}»: hãy chọn trong danh sách.")
        return Filters(q=self.q.data or "", status=self.status.data or "", role=self.role.data or "",
                       section=self.section.data or "", unit=self.unit.data or "", overdue=self.overdue.data == "1")


class DueDateForm(Form):
    due_on = DateField("Hạn của nhiệm vụ")


class ExtensionForm(Form):
    new_due_on = DateField("Đề nghị gia hạn đến ngày")
    reason = TextAreaField("Lý do", validators=[InputRequired(message="Hãy nêu lý do xin gia hạn."),
                                                Length(max=2000, message="Tối đa 2000 ký tự.")],
                           render_kw={"rows": 3})


class NameUnitForm(Form):
    unit = ChoiceField("Đơn vị", choices=[])
    role = ChoiceField("Vai trò", choices=options([("support", "Phối hợp"), ("lead", "Chủ trì")]))
