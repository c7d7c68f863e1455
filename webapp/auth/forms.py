from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
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
