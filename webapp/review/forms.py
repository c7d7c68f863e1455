"""The reviewer's forms: periods, review decisions, extensions, due dates."""

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import ChoiceField, DateField, Form, options
from ..models import PeriodKind
from ..services.periods import KIND_LABELS
from ..services.queue import STATE_CHOICES
from ..services.text import by_vietnamese_name


class PeriodForm(Form):
    kind = ChoiceField("Loại kỳ", choices=options((k.value, v) for k, v in KIND_LABELS.items()))
    label = StringField("Tên kỳ", validators=[InputRequired(message="Hãy đặt tên kỳ, ví dụ «Quý III/2022»."),
                                              Length(max=60, message="Tối đa 60 ký tự.")],
                        render_kw={"placeholder": "Quý III/2022"})
    starts_on = DateField("Từ ngày")
    ends_on = DateField("Đến ngày")
    deadline = DateField("Hạn gửi báo cáo")

    @property
    def kind_value(self) -> PeriodKind:
        return PeriodKind(self.kind.data)


class ReviewForm(Form):
    """Accept or return; returning needs a comment (checked by the service)."""

    comment = TextAreaField("Nhận xét", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                            render_kw={"rows": 2})
    ids = HiddenField()


class DecisionForm(Form):
    comment = TextAreaField("Ý kiến", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                            render_kw={"rows": 2})


class ReopenForm(Form):
    reason = TextAreaField("Lý do mở lại kỳ", validators=[InputRequired(message="Hãy nêu lý do mở lại kỳ."),
                                                        Length(max=2000, message="Tối đa 2000 ký tự.")],
                           render_kw={"rows": 2})


class QueueFilterForm(Form):
    """The queue's filters; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    plan = SelectField("Kế hoạch", choices=[])
    unit = SelectField("Đơn vị", choices=[])
    state = SelectField("Trạng thái", choices=options(STATE_CHOICES))

    def set_choices(self, *, plans, units) -> None:
        self.plan.choices = options([("", "Tất cả kế hoạch")] + [(p.code, f"KH {p.number}") for p in plans])
        self.unit.choices = options([("", "Tất cả đơn vị")] + [(u.code, u.name) for u in by_vietnamese_name(units)])
