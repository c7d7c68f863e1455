"""Accounts: creating them, checking passwords, and the demo accounts of `make run`."""

import re
import secrets

from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Unit, User, UserRole
from .text import by_vietnamese_name, fold

MIN_PASSWORD_LENGTH = 8
COMMON_PASSWORDS = {"12345678", "123456789", "1234567890", "password", "matkhau", "matkhau123", "admin123",
                    "qwerty123", "11111111", "00000000", "abc12345", "thaibinh", "123456a@"}
DEMO_PASSWORD = "demo-1958"
# Compared against when the username does not exist, so that a wrong username takes as
# long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """Bad account data; the message is in Vietnamese."""


class AccountProblems(AccountError):
    """Everything wrong with an account's data, by field (username, password, role, unit, email),
    so that a form shows each message beside its field."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(" ".join(m for messages in problems.values() for m in messages))
        self.problems = problems


def check_password_policy(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise AccountError("Mật khẩu quá dễ đoán: hãy dùng cụm từ dài hơn, có chữ và số.")
    if username and username.lower() in password.lower():
        raise AccountError("Mật khẩu không được chứa tên đăng nhập.")


def hash_password(password: str, username: str = "") -> str:
    check_password_policy(password, username)
    return generate_password_hash(password)  # scrypt


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,59}")


# A name, «@», and a domain with a dot: what a reminder can be sent to (no more is checked).
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _email_ok(email: str) -> bool:
    return not email or bool(_EMAIL.fullmatch(email.strip()))


def account_problems(session: Session, *, role: str, unit_code: str | None, email: str, username: str | None = None,
                     password: str | None = None, user: User | None = None) -> dict[str, list[str]]:
    """Every problem of an account's data at once, by field, in the words of the administrator's
    page (the command line words its own). A new account gives its username and password; a
    change gives the account (`user`)."""
    problems: dict[str, list[str]] = {}

    def say(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if username is not None:
        username = username.strip()
        if not username:
            say("username", "Hãy nhập tên đăng nhập.")
        elif not USERNAME.fullmatch(username):
            say("username", "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - @ (tối đa 60 ký tự).")
        elif (taken := find_account(session, username)) is not None:
            say("username", f"Tên đăng nhập «{taken.username}» đã có (chữ hoa và chữ thường được coi là một): hãy "
                            "chọn tên khác, hoặc sửa tài khoản đó trên trang của nó.")
    if password is not None and not password:
        say("password", "Hãy nhập mật khẩu ban đầu.")
    elif password is not None:
        try:
            check_password_policy(password, username or "")
        except AccountError as exc:
            say("password", str(exc))
    try:
        wanted = UserRole(role)
    except ValueError:
        wanted = None
        say("role", "Hãy chọn một vai trò trong danh sách.")
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first() if unit_code else None
    if unit_code and unit is None:
        say("unit", "Đơn vị đã chọn không có trong danh sách.")
    elif wanted == UserRole.UNIT and unit is None:
        say("unit", "Tài khoản của đơn vị cần chọn đơn vị.")
    if not _email_ok(email):
        say("email", f"Địa chỉ e-mail «{email}» không hợp lệ.")
    if user is not None and user.role == UserRole.ADMIN and wanted not in (None, UserRole.ADMIN):
        try:
            _keep_an_administrator(session, user)
        except AccountError as exc:
            say("role", str(exc))
    return problems


def find_accounts(session: Session, q: str = "") -> list[tuple[User, Unit | None]]:
    """Every account with its unit; with `q`, those whose username, full name, unit name or
    e-mail hold the words typed, in that order, diacritics and case aside (as the rows' search)."""
    accounts = by_vietnamese_name(session.exec(select(User, Unit).outerjoin(Unit, User.unit_id == Unit.id)
                                               .order_by(User.id)), name=lambda row: row[0].username)
    phrase = " ".join(fold(q).split())
    if not phrase:
        return list(accounts)
    # A line apart each: the words typed never run from one field into the next.
    return [(user, unit) for user, unit in accounts
            if phrase in fold("\n".join((user.username, user.full_name, unit.name if unit else "", user.email)))]


def create_user(session: Session, *, username: str, password: str, role: str, unit_code: str | None = None,
                full_name: str = "", email: str = "") -> User:
    """A new account, whose initial password its owner must change at first login (the
    administrator has seen it). An existing username is refused: an account is changed on its
    own page, never replaced by creating it again. Raises AccountProblems with every problem."""
    problems = account_problems(session, username=username, password=password, role=role, unit_code=unit_code,
                                email=email)
    if problems:
        raise AccountProblems(problems)
    user, _ = save_user(session, username=username, password=password, role=role, unit_code=unit_code,
                        full_name=full_name, email=email)
    user.must_change_password = True
    session.commit()
    return user


def save_user(
    session: Session, *, username: str, password: str, role: str, unit_code: str | None = None, full_name: str = "",
    email: str = "",
) -> tuple[User, bool]:
    """Create the account, or reset it (role, unit, password) when the username exists, as the
    command line's create-user does (its messages name its options). Returns (user, created)."""
    try:
        role = UserRole(role)
    except ValueError:
        raise AccountError(f"Vai trò «{role}» không hợp lệ: chọn unit, reviewer, leader hoặc admin.") from None
    unit = None
    if unit_code:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            raise AccountError(f"Không có đơn vị mã «{unit_code}» (xem «flask --app webapp list-units»).")
    if role == UserRole.UNIT and unit is None:
        raise AccountError("Tài khoản của đơn vị (vai trò unit) phải có --unit MÃ_ĐƠN_VỊ.")
    username = username.strip()
    if not username:
        raise AccountError("Tên đăng nhập không được để trống.")
    user = find_account(session, username)
    created = user is None
    if created and not USERNAME.fullmatch(username):
        raise AccountError("Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - @ (tối đa 60 ký tự).")
    if not created and user.role == UserRole.ADMIN and UserRole(role) != UserRole.ADMIN:
        _keep_an_administrator(session, user)
    if created:
        user = User(username=username, password_hash="")
        session.add(user)
    user.role = role
    user.unit_id = unit.id if unit else None
    user.full_name = full_name or user.full_name or (unit.name if unit else username)
    if not _email_ok(email):
        raise AccountError(f"Địa chỉ e-mail «{email}» không hợp lệ.")
    user.email = email.strip() or user.email
    user.password_hash = hash_password(password, username)
    user.session_token = secrets.token_urlsafe(16)
    user.active = True
    session.commit()
    return user, created


def find_account(session: Session, username: str) -> User | None:
    """The account of this username, capitals aside («STTTT» is «stttt»: a unit's code is
    often written in capitals); the exact spelling first, where an older database holds two."""
    username = username.strip()
    exact = session.exec(select(User).where(User.username == username)).first()
    if exact is not None:
        return exact
    alike = session.exec(select(User).where(func.lower(User.username) == username.lower()).limit(2)).all()
    return alike[0] if len(alike) == 1 else None


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = find_account(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def seed_demo_accounts(session: Session) -> list[User]:
    """One account per unit (username = unit code), a reviewer at Sở Nội vụ, a leader, an admin."""
    wanted = [(u.code, UserRole.UNIT, u.code, f"Đầu mối {u.name}") for u in session.exec(select(Unit).order_by(Unit.id))]
    wanted += [
        ("snv-ra-soat", UserRole.REVIEWER, "snv", "Chuyên viên rà soát, Sở Nội vụ"),
        ("lanh-dao", UserRole.LEADER, None, "Lãnh đạo UBND tỉnh"),
        ("quan-tri", UserRole.ADMIN, None, "Quản trị hệ thống"),
    ]
    existing = set(session.exec(select(User.username)).all())
    created = []
    for username, role, unit_code, full_name in wanted:
        if username not in existing:
            user, _ = save_user(session, username=username, password=DEMO_PASSWORD, role=role,
                                unit_code=unit_code, full_name=full_name)
            created.append(user)
    return created


def update_user(session: Session, *, user: User, full_name: str, role: str, unit_code: str | None, email: str) -> User:
    """Change an account's name, role, unit or e-mail (not its password). Raises AccountProblems
    with every problem."""
    problems = account_problems(session, role=role, unit_code=unit_code, email=email, user=user)
    if problems:
        raise AccountProblems(problems)
    role = UserRole(role)
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first() if unit_code else None
    if (user.role, user.unit_id) != (role, unit.id if unit else None):
        user.session_token = secrets.token_urlsafe(16)  # new rights: sign in again
    user.full_name, user.role, user.unit_id, user.email = full_name.strip() or user.username, role, \
        unit.id if unit else None, email.strip()
    session.add(user)
    session.commit()
    return user


def _keep_an_administrator(session: Session, user: User) -> None:
    """The last active administrator cannot stop being one: nobody could manage accounts then."""
    others = session.exec(select(User.id).where(User.role == UserRole.ADMIN, User.active, User.id != user.id)).first()
    if others is None:
        raise AccountError(f"«{user.username}» là quản trị viên cuối cùng còn hoạt động: hãy cấp quyền quản trị "
                           "cho một tài khoản khác trước.")


def set_user_active(session: Session, user: User, active: bool) -> None:
    """Deactivated, an account cannot log in and its open sessions end; its history stays its own."""
    if not active and user.role == UserRole.ADMIN:
        _keep_an_administrator(session, user)
    user.active = active
    user.session_token = secrets.token_urlsafe(16)
    session.add(user)
    session.commit()


def reset_password(session: Session, user: User) -> str:
    """A one-time password, to be changed at the next login."""
    temporary = "-".join(secrets.token_hex(3) for _ in range(3))
    user.password_hash = generate_password_hash(temporary)
    user.must_change_password = True
    user.session_token = secrets.token_urlsafe(16)
    session.add(user)
    session.commit()
    return temporary


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("Mật khẩu hiện tại không đúng.")
    if current == new:
        raise AccountError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    user.password_hash = hash_password(new, user.username)
    user.must_change_password = False
    user.session_token = secrets.token_urlsafe(16)  # other sessions end; this one is renewed by the caller
    session.add(user)
    session.commit()
