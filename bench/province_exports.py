"""Benchmark: the official Excel and Word reports of a whole synthetic province (bench/province.py:
1000 rows, 300 units, 12 closed quarters by default), generated in this process, without a server.

Each run does what a request for /exports/report.xlsx or /exports/report.docx does, in a session of
its own: build the board (services/dashboard.py), then write the report from it; the two are timed
apart, wall clock and CPU, and the median and the 95th percentile are over --runs runs, after one
untimed run of each report. Memory: the process's peak resident size (ru_maxrss) after the board,
after the Excel runs and after the Word runs — a high-water mark, so each figure includes the ones
before it — and, measured apart in one more run of each report under tracemalloc, the peak of what
writing the report alone allocates in Python (lxml's trees, held by libxml2, are not counted there:
the resident size shows them).

    .venv/bin/python bench/province_exports.py [--seed 1] [--tasks 1000] [--units 300] [--periods 12]
        [--runs 5] [--period today|closed] [--database-url URL | --postgresql]

--period closed reports on the latest closed quarter instead of today. Without a database it builds
the province in a fresh SQLite file (WAL mode) in a temporary directory; --database-url takes an
empty database, where it builds the province, or one where a province was built before (by this
script or bench/province.py), which it reuses; --postgresql starts a PostgreSQL server of its own
from the installed server binaries, as the tests do. The province is built in a child process, so
that its peak memory is not the one reported here.
"""

import argparse
import json
import math
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from bench.province import build_province  # noqa: E402
from bench.run import RESULTS, start_postgresql  # noqa: E402
from webapp.database import make_engine, writer  # noqa: E402
from webapp.models import Period, Plan, Unit  # noqa: E402
from webapp.schema import upgrade  # noqa: E402
from webapp.services import clock, official_report  # noqa: E402
from webapp.services.dashboard import build  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _build(url: str, seed: int, tasks: int, units: int, periods: int) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    with Session(writer(engine)) as session:
        province = build_province(session, seed=seed, tasks=tasks, units=units, periods=periods)
    engine.dispose()
    return province.counts


def province_in(url: str, args) -> tuple[dict, float | None]:
    """The province's counts, and how long building it took (None when it was there already)."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        built_before = session.exec(select(Unit.id)).first() is not None
    engine.dispose()
    if built_before:
        return {}, None
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        counts = pool.apply(_build, (url, args.seed, args.tasks, args.units, args.periods))
    return counts, time.perf_counter() - started


def write_report(fmt: str, session: Session, plan: Plan, board) -> bytes:
    """The report as the exports blueprint writes it."""
    if fmt == "xlsx":
        return official_report.xlsx(session, plan, board)
    focal = session.get(Unit, plan.focal_unit_id) if plan.focal_unit_id else None
    return official_report.docx(session, plan, board, issuer=plan.issuer or "UBND tỉnh",
                                agency=focal.name if focal else "Cơ quan đầu mối", today=clock.today())


def one_run(engine, plan_id: int, period_id: int | None, fmt: str, traced: bool = False) -> dict:
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        period = session.get(Period, period_id) if period_id is not None else None
        wall, cpu = time.perf_counter(), time.process_time()
        board = build(session, plan=plan, period=period, today=clock.today())
        board_wall, board_cpu = time.perf_counter() - wall, time.process_time() - cpu
        if traced:
            tracemalloc.start()
        wall, cpu = time.perf_counter(), time.process_time()
        data = write_report(fmt, session, plan, board)
        report_wall, report_cpu = time.perf_counter() - wall, time.process_time() - cpu
        traced_peak = None
        if traced:
            traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return {"board_wall": board_wall, "board_cpu": board_cpu, "report_wall": report_wall,
            "report_cpu": report_cpu, "bytes": len(data), "traced_peak": traced_peak}


def summary(values: list[float]) -> dict:
    return {"p50_ms": statistics.median(values) * 1000, "p95_ms": percentile(values, 0.95) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--period", choices=["today", "closed"], default="today")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=None, help="an empty database, or one holding a province")
    where.add_argument("--postgresql", action="store_true", help="a PostgreSQL server of its own")
    args = parser.parse_args()

    server_pg = None
    if args.postgresql:
        server_pg = start_postgresql()
        if server_pg is None:
            return 1
        url = server_pg.url(server_pg.create_database())
    elif args.database_url:
        url = args.database_url
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='plan-tracker-exports-')) / 'province.sqlite3'}"
    engine_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL)"
    try:
        counts, built_in = province_in(url, args)
        engine = make_engine(url)
        with Session(engine) as session:
            plan_id = session.exec(select(Plan.id).order_by(Plan.id)).first()
            period_id = None
            if args.period == "closed":
                period_id = session.exec(select(Period.id).where(Period.closed_at.is_not(None))
                                         .order_by(Period.starts_on.desc())).first()
            period = session.get(Period, period_id) if period_id is not None else None
            build(session, plan=session.get(Plan, plan_id), period=period, today=clock.today())  # the first, untimed
        runs: dict[str, list[dict]] = {}
        memory = {"rss_after_board_mb": peak_rss_mb()}
        for fmt in ("xlsx", "docx"):
            one_run(engine, plan_id, period_id, fmt)  # first use of the report's libraries
            runs[fmt] = [one_run(engine, plan_id, period_id, fmt) for _ in range(args.runs)]
            memory[f"rss_after_{fmt}_mb"] = peak_rss_mb()
        for fmt in ("xlsx", "docx"):
            memory[f"traced_{fmt}_mb"] = one_run(engine, plan_id, period_id, fmt, traced=True)["traced_peak"] / 2**20
        engine.dispose()
    finally:
        if server_pg is not None:
            server_pg.stop()

    boards = [run for fmt_runs in runs.values() for run in fmt_runs]
    results = {
        "board": {"wall": summary([r["board_wall"] for r in boards]), "cpu": summary([r["board_cpu"] for r in boards])},
        **{fmt: {"wall": summary([r["report_wall"] for r in fmt_runs]),
                 "cpu": summary([r["report_cpu"] for r in fmt_runs]), "bytes": fmt_runs[-1]["bytes"]}
           for fmt, fmt_runs in runs.items()},
    }
    if built_in is None:
        print(f"province reused from {url}")
    else:
        print(f"province (seed {args.seed}): {counts.get('unit')} units, {counts.get('task')} rows, "
              f"{args.periods} closed quarters; built in {built_in:.1f} s")
    print(f"{engine_name}, {os.cpu_count()} cores; report on {args.period}; {args.runs} runs each, after one untimed")
    print(f"{'':<8} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'KB':>8}")
    for name, r in results.items():
        size = f"{r['bytes'] / 1024:.0f}" if "bytes" in r else "-"
        print(f"{name:<8} {r['wall']['p50_ms']:>8.0f} {r['wall']['p95_ms']:>8.0f} {r['cpu']['p50_ms']:>8.0f} "
              f"{r['cpu']['p95_ms']:>8.0f} {size:>8}")
    print(f"peak RSS: {memory['rss_after_board_mb']:.0f} MB after the board, {memory['rss_after_xlsx_mb']:.0f} MB "
          f"after the Excel runs, {memory['rss_after_docx_mb']:.0f} MB after the Word runs; traced peak of "
          f"writing a report: Excel {memory['traced_xlsx_mb']:.1f} MB, Word {memory['traced_docx_mb']:.1f} MB")
    RESULTS.mkdir(exist_ok=True)
    engine_slug = "postgresql" if engine_name == "PostgreSQL" else "sqlite"
    (RESULTS / f"exports-{engine_slug}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(
        {"args": vars(args), "engine": engine_name, "cores": os.cpu_count(), "built_in_s": built_in,
         "province": counts, "results": results, "memory": memory}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
