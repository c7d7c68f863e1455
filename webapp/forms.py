"""Form pieces every area uses: Vietnamese messages, dates written dd/mm/yyyy, bare forms."""

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


class ChoiceField(SelectField):
    """A select whose refusal of an unknown value is worded in Vietnamese."""

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Giá trị không có trong danh sách để chọn.")


def parse_date_vn(text: str) -> date:
    """dd/mm/yyyy as written in Vietnam (d/m/yyyy too), or the ISO form a date picker sends."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


class DateField(StringField):
    """A date written dd/mm/yyyy (or sent by a date picker); the value is in .date."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "maxlength": 10})
        super().__init__(label, validators=[InputRequired(message="Hãy nhập ngày.")], **kwargs)
        self.date: date | None = None

    def pre_validate(self, form):
        if not (self.data or "").strip():
            return  # InputRequired says so
        try:
            self.date = parse_date_vn(self.data)
        except ValueError:
            raise ValidationError("Ngày không đúng dạng dd/mm/yyyy (ví dụ 30/09/2022).") from None


class EmptyForm(FlaskForm):
    """A bare form: a button that posts still carries the CSRF token."""


def errors_text(form: FlaskForm) -> str:
    """All of a form's messages in one line, for a flash or an alert."""
    return " ".join(message for messages in form.errors.values() for message in messages)
