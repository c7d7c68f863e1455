"""Benchmark: how the heaviest pages grow from plan 1958 to a whole synthetic province
(bench/province.py), each size served by gunicorn.

For each size — plan 1958 with its demonstration history, an intermediate province and the
full one (1,000 rows, 300 units, 12 closed quarters by default) — each page is fetched
--fetches times right after a save (an in-place HTMX save by the busiest unit: «cold», no
cache of rendered fragments helps) and --fetches times again without one («warm»), as a
client that accepts gzip, after one untimed fetch that warms the worker. Printed: the median
and 95th percentile of each, the HTML's weight raw, gzip-compressed (as sent) and
Brotli-compressed, and the number of SQL statements the page runs (counted in-process).

    .venv/bin/python bench/province_pages.py [--sizes 1958,300x100x4,1000x300x12] [--seed 1]
        [--fetches 20] [--workers 2] [--postgresql]

A size is `1958` or TASKSxUNITSxCLOSED_QUARTERS. Each size gets a fresh SQLite file (WAL mode)
in a temporary directory; --postgresql starts a PostgreSQL server of its own from the
installed server binaries, as the tests do, with a database per size.
"""

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import brotli  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from bench.province import LEADER, REVIEWER, build_province  # noqa: E402
from bench.run import PASSWORD, RESULTS, Client, free_port, reference_loop_ms, start_postgresql  # noqa: E402
from webapp.database import make_engine, writer  # noqa: E402
from webapp.models import Assignment, Period, Role, Task, Unit  # noqa: E402
from webapp.schema import upgrade  # noqa: E402

VERSION = re.compile(rb'name="version" type="hidden" value="(\d+)"')


def fetch(client: Client, path: str, encoding: str = "gzip") -> tuple[int, bytes, str]:
    """Status, body as sent, and its Content-Encoding."""
    status, body, headers = client.send(path, headers={"Accept-Encoding": encoding})
    return status, body, headers.get("Content-Encoding", "")


def decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return zlib.decompress(body, zlib.MAX_WBITS | 16)
    if encoding == "br":
        return brotli.decompress(body)
    return body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def province_facts(url: str) -> dict:
    """What the pages are measured on: the latest closed period, the busiest unit and one of its rows."""
    engine = make_engine(url)
    with Session(engine) as session:
        closed = session.exec(select(Period.id).where(Period.closed_at.is_not(None))
                              .order_by(Period.starts_on.desc())).first()
        code, rows = session.exec(select(Unit.code, func.count(Assignment.id)).join(Assignment)
                                  .group_by(Unit.id, Unit.code).order_by(func.count(Assignment.id).desc(), Unit.code)
                                  ).first()
        unit = session.exec(select(Unit).where(Unit.code == code)).one()
        ref = session.exec(select(Task.ref).join(Assignment).where(Assignment.unit_id == unit.id,
                                                                   Assignment.role == Role.LEAD)
                           .order_by(Task.position)).first()
    engine.dispose()
    return {"closed_period": closed, "busiest_unit": code, "busiest_rows": rows, "saved_row": ref}


class Saver:
    """The busiest unit saving its own row in place, each time with another figure."""

    def __init__(self, client: Client, unit: str, ref: str):
        self.client, self.unit, self.ref, self.n = client, unit, ref, 0
        self.token = client.log_in(unit)
        _, form = client.request(f"/tasks/{ref}/units/{unit}/edit", headers={"HX-Request": "true"})
        self.version = int(VERSION.search(form).group(1))

    def save(self) -> None:
        self.n += 1
        status, body = self.client.request(
            f"/tasks/{self.ref}/units/{self.unit}",
            {"version": str(self.version), "view": "unit", "status": "in_progress", "percent": str(self.n % 99 + 1),
             "result": f"Lần lưu {self.n}", "evidence_number": "", "evidence_date": "", "difficulties": "",
             "proposals": "", "contribution_note": ""},
            headers={"HX-Request": "true", "X-CSRFToken": self.token},
        )
        if status != 200 or f"Lần lưu {self.n}".encode() not in body:
            raise RuntimeError(f"the save before a fetch failed ({status})")
        self.version += 1


def pages_of(facts: dict) -> list[tuple[str, str, str]]:
    """(name, who, path) of the pages measured: the heaviest of each role, and the reports."""
    return [
        ("dashboard", LEADER, "/dashboard"),
        ("overview", REVIEWER, "/tasks"),
        ("overview, search", REVIEWER, f"/tasks?q={SEARCH}"),
        ("review desk", REVIEWER, "/review"),
        ("closed period", REVIEWER, f"/review/periods/{facts['closed_period']}"),
        ("busiest unit /my", facts["busiest_unit"], "/my"),
        ("report.xlsx", REVIEWER, "/exports/report.xlsx"),
        ("report.docx", REVIEWER, "/exports/report.docx"),
    ]


SEARCH = "thu+tuc+hanh+chinh"  # words every size's rows hold, typed without diacritics


def timed(client: Client, path: str, fetches: int, before=None) -> tuple[list[float], int, bytes, str]:
    timings, errors = [], 0
    for _ in range(fetches):
        if before:
            before()
        start = time.perf_counter()
        status, body, encoding = fetch(client, path)
        timings.append(time.perf_counter() - start)
        errors += status != 200
    return timings, errors, body, encoding


def measure(base: str, facts: dict, fetches: int) -> dict:
    clients = {}
    saver = Saver(Client(base), facts["busiest_unit"], facts["saved_row"])
    results = {}
    for name, who, path in pages_of(facts):
        if who not in clients:
            clients[who] = Client(base)
            clients[who].log_in(who)
        client = clients[who]
        fetch(client, path)  # the worker's first rendering of the page (imports, template compilation)
        is_report = path.startswith("/exports/")
        cold, errors, body, encoding = timed(client, path, fetches if not is_report else max(3, fetches // 4),
                                             saver.save)
        warm, warm_errors, _, _ = timed(client, path, fetches if not is_report else max(3, fetches // 4))
        raw = decoded(body, encoding)
        _, squeezed, br = fetch(client, path, "br")
        results[name] = {
            "path": path, "cold_p50_ms": statistics.median(cold) * 1000, "cold_p95_ms": percentile(cold, 0.95) * 1000,
            "warm_p50_ms": statistics.median(warm) * 1000, "warm_p95_ms": percentile(warm, 0.95) * 1000,
            "errors": errors + warm_errors, "raw_bytes": len(raw), "sent_encoding": encoding or "identity",
            "gzip_bytes": len(body) if encoding == "gzip" else None,
            "br_bytes": len(squeezed) if br == "br" else None,
        }
    return results


def query_counts(url: str, facts: dict, workdir: Path) -> dict[str, int]:
    """How many SQL statements each page runs, counted in-process on the app's engine."""
    from flask.testing import FlaskClient
    from sqlalchemy import event

    from webapp import create_app
    from webapp.extensions import Database
    from webapp.services.periods import kept_standings

    os.environ["INSTANCE_PATH"] = str(workdir)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    counted = {"statements": 0}
    event.listen(Database.engine(app), "before_cursor_execute",
                 lambda *args: counted.__setitem__("statements", counted["statements"] + 1))
    found, clients = {}, {}
    for name, who, path in pages_of(facts):
        if who not in clients:
            clients[who] = FlaskClient(app)
            clients[who].post("/login", data={"username": who, "password": PASSWORD})
        clients[who].get(path)  # a first rendering, so that counting sees what every later one runs
        app.extensions["fragments"].clear()  # as after a restart: nothing kept
        kept_standings(Database.engine(app)).clear()
        counted["statements"] = 0
        clients[who].get(path)
        found[name] = counted["statements"]
    Database.engine(app).dispose()
    return found


def build(size: str, url: str, workdir: Path, seed: int) -> tuple[str, dict]:
    """Fill the empty database for a size; its description and its table counts."""
    engine = make_engine(url)
    if size == "1958":
        env = {**os.environ, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench", "DATABASE_URL": url}
        flask = [sys.executable, "-m", "flask", "--app", "webapp"]
        subprocess.run([*flask, "load-plan"], env=env, check=True, capture_output=True, cwd=ROOT)
        subprocess.run([*flask, "seed-demo"], env=env, check=True, capture_output=True, cwd=ROOT)
        with Session(engine) as session:
            counts = {table: session.exec(select(func.count()).select_from(model)).one()
                      for table, model in (("task", Task), ("unit", Unit), ("assignment", Assignment),
                                           ("period", Period))}
        described = f"plan 1958 with its demonstration history: {counts['task']} rows, {counts['unit']} units"
    else:
        tasks, units, periods = (int(part) for part in size.split("x"))
        upgrade(engine)
        with Session(writer(engine)) as session:
            province = build_province(session, seed=seed, tasks=tasks, units=units, periods=periods)
        counts = province.counts
        described = (f"province: {province.units} units, {province.tasks} rows, {province.assignments} assignments, "
                     f"{province.closed} closed quarters + {province.open_label} open")
    engine.dispose()
    return described, counts


class Gunicorn:
    """The app served by gunicorn on a free port, for as long as the `with` lasts."""

    def __init__(self, url: str, workdir: Path, workers: int):
        self.env = {**os.environ, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench", "DATABASE_URL": url}
        self.workers = workers

    def __enter__(self) -> str:
        port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind", f"127.0.0.1:{port}",
             "--timeout", "120", "--log-level", "warning", "webapp:create_app()"], env=self.env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if Client(base).request("/healthz")[0] == 200:
                    return base
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer")

    def worker_memory_mb(self) -> list[float]:
        """Each worker's resident memory (Linux /proc), after what it served."""
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                found.append(int(fields["VmRSS"].split()[0]) / 1024)
        return sorted(found)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1958,300x100x4,1000x300x12")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fetches", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgresql", action="store_true", help="a PostgreSQL server of its own")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    if any(size != "1958" and not re.fullmatch(r"\d+x\d+x\d+", size) for size in sizes):
        parser.error("a size is 1958 or TASKSxUNITSxCLOSED_QUARTERS, e.g. 300x100x4")

    server_pg = None
    if args.postgresql:
        server_pg = start_postgresql()
        if server_pg is None:
            return 1
    engine_name = "PostgreSQL" if server_pg else "SQLite (WAL)"
    report, failed = [], False
    try:
        for size in sizes:
            workdir = Path(tempfile.mkdtemp(prefix="plan-tracker-province-"))
            url = server_pg.url(server_pg.create_database()) if server_pg else f"sqlite:///{workdir / 'p.sqlite3'}"
            started = time.perf_counter()
            described, counts = build(size, url, workdir, args.seed)
            built_in = time.perf_counter() - started
            facts = province_facts(url)
            server = Gunicorn(url, workdir, args.workers)
            with server as base:
                speed = [reference_loop_ms()]
                results = measure(base, facts, args.fetches)
                speed.append(reference_loop_ms())
                memory = server.worker_memory_mb()
            for name, statements in query_counts(url, facts, workdir).items():
                results[name]["queries"] = statements
            failed |= any(r["errors"] for r in results.values())
            report.append({"size": size, "described": described, "built_in_s": built_in, "counts": counts,
                           "facts": facts, "results": results, "worker_rss_mb": memory,
                           "reference_loop_ms": speed})
            show(report[-1], args, engine_name)
    finally:
        if server_pg is not None:
            server_pg.stop()
    RESULTS.mkdir(exist_ok=True)
    engine_slug = "postgresql" if server_pg else "sqlite"
    (RESULTS / f"province-{engine_slug}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(
        {"args": vars(args), "engine": engine_name, "cores": os.cpu_count(), "sizes": report}, indent=2))
    return 1 if failed else 0


def show(measured: dict, args, engine_name: str) -> None:
    kb = lambda n: f"{n / 1024:.1f}" if n is not None else "-"  # noqa: E731
    facts = measured["facts"]
    print(f"\n{measured['size']}: {measured['described']}; built in {measured['built_in_s']:.1f} s")
    print(f"gunicorn {args.workers} workers, {engine_name}, {os.cpu_count()} cores; {args.fetches} fetches a page "
          f"cold (right after a save) and warm, accepting gzip; busiest unit {facts['busiest_unit']} "
          f"({facts['busiest_rows']} rows); reference loop (this machine's speed, lower is faster) "
          f"{measured['reference_loop_ms'][0]:.0f} ms before, {measured['reference_loop_ms'][1]:.0f} ms after")
    print(f"{'page':<18} {'cold p50':>8} {'cold p95':>8} {'warm p50':>8} {'warm p95':>8} {'raw KB':>8} "
          f"{'gzip KB':>8} {'br KB':>7} {'queries':>7} {'errors':>6}")
    for name, r in measured["results"].items():
        print(f"{name:<18} {r['cold_p50_ms']:>8.0f} {r['cold_p95_ms']:>8.0f} {r['warm_p50_ms']:>8.0f} "
              f"{r['warm_p95_ms']:>8.0f} {kb(r['raw_bytes']):>8} {kb(r['gzip_bytes']):>8} {kb(r['br_bytes']):>7} "
              f"{r['queries']:>7} {r['errors']:>6}")
    print("worker memory after these pages (resident, MB): "
          + ", ".join(f"{mb:.0f}" for mb in measured["worker_rss_mb"]))


if __name__ == "__main__":
    sys.exit(main())
