from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, ValidationError

from ..forms import Form


class LoginForm(Form):
    username = StringField(
        "Tên đăng nhập",
        validators=[InputRequired(message="Hãy nhập tên đăng nhập.")],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Mật khẩu",
        validators=[InputRequired(message="Hãy nhập mật khẩu.")],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class PasswordForm(Form):
    current = PasswordField("Mật khẩu hiện tại", validators=[InputRequired(message="Hãy nhập mật khẩu hiện tại.")],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField("Mật khẩu mới", validators=[InputRequired(message="Hãy nhập mật khẩu mới.")],
                        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField("Nhập lại mật khẩu mới", validators=[InputRequired(message="Hãy nhập lại mật khẩu mới.")],
                           render_kw={"autocomplete": "new-password"})

    def validate_repeat(self, field):
        if field.data != self.new.data:
            raise ValidationError("Hai lần nhập mật khẩu mới không khớp.")
