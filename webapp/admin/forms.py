from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import ChoiceField, Form, options
from ..models import UserRole
from ..services.roster import KIND_LABELS

ROLE_LABELS = {UserRole.UNIT: "Đầu mối đơn vị", UserRole.REVIEWER: "Rà soát (Sở Nội vụ, VP UBND)",
               UserRole.LEADER: "Lãnh đạo (chỉ xem)", UserRole.ADMIN: "Quản trị"}


class AccountForm(Form):
    """An account's page: what an administrator changes on it."""
    full_name = StringField("Họ và tên", validators=[Length(max=120, message="Họ và tên tối đa 120 ký tự.")],
                            render_kw={"autocomplete": "off"})
    role = ChoiceField("Vai trò", choices=options((r.value, label) for r, label in ROLE_LABELS.items()))
    unit = ChoiceField("Đơn vị", choices=[])
    email = StringField("E-mail nhận nhắc việc", validators=[Length(max=120, message="E-mail tối đa 120 ký tự.")],
                        render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false"})

    # The order a person fills the fields in, which the list of errors above the form follows.
    ORDER = ("full_name", "role", "unit", "email")

    def add_problems(self, problems: dict[str, list[str]]) -> None:
        """The service's findings beside their fields; a field the form already refused keeps
        its own message (the same fault said once)."""
        for name, messages in problems.items():
            field = self._fields.get(name)
            if field is not None and not field.errors:
                field.errors = list(messages)


class UserForm(AccountForm):
    """«Tạo tài khoản»: an account and its initial password."""
    username = StringField("Tên đăng nhập", validators=[InputRequired(message="Hãy nhập tên đăng nhập."),
                                                        Length(max=60, message="Tên đăng nhập tối đa 60 ký tự.")],
                           render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField("Mật khẩu ban đầu", render_kw={"autocomplete": "new-password"})

    ORDER = ("username", *AccountForm.ORDER, "password")


class UnitForm(Form):
    code = StringField("Mã (chữ thường không dấu)", validators=[InputRequired(message="Hãy nhập mã đơn vị.")])
    name = StringField("Tên đơn vị", validators=[InputRequired(message="Hãy nhập tên đơn vị."),
                                                 Length(max=200, message="Tối đa 200 ký tự.")])
    short_name = StringField("Tên viết tắt", validators=[Length(max=60, message="Tối đa 60 ký tự.")])
    kind = ChoiceField("Loại", choices=options((k.value, label) for k, label in KIND_LABELS.items()))
    parent = ChoiceField("Đơn vị cấp trên", choices=[])
    aliases = TextAreaField("Cách viết khác trong các kế hoạch (mỗi dòng một cách)", render_kw={"rows": 3})


class MergeForm(Form):
    target = ChoiceField("Sáp nhập vào đơn vị", choices=[])
    confirm = BooleanField("Tôi hiểu: phân công, báo cáo kỳ đang mở và tài khoản chuyển sang đơn vị mới")


class RosterForm(Form):
    file = FileField("Tệp danh sách đơn vị (.xlsx hoặc .csv, theo mẫu)",
                     validators=[FileRequired(message="Hãy chọn tệp danh sách đơn vị.")])


class ImportForm(Form):
    file = FileField("Tệp phụ lục (.docx, .xlsx, .csv; .doc, .xls nếu máy chủ có LibreOffice)",
                     validators=[FileRequired(message="Hãy chọn tệp.")])
    number = StringField("Số hiệu kế hoạch", validators=[InputRequired(message="Hãy nhập số hiệu, ví dụ 123/KH-UBND."),
                                                         Length(max=60, message="Tối đa 60 ký tự.")])
    title = TextAreaField("Tên kế hoạch", validators=[Length(max=1000, message="Tối đa 1000 ký tự.")],
                          render_kw={"rows": 2})
    issuer = StringField("Cơ quan ban hành", validators=[Length(max=120, message="Tối đa 120 ký tự.")])
    issued_on = StringField("Ngày ban hành (dd/mm/yyyy)", render_kw={"placeholder": "dd/mm/yyyy"})
