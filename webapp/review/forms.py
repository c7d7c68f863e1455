"""The reviewer's forms: periods, review decisions, extensions, due dates."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import ChoiceField, DateField, options
from ..models import PeriodKind
from ..services.periods import KIND_LABELS


class PeriodForm(FlaskForm):
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


class ReviewForm(FlaskForm):
    """Accept or return; returning needs a comment (checked by the service)."""

    comment = TextAreaField("Nhận xét", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                            render_kw={"rows": 2})
    ids = HiddenField()


class DecisionForm(FlaskForm):
    comment = TextAreaField("Ý kiến", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                            render_kw={"rows": 2})
