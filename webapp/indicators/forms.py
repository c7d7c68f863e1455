from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError


class ValueForm(FlaskForm):
    value = StringField("Số liệu thực tế", validators=[InputRequired(message="Hãy nhập số liệu.")],
                        render_kw={"inputmode": "decimal"})
    source = StringField("Nguồn số liệu", validators=[Length(max=300, message="Tối đa 300 ký tự.")],
                         render_kw={"placeholder": "VD: Hệ thống thông tin giải quyết TTHC, 30/09/2022"})
    explanation = TextAreaField("Giải trình", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                                render_kw={"rows": 2})

    def validate_value(self, field):
        text = (field.data or "").strip().replace(" ", "")
        # Vietnamese writing: 1.600 is sixteen hundred, 12,5 is twelve and a half.
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") == 1 and len(text.split(".")[1]) == 3:
            text = text.replace(".", "")
        try:
            self.number = float(text.rstrip("%"))
        except ValueError:
            raise ValidationError("Số liệu phải là một số (ví dụ 35, 12,5 hoặc 1.600).") from None
        if self.number < 0:
            raise ValidationError("Số liệu không thể âm.")


class ExplanationRequestForm(FlaskForm):
    comment = TextAreaField("Yêu cầu giải trình", validators=[Length(max=2000, message="Tối đa 2000 ký tự.")],
                            render_kw={"rows": 2})
