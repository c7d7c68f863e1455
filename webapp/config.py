"""Configuration read from the environment, with safe defaults.

Every variable is listed in the README. In production (APP_ENV=production) a missing
SECRET_KEY stops the start; in development a key is generated once into instance/.
"""

import os
import secrets
from pathlib import Path

from .services.private_files import private_dir, private_file


class ConfigError(RuntimeError):
    pass


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY phải được đặt khi chạy ở chế độ production (APP_ENV=production).")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        private_file(private_dir(instance_path) / "secret_key").write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default).upper()
    if value not in allowed:
        raise ConfigError(f"{name} phải là một trong: {', '.join(allowed)} (đang là «{value}»).")
    return value


def from_environment(instance_path: str) -> dict:
    """The settings for create_app, from the environment."""
    instance = Path(instance_path)
    production = os.environ.get("APP_ENV", "development") == "production"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(instance, production),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'plan-tracker.sqlite3'}",
        # Seconds a SQLite writer waits for the lock before giving up.
        "SQLITE_BUSY_TIMEOUT": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "15")),
        "SQLITE_SYNCHRONOUS": _choice("SQLITE_SYNCHRONOUS", ("NORMAL", "FULL"), "NORMAL"),
        # Reminder e-mails (send-reminders); without SMTP_HOST none are sent.
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "0") == "1",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "theo-doi-ke-hoach@localhost"),
        # The app compresses its pages, styles and scripts itself; 0 where a reverse proxy does it.
        "COMPRESS_RESPONSES": os.environ.get("COMPRESS_RESPONSES", "1") != "0",
        # Largest plan file an administrator may import, and largest request body at all.
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024))),
        # An .xlsx or .docx unpacked (a small file may unpack to gigabytes), and rows of one plan.
        "IMPORT_MAX_UNPACKED_BYTES": int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(25 * 1024 * 1024))),
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "2000")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024))),
        # Evidence files: the largest file, and all the files of one report together (MB).
        "EVIDENCE_MAX_FILE_MB": int(os.environ.get("EVIDENCE_MAX_FILE_MB", "20")),
        "EVIDENCE_MAX_REPORT_MB": int(os.environ.get("EVIDENCE_MAX_REPORT_MB", "100")),
        # Sessions end after this much inactivity, and at most this long after login.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        "SESSION_MAX_HOURS": min(int(os.environ.get("SESSION_MAX_HOURS", "12")), 12),
        # Failed logins before a 15-minute lock: per account, per address.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # The CSRF token lives as long as the session: a page left open all day still saves.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    }
