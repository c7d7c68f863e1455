"""Files at rest readable by the owner only: the database, its WAL and shared-memory files,
backups, the secret key. Folders 0700, files 0600, whatever the process umask."""

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """The folder, created if missing, with only the owner allowed in."""
    path.mkdir(parents=True, exist_ok=True)
    _restrict(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """The file, created empty if missing, readable and writable by the owner only."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    _restrict(path, FILE_MODE)
    return path


def restrict_existing(path: Path) -> None:
    """Tighten a file that may already exist (a WAL file left by an older version)."""
    if path.exists():
        _restrict(path, FILE_MODE)


def _restrict(path: Path, mode: int) -> None:
    try:
        if path.stat().st_uid == os.geteuid():
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (a system-managed folder): leave it as the administrator set it
