"""Benchmark: plan 1958 served by gunicorn with several workers, 8 concurrent clients.

Measures requests per second and the median and 95th-percentile latency of
- /healthz (a constant string, no database: the ceiling of this stack on this machine),
- the unit page (/my), the plan overview (/tasks), and an in-place save (an HTMX POST),
each client asking again as soon as answered; then saves and unit pages at steady rates
(SCENARIOS), which tells what one server holds with its answers still quick;
and the weight of a full page's first load (HTML, CSS and JS, gzip-compressed) and of an
HTMX row response. Every client is its own process (no shared interpreter lock), logged
in as a different unit; each save goes to that unit's own row, so no save conflicts.

    .venv/bin/python bench/run.py [--workers 4] [--clients 8] [--seconds 5] [--database-url URL | --postgresql]

Without --database-url it uses a fresh SQLite file (WAL mode) in a temporary directory;
--postgresql starts a PostgreSQL server of its own from the installed server binaries.
"""

import argparse
import gzip
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "demo-1958"
# Units that each lead a row of plan 1958, one per client, with the row it saves.
CLIENT_ROWS = [("stttt", "A.I.3"), ("vpubnd", "A.I.8"), ("snv", "A.I.1"), ("skhdt", "A.I.18"),
               ("stc", "A.I.19"), ("stp", "A.I.13"), ("cat", "A.I.5"), ("bhxh", "B.7.1"),
               ("stnmt", "B.6.1"), ("cucthue", "B.5.2")]
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# In this order, each as fast as the clients can (rate 0), then at steady rates (requests a
# second from all the clients together): what one server holds with its answers still quick.
# The unit pages come before any save, so they are kept ones (asked again between changes).
SCENARIOS = [("healthz", 0), ("unit page", 0), ("unit page", 80), ("unit page", 160), ("unit page", 240),
             ("overview", 0), ("save", 0), ("save", 20), ("save", 40), ("save", 60)]


def start_postgresql():
    """A PostgreSQL server of the benchmark's own, started as the tests start one from the
    installed server binaries; None, after saying why, when it cannot be."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run as a script: the tests' helper is beside bench/
    from tests.databases import PostgresServer

    try:
        return PostgresServer().start()
    except BaseException as exc:  # the test helper fails the way a test fails
        print(f"PostgreSQL could not be started: {exc}", file=sys.stderr)
        return None


def reference_loop_ms() -> float:
    """How fast this machine runs Python just now: the median of five runs of a fixed loop.
    On a shared or throttled machine it varies (twice as slow at times), and every timing with
    it: the benchmarks print it before and after they measure, so that figures are read
    against the speed they were taken at."""
    timings = []
    for _ in range(5):
        start, total = time.perf_counter(), 0
        for number in range(1_000_000):
            total += number * number
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A browser as small as can be: one plain HTTP/1.1 request per call (http.client), the
    cookies kept by hand, redirects of a GET followed. The clients run on the same cores as
    the server, so whatever they cost is taken from what is measured."""

    def __init__(self, base: str):
        self.base = base
        address = urllib.parse.urlsplit(base)
        self.host, self.port = address.hostname, address.port
        self.cookies: dict[str, str] = {}

    def send(self, path: str, data: dict | None = None, headers: dict | None = None
             ) -> tuple[int, bytes, http.client.HTTPMessage]:
        """Status, body as sent and headers; a GET's redirects are followed."""
        for _ in range(5):
            status, body, answer = self._once(path, data, headers)
            if data is not None or status not in (301, 302, 303, 307, 308):
                break
            path = urllib.parse.urlsplit(answer["Location"])._replace(scheme="", netloc="").geturl()
        return status, body, answer

    def _once(self, path: str, data: dict | None, headers: dict | None):
        fields = dict(headers or {})
        if self.cookies:
            fields["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            fields["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request("POST" if body is not None else "GET", path, body=body, headers=fields)
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "01 Jan 1970" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer.status, content, answer.headers

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        status, body, _ = self.send(path, data, headers)
        return status, body

    def log_in(self, username: str) -> str:
        _, page = self.request("/login")
        token = TOKEN.search(page.decode()).group(1)
        _, page = self.request("/login", {"csrf_token": token, "username": username, "password": PASSWORD})
        _, page = self.request("/login")  # signed in: sent on to the user's home, whose forms carry the token
        return TOKEN.search(page.decode()).group(1)


def run_client(base: str, scenario: str, index: int, seconds: float, interval: float, offset: float, ready,
               results) -> None:
    """One client's loop over one scenario for a fixed time, begun when every client has
    logged in (a login's password hashing would otherwise be measured with the requests);
    puts its latencies and errors in results. With an interval, it asks on a schedule (one
    request every interval seconds, the first after offset) and a request's time runs from
    when it was due, so that a late answer also counts for the requests it delayed."""
    client = Client(base)
    username, ref = CLIENT_ROWS[index % len(CLIENT_ROWS)]
    if scenario == "overview":
        client.log_in("lanh-dao")  # the overview is the leaders' and reviewers' page
    token = client.log_in(username) if scenario in ("unit page", "save") else ""
    version = 0
    if scenario == "save":
        _, form = client.request(f"/tasks/{ref}/units/{username}/edit", headers={"HX-Request": "true"})
        version = int(re.search(rb'name="version" type="hidden" value="(\d+)"', form).group(1))
    latencies, errors = [], 0
    ready.wait()
    began = time.perf_counter()
    deadline = began + seconds
    n = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        if interval:
            start = began + offset + len(latencies) * interval
            time.sleep(max(0.0, start - time.perf_counter()))
        if scenario == "healthz":
            status, body = client.request("/healthz")
            ok = status == 200 and body == b"ok"
        elif scenario == "unit page":
            status, body = client.request("/my")
            ok = status == 200 and b'class="report-row' in body
        elif scenario == "overview":
            status, body = client.request("/tasks")
            ok = status == 200 and b"nhi\xe1\xbb\x87m v\xe1\xbb\xa5" in body
        else:
            n += 1
            status, body = client.request(
                f"/tasks/{ref}/units/{username}",
                {"version": str(version), "view": "unit", "status": "in_progress", "percent": str(n % 99 + 1),
                 "result": f"Lần lưu {n}", "evidence_number": "", "evidence_date": "", "difficulties": "",
                 "proposals": "", "contribution_note": ""},
                headers={"HX-Request": "true", "X-CSRFToken": token},
            )
            ok = status == 200 and f"Lần lưu {n}".encode() in body and b"report-form" not in body
            version += 1
        latencies.append(time.perf_counter() - start)
        errors += not ok
    results.put({"latencies": latencies, "errors": errors})


def measure(base: str, scenario: str, clients: int, seconds: float, rate: float = 0) -> dict:
    """As fast as each client can (rate 0), or at rate requests a second from all of them."""
    ready, queue = multiprocessing.Barrier(clients), multiprocessing.Queue()
    interval = clients / rate if rate else 0.0
    processes = [multiprocessing.Process(target=run_client,
                                         args=(base, scenario, i, seconds, interval, interval * i / clients,
                                               ready, queue))
                 for i in range(clients)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for r in results for x in r["latencies"])
    return {
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in results),
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def page_weight(base: str) -> dict:
    """A unit's first load of its page (HTML + CSS + JS), and one HTMX row, gzip-compressed."""
    client = Client(base)
    client.log_in("stttt")
    _, html = client.request("/my")
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    total = len(gzip.compress(html))
    for asset in assets:
        _, body = client.request(asset.decode())
        total += len(gzip.compress(body))
    _, row = client.request("/tasks/A.I.3/units/stttt?view=unit", headers={"HX-Request": "true"})
    return {"full_page_gzip_kb": total / 1024, "htmx_row_bytes": len(row), "htmx_row_gzip_bytes": len(gzip.compress(row))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=None)
    where.add_argument("--postgresql", action="store_true", help="a PostgreSQL server of its own")
    args = parser.parse_args()

    server_pg = None
    if args.postgresql:
        server_pg = start_postgresql()
        if server_pg is None:
            return 1
        args.database_url = server_pg.url(server_pg.create_database())
    try:
        return measure_all(args)
    finally:
        if server_pg:
            server_pg.stop()


def measure_all(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="plan-tracker-bench-"))
    env = {**os.environ, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench",
           "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"}
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    subprocess.run([*flask, "load-plan"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], env=env, check=True, capture_output=True)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "webapp:create_app()"],
        env=env, cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if Client(base).request("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        results = {}
        speed_before = reference_loop_ms()
        for scenario, rate in SCENARIOS:
            name = f"{scenario} @{rate}/s" if rate else scenario
            results[name] = measure(base, scenario, args.clients, args.seconds, rate)
        speed_after = reference_loop_ms()
        weight = page_weight(base)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    engine = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print(f"gunicorn {args.workers} workers, {args.clients} concurrent clients, {args.seconds:g} s each, {engine}, "
          f"{os.cpu_count()} cores")
    print(f"reference loop (this machine's speed, lower is faster): {speed_before:.0f} ms before, "
          f"{speed_after:.0f} ms after")
    print(f"{'scenario':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'requests':>9}")
    for scenario, r in results.items():
        print(f"{scenario:<18} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['errors']:>7} {r['requests']:>9}")
    ratio = results["overview"]["rps"] / results["healthz"]["rps"]
    print(f"overview / healthz throughput: {ratio:.2f}")
    print(f"full page first load (HTML+CSS+JS, gzip): {weight['full_page_gzip_kb']:.1f} KB; "
          f"HTMX row: {weight['htmx_row_bytes']} bytes ({weight['htmx_row_gzip_bytes']} gzip)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps({"args": vars(args), "results": results, "weight": weight,
                    "reference_loop_ms": [speed_before, speed_after]}, indent=2))
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
