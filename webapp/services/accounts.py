"""Accounts: creating them, checking passwords, and the demo accounts of `make run`."""

import secrets

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Unit, User, UserRole

MIN_PASSWORD_LENGTH = 8
DEMO_PASSWORD = "demo-1958"
# Compared against when the username does not exist, so that a wrong username takes as
# long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """Bad account data; the message is in Vietnamese."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    return generate_password_hash(password)  # scrypt


def save_user(
    session: Session, *, username: str, password: str, role: str, unit_code: str | None = None, full_name: str = "",
    email: str = "",
) -> tuple[User, bool]:
    """Create the account, or update it when the username exists. Returns (user, created)."""
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
    user = session.exec(select(User).where(User.username == username)).first()
    created = user is None
    if created:
        user = User(username=username, password_hash="")
        session.add(user)
    user.role = role
    user.unit_id = unit.id if unit else None
    user.full_name = full_name or user.full_name or (unit.name if unit else username)
    if email and ("@" not in email or " " in email.strip()):
        raise AccountError(f"Địa chỉ e-mail «{email}» không hợp lệ.")
    user.email = email.strip() or user.email
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_urlsafe(16)
    user.active = True
    session.commit()
    return user, created


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username.strip())).first()
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
