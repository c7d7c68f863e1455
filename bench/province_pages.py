"""Benchmark: a whole synthetic province (bench/province.py: 1000 rows, 300 units, 12 closed
quarters by default) served by gunicorn — how long its heaviest pages take, and how much they weigh.

Each page is fetched right after a save (an in-place HTMX save by the busiest unit), so that no
cache of rendered fragments helps, as a client that accepts gzip; the median and the 95th
percentile are over --fetches such fetches, after one untimed fetch that warms the worker. The
weight is the HTML as rendered, gzip-compressed (as sent) and Brotli-compressed.

    .venv/bin/python bench/province_pages.py [--seed 1] [--tasks 1000] [--units 300] [--periods 12]
        [--fetches 10] [--workers 2] [--database-url URL | --postgresql]

Without a database it uses a fresh SQLite file (WAL mode) in a temporary directory; --postgresql
starts a PostgreSQL server of its own from the installed server binaries, as the tests do.
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
import urllib.error
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import brotli  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from bench.province import LEADER, REVIEWER, build_province  # noqa: E402
from bench.run import RESULTS, Client, free_port  # noqa: E402
from webapp.database import make_engine, writer  # noqa: E402
from webapp.models import Assignment, Period, Role, Task, Unit  # noqa: E402
from webapp.schema import upgrade  # noqa: E402

VERSION = re.compile(rb'name="version" type="hidden" value="(\d+)"')


def fetch(client: Client, path: str, encoding: str = "gzip") -> tuple[int, bytes, str]:
    """Status, body as sent, and its Content-Encoding."""
    request = urllib.request.Request(client.base + path, headers={"Accept-Encoding": encoding})
    try:
        with client.opener.open(request, timeout=120) as response:
            return response.status, response.read(), response.headers.get("Content-Encoding", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), ""


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


def measure(base: str, facts: dict, fetches: int) -> dict:
    reviewer, leader, unit = Client(base), Client(base), Client(base)
    reviewer.log_in(REVIEWER)
    leader.log_in(LEADER)
    unit.log_in(facts["busiest_unit"])
    saver = Saver(Client(base), facts["busiest_unit"], facts["saved_row"])
    pages = [
        ("dashboard", leader, "/dashboard"),
        ("overview /tasks", reviewer, "/tasks"),
        ("review desk", reviewer, "/review"),
        ("closed period", reviewer, f"/review/periods/{facts['closed_period']}"),
        ("busiest unit /my", unit, "/my"),
        ("report.xlsx", reviewer, "/exports/report.xlsx"),
        ("report.docx", reviewer, "/exports/report.docx"),
    ]
    results = {}
    for name, client, path in pages:
        fetch(client, path)  # the worker's first rendering of the page (imports, template compilation)
        timings, errors = [], 0
        for _ in range(fetches):
            saver.save()
            start = time.perf_counter()
            status, body, encoding = fetch(client, path)
            timings.append(time.perf_counter() - start)
            errors += status != 200
        raw = decoded(body, encoding)
        _, squeezed, br = fetch(client, path, "br")
        results[name] = {
            "path": path, "p50_ms": statistics.median(timings) * 1000, "p95_ms": percentile(timings, 0.95) * 1000,
            "errors": errors, "raw_bytes": len(raw), "sent_encoding": encoding or "identity",
            "gzip_bytes": len(body) if encoding == "gzip" else None,
            "br_bytes": len(squeezed) if br == "br" else None,
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--fetches", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=None, help="an empty database")
    where.add_argument("--postgresql", action="store_true", help="a PostgreSQL server of its own")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="plan-tracker-province-"))
    server_pg = None
    if args.postgresql:
        from tests.databases import PostgresServer

        try:
            server_pg = PostgresServer().start()
        except BaseException as exc:  # the test helper fails the way a test fails
            print(f"PostgreSQL could not be started: {exc}", file=sys.stderr)
            return 1
        url = server_pg.url(server_pg.create_database())
    else:
        url = args.database_url or f"sqlite:///{workdir / 'province.sqlite3'}"
    engine_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL)"
    gunicorn = None
    try:
        engine = make_engine(url)
        started = time.perf_counter()
        upgrade(engine)
        with Session(writer(engine)) as session:
            province = build_province(session, seed=args.seed, tasks=args.tasks, units=args.units,
                                      periods=args.periods)
        built_in = time.perf_counter() - started
        engine.dispose()
        facts = province_facts(url)

        env = {**os.environ, "INSTANCE_PATH": str(workdir), "SECRET_KEY": "bench", "DATABASE_URL": url}
        port = free_port()
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
             "--timeout", "120", "--log-level", "warning", "webapp:create_app()"], env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if Client(base).request("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        results = measure(base, facts, args.fetches)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=10)
        if server_pg is not None:
            server_pg.stop()

    kb = lambda n: f"{n / 1024:.1f}" if n is not None else "-"  # noqa: E731
    print(f"province (seed {args.seed}): {province.units} units, {province.tasks} rows, {province.assignments} "
          f"assignments, {province.closed} closed quarters + {province.open_label} open; built in {built_in:.1f} s")
    print(f"gunicorn {args.workers} workers, {engine_name}, {os.cpu_count()} cores; each page fetched "
          f"{args.fetches} times right after a save, accepting gzip; busiest unit {facts['busiest_unit']} "
          f"({facts['busiest_rows']} rows)")
    print(f"{'page':<18} {'p50 ms':>8} {'p95 ms':>8} {'raw KB':>8} {'gzip KB':>8} {'br KB':>7} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:<18} {r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f} {kb(r['raw_bytes']):>8} {kb(r['gzip_bytes']):>8} "
              f"{kb(r['br_bytes']):>7} {r['errors']:>7}")
    RESULTS.mkdir(exist_ok=True)
    engine_slug = "postgresql" if engine_name == "PostgreSQL" else "sqlite"
    (RESULTS / f"province-{engine_slug}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(
        {"args": vars(args), "engine": engine_name, "cores": os.cpu_count(), "built_in_s": built_in,
         "province": province.counts, "facts": facts, "results": results}, indent=2))
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
