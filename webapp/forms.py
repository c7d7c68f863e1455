"""Form pieces every area uses: Vietnamese messages, dates written dd/mm/yyyy, bare forms."""

import calendar
import re
from contextlib import contextmanager
from datetime import date, datetime
from typing import Iterator

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import HiddenInput

from .services.evidence import Limits, Upload


class Form(FlaskForm):
    """Every form of the app. Its hidden fields (the CSRF token, a version) render without an
    `id`: a page holds many such forms, and an id must be unique on a page."""

    class Meta:
        def render_field(self, field, render_kw):
            if isinstance(field.widget, HiddenInput):
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)


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


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def date_problem(text: str) -> str:
    """What is wrong with a date that parse_date_vn refused, in the words of a calendar."""
    written = _DAY_MONTH_YEAR.fullmatch(text.strip())
    if not written:
        return "Ngày không đúng dạng dd/mm/yyyy (ví dụ 30/09/2022)."
    day, month, year = (int(part) for part in written.groups())
    if not 1 <= month <= 12:
        return f"Không có tháng {month}: tháng là số từ 1 đến 12."
    days = calendar.monthrange(year, month)[1]
    if day == 0:
        return f"Không có ngày {text.strip()}: ngày là số từ 1 đến {days}."
    return f"Không có ngày {text.strip()}: tháng {month}/{year} chỉ có {days} ngày."


def read_date_vn(text: str) -> date:
    """A date typed in a form, or a ValidationError saying what is wrong with it."""
    try:
        return parse_date_vn(text)
    except ValueError:
        raise ValidationError(date_problem(text)) from None


class DateField(StringField):
    """A date written dd/mm/yyyy (or sent by a date picker); the value is in .date."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "maxlength": 10})
        super().__init__(label, validators=[InputRequired(message="Hãy nhập ngày.")], **kwargs)
        self.date: date | None = None

    def pre_validate(self, form):
        if not (self.data or "").strip():
            return  # InputRequired says so
        self.date = read_date_vn(self.data)


class EmptyForm(Form):
    """A bare form: a button that posts still carries the CSRF token."""


def errors_text(form: FlaskForm) -> str:
    """All of a form's messages in one line, for a flash or an alert."""
    return " ".join(message for messages in form.errors.values() for message in messages)


def takes_files(view):
    """A view that receives evidence files: its request may be as large as the evidence limits
    allow (allow_files), not only as an ordinary form."""
    view.takes_files = True
    return view


def allow_files() -> None:
    """Before anything reads the body (the CSRF check and security's read the form): a view
    that takes files gets the evidence limits' request size."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "takes_files", False):
        request.max_content_length = Limits.from_config(current_app.config).max_body


@contextmanager
def sent_files() -> Iterator[list[Upload]]:
    """The files of the form's «files» field. Large files wait in temporary files: freed when
    the block ends."""
    received = request.files.getlist("files")
    try:
        yield [Upload(f.filename, f.stream) for f in received if f.filename]
    finally:
        for file in received:
            file.close()
