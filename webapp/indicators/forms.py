import math
import re

from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..forms import Form


def read_number(text: str | None) -> float:
    """A figure as Vietnamese write it: 1.600 is sixteen hundred, 12,5 is twelve and a half.
    Digits and separators only: no «1e309», «inf» or «nan», which are not figures."""
    text = (text or "").strip().replace(" ", "").rstrip("%")
    if text.startswith("-") and re.fullmatch(r"-[0-9][0-9.,]*", text):
        raise ValidationError("Số liệu không thể âm.")
    if not re.fullmatch(r"[0-9][0-9.,]*", text):
        raise ValidationError("Số liệu phải là một số (ví dụ 35, 12,5 hoặc 1.600).")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") == 1 and len(text.split(".")[1]) == 3:
        text = text.replace(".", "")
    try:
        number = float(text)
    except ValueError:
        raise ValidationError("Số liệu phải là một số (ví dụ 35, 12,5 hoặc 1.600).") from None
    if not math.isfinite(number):
        raise ValidationError("Số liệu quá lớn.")
    return number


class ValueForm(Form):
    value = StringField("Số liệu thực tế", validators=[InputRequired(message="Hãy nhập số liệu.")],
                        render_kw={"inputmode": "decimal"})
    source = StringField("Nguồn số liệu", validators=[Length(max=300, message="Tối đa 300 ký tự.")],
                         render_kw={"placeholder": "VD: Hệ thống thông tin giải quyết TTHC, 30/09/2022"})
    explanation = TextAreaField("Giải trình", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                                render_kw={"rows": 2})

    def validate_value(self, field):
        self.number = read_number(field.data)


class ExplanationRequestForm(Form):
    comment = TextAreaField("Yêu cầu giải trình", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                            render_kw={"rows": 2})


class BaselineForm(Form):
    baseline = StringField("Mức ban đầu (khi kế hoạch bắt đầu)", validators=[InputRequired(message="Hãy nhập số liệu.")],
                           render_kw={"inputmode": "decimal"})

    def validate_baseline(self, field):
        self.number = read_number(field.data)
