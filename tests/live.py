"""The app served for real: gunicorn in a process group of its own, and a plain HTTP client
with cookies, as a person's browser without JavaScript."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A plain HTTP client with cookies, as a unit's focal point in a browser without JavaScript."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        status, body = self.fetch(path, data, headers)
        return status, body.decode("utf-8", "replace")

    def fetch(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def log_in(self, username: str) -> str:
        _, page = self.request("/login")
        self.request("/login", {"csrf_token": TOKEN.search(page).group(1), "username": username,
                                "password": "demo-1958"})
        _, page = self.request("/login")
        return TOKEN.search(page).group(1)


class Server:
    """The app under gunicorn with two workers and the production settings of
    deploy/gunicorn.conf.py, in a process group of its own."""

    def __init__(self, database_url: str, instance: Path):
        self.port = _free_port()
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "served-for-tests",
                    "INSTANCE_PATH": str(instance), "APP_ENV": "production", "WEB_CONCURRENCY": "2",
                    "BIND": f"127.0.0.1:{self.port}"}
        self.process = None

    def start(self) -> "Server":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--log-level", "warning", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=self.env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("gunicorn did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


