"""`make bench-catalogue`: what the catalogue costs as it grows — 61 services (ours), 1,000, 3,000.

The larger catalogues are synthetic (tools/bench/catalogue_data.py: the real services varied and
numbered, marked 示例 and SYN-…), written only to a temporary folder and a temporary PostgreSQL
database. For each size, side by side: building the database (segmentation and index, SQLite and
PostgreSQL), searching it (a fixed set of 200 queries, the same at every size; wall time, and the
CPU time of the searching thread, which a busy machine disturbs less), and answering a service
question with the action that does it (actions/answers.py ActionAnswerService, a real tracker,
the store of the size at hand). NLU training at each size is measured only with --train-sizes (a
training takes about six minutes of both cores here), otherwise the last training of the real
data is quoted. Prints the figures and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bot import paths
from bot.catalogue import load_services
from bot.catalogue.schema import Service
from bot.catalogue.store import URL_ENV, CatalogueStore, create_store
from bot.catalogue.tokens import Tokenize, default_tokenizer
from bot.endpoints import drop_database, ensure_database
from tools.bench.catalogue_data import bench_queries, synthetic_catalogue
from tools.bench.catalogue_training import training_seconds
from tools.bench.report import BENCHMARKS, write_section

SIZES = (61, 1000, 3000)
PG_URL = os.environ.get("CATALOGUE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
HEADING = "Catalogue size (make bench-catalogue)"
PLAIN = "PostgreSQL, a statement per read"  # store.plain_reads: as before bot/catalogue/pg_reads.py
ACTION_QUESTIONS = 60


@dataclass
class Figures:
    """One catalogue size's measurements (milliseconds unless named otherwise)."""

    size: int
    build_s: dict[str, float] = field(default_factory=dict)  # backend → seconds
    search_ms: dict[str, list[float]] = field(default_factory=dict)  # backend → per query
    search_cpu_ms: list[float] = field(default_factory=list)  # SQLite, the searching thread
    action_ms: list[float] = field(default_factory=list)
    action_cpu_ms: list[float] = field(default_factory=list)  # the process: the action and its thread
    training: str = ""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p50: share 0.5)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {percentile(values, 0.95):.2f}" if values else "—"


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for the run (dropped afterwards), or None when the server
    cannot be reached (the PostgreSQL columns then say so)."""
    url = sa.engine.make_url(PG_URL).set(database=f"bench_catalogue_{uuid.uuid4().hex[:10]}")
    url_text = url.render_as_string(hide_password=False)
    try:
        ensure_database(url_text, timeout=5)
    except sa.exc.OperationalError as error:
        print(f"bench: PostgreSQL at {PG_URL} unreachable ({error.orig}); SQLite only", flush=True)
        yield None
        return
    try:
        yield url_text
    finally:
        drop_database(url_text)


def timed_build(url: str, services: list[Service], tokenize: Tokenize) -> tuple[CatalogueStore, float]:
    store = create_store(url, tokenize=tokenize)
    started = time.perf_counter()
    store.replace_all(services)
    return store, time.perf_counter() - started


def timed_searches(store: CatalogueStore, queries: list[str]) -> tuple[list[float], list[float]]:
    """Wall and thread-CPU milliseconds of each query (after one pass that warms the caches)."""
    for query in queries:
        store.search(query, 3)
    wall, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        store.search(query, 3)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def timed_alternately(store: CatalogueStore, queries: list[str]) -> tuple[list[float], list[float]]:
    """Wall milliseconds of each query as the store reads it and with `plain_reads` (every read
    its own statement, as before bot/catalogue/pg_reads.py), the two asked in turn query by query
    (which goes first alternating), after a warm-up pass of each: both meet the same load."""
    def timed(plain: bool, query: str) -> float:
        store.plain_reads = plain
        started = time.perf_counter()
        store.search(query, 3)
        return (time.perf_counter() - started) * 1000

    for plain in (True, False):
        for query in queries:
            timed(plain, query)
    now, before = [], []
    for index, query in enumerate(queries):
        for plain in ((True, False) if index % 2 else (False, True)):
            (before if plain else now).append(timed(plain, query))
    store.plain_reads = False
    return now, before


def service_questions(real: list[Service]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Questions about services and the entities the NLU gives them: every other one names its
    service (entity `service`), the others are searched by their whole text."""
    endings = (("要带什么材料", "材料"), ("在哪里办", "地点"), ("多久能办好", "时限"))
    questions = []
    for index, service in enumerate(real[:ACTION_QUESTIONS]):
        ending, aspect = endings[index % len(endings)]
        named = index % 2 == 0
        text = f"{service.name if named else (service.aliases or (service.name,))[0]}{ending}"
        entities = [("field", aspect)] + ([("service", service.name)] if named else [])
        questions.append((text, entities))
    return questions


def timed_action(url: str, questions: list[tuple[str, list[tuple[str, str]]]]
                 ) -> tuple[list[float], list[float]]:
    """Wall and process-CPU milliseconds of ActionAnswerService.run per question (the store is
    read in a worker thread), on the catalogue at `url`."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    import actions.answers as answers

    os.environ[URL_ENV] = url
    answers.store.cache_clear()
    answers._router.cache_clear()
    action, loop, times, cpu = answers.ActionAnswerService(), asyncio.new_event_loop(), [], []
    try:
        for attempt in range(2):  # the first pass loads the knowledge and warms the caches
            for text, entities in questions:
                parse = {"text": text, "intent": {"name": "ask_service", "confidence": 0.9},
                         "entities": [{"entity": e, "value": v} for e, v in entities]}
                tracker = Tracker("bench", {}, parse, [], False, None, {}, "action_listen")
                dispatcher = CollectingDispatcher()
                started, started_cpu = time.perf_counter(), time.process_time()
                loop.run_until_complete(action.run(dispatcher, tracker, {}))
                if attempt:
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    times.append((time.perf_counter() - started) * 1000)
                if not dispatcher.messages:
                    raise RuntimeError(f"bench: no answer to {text!r}")
    finally:
        loop.close()
        answers.store().close()
        answers.store.cache_clear()
        answers._router.cache_clear()
        os.environ.pop(URL_ENV, None)
    return times, cpu


def measure(size: int, real: list[Service], tokenize: Tokenize, folder: Path, pg_url: str | None,
            queries: list[str], training: Callable[[int], str]) -> Figures:
    figures = Figures(size)
    services = synthetic_catalogue(real, size)
    sqlite_url = f"sqlite:///{folder / f'catalogue-{size}.db'}"
    store, figures.build_s["SQLite"] = timed_build(sqlite_url, services, tokenize)
    figures.search_ms["SQLite"], figures.search_cpu_ms = timed_searches(store, queries)
    store.close()
    if pg_url is not None:
        store, figures.build_s["PostgreSQL"] = timed_build(pg_url, services, tokenize)
        figures.search_ms["PostgreSQL"], figures.search_ms[PLAIN] = timed_alternately(store, queries)
        store.close()
    figures.action_ms, figures.action_cpu_ms = timed_action(sqlite_url, service_questions(real))
    figures.training = training(size)
    print(f"bench: {size} services: build " + ", ".join(f"{k} {v:.1f} s" for k, v in figures.build_s.items())
          + "; search p50/p95 " + ", ".join(f"{k} {spread(v)} ms" for k, v in figures.search_ms.items())
          + f" (SQLite CPU {spread(figures.search_cpu_ms)} ms); action {spread(figures.action_ms)} ms "
          f"(CPU {spread(figures.action_cpu_ms)} ms); "
          f"NLU training: {figures.training}", flush=True)
    return figures


def last_training() -> str:
    """The last training of the real data that tools.setup recorded in docs/benchmarks.md."""
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else ""
    match = re.search(r"^## Last training run.*?\n\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    seconds = re.search(r"(\d+) s", match.group(1)) if match else None
    return f"{seconds.group(1)} s (last run)" if seconds else "no run recorded"


def training_figure(train_sizes: set[int]) -> Callable[[int], str]:
    """The NLU training cell of a size: measured, or the last run of the real data, or skipped."""
    def figure(size: int) -> str:
        if size in train_sizes:
            return f"{training_seconds(size):.0f} s (measured)"
        return last_training() if size == len(load_services()) else "skipped"
    return figure


TRAINING_NOTE = ("NLU training: measured only with `python -m tools.bench.catalogue --train-sizes "
                 "61,1000,3000` (a scratch copy of the project trained with a catalogue of that size: 12 "
                 "to 14 minutes each on this machine's two cores shared with other sessions' trainings, "
                 "5 to 6 alone); "
                 "otherwise the real catalogue's cell quotes the last training tools.setup recorded "
                 "(section “Last training run”) and the others say skipped.")


def table(results: list[Figures]) -> str:
    backends = [b for b in ("SQLite", "PostgreSQL") if any(b in r.build_s for r in results)]
    searched = backends + [PLAIN] * any(PLAIN in r.search_ms for r in results)
    header = (["services"] + [f"build {b}" for b in backends] + [f"search {b} p50 / p95" for b in searched]
              + ["search SQLite CPU p50 / p95", "answer_service p50 / p95", "answer_service CPU p50 / p95",
                 "NLU training"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        cells = [f"{r.size:,}"] + [f"{r.build_s[b]:.1f} s" if b in r.build_s else "—" for b in backends]
        cells += [f"{spread(r.search_ms[b])} ms" if b in r.search_ms else "—" for b in searched]
        cells += [f"{spread(r.search_cpu_ms)} ms", f"{spread(r.action_ms)} ms",
                  f"{spread(r.action_cpu_ms)} ms", r.training]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ensure_segmenter() -> None:
    """The spaCy pipeline search segments with (set-up steps 2–4; no model training)."""
    from tools.setup import step_generate, step_pkuseg, step_spacy

    step_generate()
    step_pkuseg()
    step_spacy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="catalogue sizes (default 61,1000,3000)")
    parser.add_argument("--train-sizes", default="", help="sizes to train the NLU at, e.g. 61,1000 (slow)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    train_sizes = {int(s) for s in args.train_sizes.split(",") if s}
    ensure_segmenter()
    real, tokenize = load_services(), default_tokenizer()
    queries = bench_queries(real)
    load_before, started = os.getloadavg()[0], time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as folder, postgres_database() as pg_url:
        results = [measure(size, real, tokenize, Path(folder), pg_url, queries, training_figure(train_sizes))
                   for size in sizes]
    load_after = os.getloadavg()[0]
    body = f"{table(results)}\n\n{TRAINING_NOTE}"
    print(body)
    if args.no_write:
        return 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.PROJECT,
                            capture_output=True, text=True).stdout.strip()
    write_section(HEADING, (
        f"Measured {dt.date.today().isoformat()} at commit {commit}, {os.cpu_count()} cores **shared with "
        f"other sessions** (load average {load_before:.1f} at the start, {load_after:.1f} at the end, "
        f"{(time.monotonic() - started) / 60:.1f} min): wall times are inflated by whatever else ran; the "
        f"CPU columns (the searching thread's CPU time; for answer_service the process's, as the action reads "
        f"the store in a worker thread) are less so. Catalogues: the real one (61 services) "
        f"and synthetic ones derived from it (tools/bench/catalogue_data.py), in a temporary folder and a "
        f"temporary PostgreSQL database. Build: `replace_all` (segmenting with {getattr(tokenize, 'name', '?')} "
        f"and writing the search index). Search: `store.search(query, 3)` over {len(queries)} fixed queries "
        f"(names, aliases, questions around them, parts of names, materials, departments), after one warm-up "
        f"pass, milliseconds p50 / p95; on PostgreSQL as the store reads (a search's rounds in one prepared "
        f"statement each, bot/catalogue/pg_reads.py, and the services found kept per build) and "
        f"“{PLAIN}” (`plain_reads`: every read its own statement, the services' data read each time, as "
        f"before), the two asked in turn query by query. answer_service: `ActionAnswerService.run` on "
        f"{ACTION_QUESTIONS} "
        f"service questions (half naming the service as the NLU's entity), SQLite, milliseconds. Target: "
        f"search under 5 ms at 3,000 services.\n\n{body}\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
