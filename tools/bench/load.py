"""`make bench-load`: concurrent simulated users through each channel, ours against stock Rasa.

In one run, with the same trained model, all started side by side and then driven in turn (each
user count in a few slices, the set-ups taking turns, so that all meet the same machine load):
  ours      one instance as `make run` starts it (guarded REST channel, masking SQLite tracker
            store, in-memory lock store) and its action server;
  cluster   `make run-cluster` (two instances on PostgreSQL + Redis) through nginx's one port;
  stock     `rasa run --model …` with default settings: the plain REST channel, in-memory tracker
            and lock stores, an endpoints file with the action endpoint only (the same action
            server, which the knowledge and catalogue answers need).
Users of `ours, one instance` come through each of `--channels` in turn (REST, the widget's
socket.io, WeChat in 安全模式: tools/bench/users.py, socketio_users.py, wechat_users.py), a row per
channel; the cluster and stock Rasa are driven through REST.
Each simulated user is one conversation of a few turns (a greeting, knowledge questions from
sources/knowledge, catalogue questions from sources/catalogue, ../shared/eval questions, follow-ups,
thanks), sent one message at a time with no pause: a closed loop, N users keep N messages in
flight. Users start over with a new conversation until the time is up. Prints throughput,
latency percentiles, errors (HTTP errors, timeouts, refused connections, empty or unreadable
replies, the guard's apology, rate-limit or session refusals) and the resident memory of every
process of the set-up, and writes the table to docs/benchmarks.md.
Our set-ups run with the deployment's rate limits (bot/guard/rate.py) unless `--rate-limit` says
otherwise; the run prints which. A simulated conversation has at most 8 messages, under the
per-conversation limit (30 in 10 s), and the load generator is on loopback, which is not limited
per address (nor is nginx's forwarded loopback address in the cluster).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths
from bot.endpoints import StoreURLs, drop_database
from bot.eval_sets import SHARED_EVAL
from bot.guard.rate import ADDRESS_RATE_LIMIT_ENV, RATE_LIMIT_ENV, RateLimits
from bot.model import model_path
from bot.processes import free_port
from bot.serve import Servers
from bot.supervision import Program
from tools.bench.report import current_commit, write_section
from tools.bench.socketio_users import SocketIOChannel
from tools.bench.users import Channel, RestChannel, Result, closed_loop, merge
from tools.bench.wechat_users import WeChatAccount, WeChatChannel
from tools.fake_wechat_api import FakeWeChatAPI
from tools.loop_thread import LoopThread

MAX_USERS = 200
MAX_SECONDS = 300
WARM_UP_SECONDS = 5  # 4 users, each channel
CHANNELS = ("rest", "socketio", "wechat")
EVAL_QUESTIONS = SHARED_EVAL / "dev_questions.yml"
FOLLOW_UPS_KNOWLEDGE = ("还有吗", "具体在哪", "那住房呢？", "能详细说说吗")
FOLLOW_UPS_SERVICE = ("要带什么材料", "在哪办", "多久能办好", "需要什么条件")
SERVICE_FORMS = ("{}怎么办理", "{}需要什么材料", "{}在哪办", "我想申请{}")


# ---------------------------------------------------------------- the questions users ask

@dataclass
class Questions:
    greetings: list[str]
    closings: list[str]
    knowledge: list[str]
    services: list[str]
    evaluation: list[str]

    @classmethod
    def load(cls) -> Questions:
        chitchat = _nlu_examples(paths.NLU / "chitchat.yml")
        knowledge = []
        for path in sorted(paths.KNOWLEDGE.glob("*.yml")):
            for topic in (yaml.safe_load(path.read_text(encoding="utf-8")).get("topics") or {}).values():
                knowledge += topic.get("examples") or []
        services = []
        for path in sorted(paths.CATALOGUE_DATA.glob("*.yml")):
            services += [service["name"] for service in yaml.safe_load(path.read_text(encoding="utf-8"))["services"]]
        evaluation = []
        if EVAL_QUESTIONS.exists():
            evaluation = [q["ask"] for q in yaml.safe_load(EVAL_QUESTIONS.read_text(encoding="utf-8"))["questions"]]
        return cls(greetings=chitchat.get("greet", ["您好"]),
                   closings=chitchat.get("thank", []) + chitchat.get("goodbye", []),
                   knowledge=knowledge, services=services, evaluation=evaluation or knowledge)

    def conversation(self, rng: random.Random) -> list[str]:
        """One resident's visit: maybe a greeting, two or three questions with follow-ups, maybe thanks."""
        turns = [rng.choice(self.greetings)] if rng.random() < 0.5 else []
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.45:
                turns.append(rng.choice(self.knowledge))
                if rng.random() < 0.4:
                    turns.append(rng.choice(FOLLOW_UPS_KNOWLEDGE))
            elif kind < 0.75:
                turns.append(rng.choice(SERVICE_FORMS).format(rng.choice(self.services)))
                if rng.random() < 0.5:
                    turns.append(rng.choice(FOLLOW_UPS_SERVICE))
            else:
                turns.append(rng.choice(self.evaluation))
        if rng.random() < 0.4:
            turns.append(rng.choice(self.closings))
        return turns


def _nlu_examples(path: Path) -> dict[str, list[str]]:
    examples = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" in block:
            examples[block["intent"]] = [line.strip()[2:] for line in block["examples"].splitlines()
                                         if line.strip().startswith("- ")]
    return examples


# ---------------------------------------------------------------- the set-ups under load

def group_usage(pgids: list[int]) -> tuple[float, float]:
    """(resident MiB, CPU seconds so far) of every process in these process groups (Sanic
    workers and nginx's included)."""
    rss_kib, ticks = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) not in pgids:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss_kib += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return rss_kib / 1024, ticks / os.sysconf("SC_CLK_TCK")


class Setup:
    """One set-up under test: started, its public URL, the process groups it runs, the channels
    its users come through (REST unless the set-up says otherwise)."""

    name = ""
    url = ""

    def channels(self) -> list[Channel]:
        return [RestChannel(self.url)]

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def pgids(self) -> list[int]:
        raise NotImplementedError


def _pgids(servers: Servers) -> list[int]:
    """The process groups of the set-up's programs (supervisord starts each in a group of its own)."""
    return [pid for pid in servers.pids().values() if pid]


class Ours(Setup):
    """One instance as `make run` starts it. With `channels` beyond REST, users also come through
    the widget's socket.io channel (with the widget page's origin) and as WeChat followers of an
    account made up for the run, in 安全模式, whose customer-service API is the fake one
    (tools/fake_wechat_api.py), served by the benchmark on a free port."""

    name = "ours, one instance"

    def __init__(self, model: Path, folder: Path, env: dict[str, str] | None = None,
                 channels: tuple[str, ...] = ("rest",)) -> None:
        self.channel_names = channels
        self.account = WeChatAccount.made_up() if "wechat" in channels else None
        self.wechat_api = FakeWeChatAPI(self.account.appid, self.account.secret) if self.account else None
        self.api_loop: LoopThread | None = None
        wechat_env = self.account.env(self.wechat_api.url) if self.account else {}
        self.servers = Servers(model=model, rasa_port=free_port(), actions_port=free_port(),
                               tracker_db=folder / "tracker.db", log_dir=folder / "logs", stores=StoreURLs(),
                               extra_env={**wechat_env, **(env or {})}, quiet=True)
        self.url = self.servers.rasa_url

    def channels(self) -> list[Channel]:
        made = {"rest": lambda: RestChannel(self.url),
                "socketio": lambda: SocketIOChannel(self.url, self.servers.widget_origin),
                "wechat": lambda: WeChatChannel(self.url, self.account, self.wechat_api)}
        return [made[name]() for name in self.channel_names]

    def start(self) -> None:
        if self.wechat_api:
            self.api_loop = LoopThread()
            self.api_loop.run(self.wechat_api.start())
        self.servers.start()

    def stop(self) -> None:
        self.servers.stop()
        if self.api_loop:
            self.api_loop.run(self.wechat_api.stop())
            self.api_loop.stop()

    def pgids(self) -> list[int]:
        return _pgids(self.servers)


class OurCluster(Setup):
    def __init__(self, model: Path, folder: Path, workers: int, env: dict[str, str] | None = None) -> None:
        from tools.cluster import Cluster
        self.database = f"shizhong_bench_{uuid.uuid4().hex[:8]}"
        self.stores = StoreURLs(f"postgresql://postgres@127.0.0.1:5432/{self.database}", "redis://127.0.0.1:6379/0")
        self.cluster = Cluster(model=model, stores=self.stores, public_port=free_port(),
                               instance_ports=(free_port(), free_port()), actions_port=free_port(),
                               with_web=False, folder=folder, workers=workers, extra_env=dict(env or {}),
                               quiet=True)
        self.name = "our cluster via nginx" + (f" ({workers} workers each)" if workers > 1 else "")
        self.url = self.cluster.public_url

    def start(self) -> None:
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()
        drop_database(self.stores.tracker_store)

    def pgids(self) -> list[int]:
        return _pgids(self.cluster.front)


@dataclass
class StockServers(Servers):
    """Our action server with Rasa's own `rasa run --model …`: default settings, the plain REST
    channel, in-memory stores, an endpoints file with the action endpoint only."""

    folder: Path = Path()

    def parse(self, text: str) -> dict:
        """Stock `rasa run` has no HTTP API to parse with: the actions warm up on the bare text
        (their search falls back to bigrams for it; residents' messages carry the NLU's segments)."""
        return {"text": text, "intent": {}, "entities": []}

    def rasa_program(self, name: str = "rasa") -> Program:
        endpoints, credentials = self.folder / "endpoints.yml", self.folder / "credentials.yml"
        endpoints.write_text(f"action_endpoint:\n  url: {self.actions_url}/webhook\n")
        credentials.write_text("rest:\n")
        return Program(name, [sys.executable, "-m", "rasa", "run", "--model", str(self.model),
                              "--port", str(self.rasa_port), "--endpoints", str(endpoints),
                              "--credentials", str(credentials)], start_seconds=10)


class Stock(Setup):
    name = "stock rasa run"

    def __init__(self, model: Path, folder: Path) -> None:
        self.servers = StockServers(model=model, rasa_port=free_port(), actions_port=free_port(),
                                    log_dir=folder / "logs", stores=StoreURLs(), quiet=True, folder=folder)
        self.url = self.servers.rasa_url

    def start(self) -> None:
        self.servers.start()

    def stop(self) -> None:
        self.servers.stop()

    def pgids(self) -> list[int]:
        return _pgids(self.servers)


@dataclass
class Row:
    setup: str
    users: int
    result: Result
    memory_mib: float
    cpu_seconds: float  # of the set-up's processes during the row

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds * 1000 / max(1, len(self.result.latencies))


def row_name(setup: Setup, channel: Channel, channels: list[Channel]) -> str:
    """The set-up's name, and the channel's when its users come through several."""
    return f"{setup.name}, {channel.name}" if len(channels) > 1 else setup.name


def measure(setups: list[Setup], user_counts: list[int], seconds: float, rounds: int,
            questions: Questions) -> list[Row]:
    """Start every set-up, then drive them in turn, `rounds` slices of each user count (each
    channel of a set-up in turn), so that all meet the same machine (others' jobs come and go);
    idle set-ups use no CPU meanwhile."""
    try:
        lanes = []  # (row name, set-up, channel)
        for setup in setups:
            print(f"bench: starting {setup.name} …", flush=True)
            started = time.monotonic()
            setup.start()
            print(f"bench: {setup.name} up in {time.monotonic() - started:.0f} s; warming up", flush=True)
            channels = setup.channels()
            for channel in channels:
                asyncio.run(closed_loop(channel, 4, WARM_UP_SECONDS, questions, seed=0))
                lanes.append((row_name(setup, channel, channels), setup, channel))
        rows = []
        for users in user_counts:
            results = {name: Result() for name, _, _ in lanes}
            cpu = dict.fromkeys(results, 0.0)
            for number in range(rounds):
                for name, setup, channel in lanes:
                    _, cpu_before = group_usage(setup.pgids())
                    part = asyncio.run(closed_loop(channel, users, seconds / rounds, questions,
                                                   seed=users * 1000 + number))
                    cpu[name] += group_usage(setup.pgids())[1] - cpu_before
                    merge(results[name], part)
            for name, setup, _ in lanes:
                row = Row(name, users, results[name], group_usage(setup.pgids())[0], cpu[name])
                print(f"bench: {format_row(row)}", flush=True)
                rows.append(row)
        return rows
    finally:
        for setup in setups:
            setup.stop()


def format_row(row: Row) -> str:
    r = row.result
    kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(r.errors.items()))
    errors = f"{r.error_count} ({kinds})" if r.errors else "0"
    cells = [row.setup, row.users, len(r.latencies), f"{r.throughput:.1f}",
             *(f"{r.percentile(q) * 1000:.0f}" for q in (50, 95, 99)), errors, f"{row.cpu_ms_per_message:.0f}",
             f"{row.memory_mib:,.0f}"]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def table(rows: list[Row]) -> str:
    header = ["set-up", "users", "messages", "messages/s", "p50 ms", "p95 ms", "p99 ms", "errors",
              "CPU ms/message", "resident MiB"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [format_row(row) for row in rows]
    stock = {row.users: row.result.throughput for row in rows if row.setup.startswith("stock")}
    ratios = [f"{row.setup}, {row.users} users: {row.result.throughput / stock[row.users]:.2f}×"
              for row in rows if not row.setup.startswith("stock") and stock.get(row.users)]
    if ratios:
        lines += ["", "Throughput against stock Rasa at the same number of users: " + "; ".join(ratios) + "."]
    late = [f"{row.setup}, {row.users} users: {row.result.late} of {len(row.result.latencies)}"
            for row in rows if row.result.late]
    if late:
        lines += ["", "Answers that came through WeChat's customer-service API, after the passive reply's "
                  "4 s (not errors; their latency is until they arrived): " + "; ".join(late) + "."]
    return "\n".join(lines)


def rate_limits(env: dict[str, str]) -> str:
    """The rate limits our set-ups run with, in words (the deployment's unless `env` changes them)."""
    settings = {name: value for name, value in os.environ.items() if name in (RATE_LIMIT_ENV, ADDRESS_RATE_LIMIT_ENV)}
    limits = RateLimits.from_env({**settings, **env, "REDIS_URL": ""})
    source = f"set with {RATE_LIMIT_ENV}={env[RATE_LIMIT_ENV]}" if env else "the deployment's defaults"
    return (f"{source}, per conversation (a REST sender, a widget session, a WeChat follower) "
            f"{limits.per_conversation or 'off'} (a simulated conversation has at most 8); the load generator "
            f"is on loopback, not limited per address")


def channel_words(channels: tuple[str, ...]) -> str:
    """How the users reach `ours, one instance`, in words, when not only through REST."""
    if channels == ("rest",):
        return ""
    words = {"rest": "REST (a POST per message)",
             "socketio": "the widget's socket.io (a client per conversation, over websocket with the widget's "
                         "origin and the session id the server signed; a turn ends with its acknowledgement)",
             "wechat": "WeChat (a follower per conversation; messages signed and encrypted in 安全模式 with "
                       "wechatpy; the passive reply, or the customer-service API's, a fake one the benchmark "
                       "serves)"}
    return " (`ours, one instance` through " + ", ".join(words[name] for name in channels) + \
        "; the cluster and stock Rasa through REST)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,50", help="comma-separated user counts (default 10,50)")
    parser.add_argument("--seconds", type=float, default=30, help="seconds per user count (default 30)")
    parser.add_argument("--setups", default="ours,cluster,stock", help="which set-ups (default all three)")
    parser.add_argument("--channels", default=",".join(CHANNELS),
                        help="the channels of `ours, one instance`: rest, socketio, wechat (default all three; "
                             "the cluster and stock Rasa are driven through REST)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="slices per user count, the set-ups taking turns (default 3)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SANIC_WORKERS", "1")),
                        help="Sanic workers per cluster instance (default 1)")
    parser.add_argument("--rate-limit", default=os.environ.get(RATE_LIMIT_ENV, ""),
                        help="RATE_LIMIT for our set-ups, e.g. 1000/10 or off (default: the deployment's, 30/10)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md")
    args = parser.parse_args(argv)
    user_counts = [int(n) for n in args.users.split(",")]
    if not all(1 <= n <= MAX_USERS for n in user_counts) or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"users 1…{MAX_USERS}, seconds 1…{MAX_SECONDS}")
    channels = tuple(name.strip() for name in args.channels.split(",") if name.strip())
    if not channels or not set(channels) <= set(CHANNELS):
        parser.error(f"channels: some of {', '.join(CHANNELS)}")
    model = model_path()
    if not model.exists():
        models = sorted(paths.MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not models:
            print("bench: no trained model; run `make setup`", file=sys.stderr)
            return 1
        model = models[-1]
    questions = Questions.load()
    limits_env = {RATE_LIMIT_ENV: args.rate_limit} if args.rate_limit else {}
    limits = rate_limits(limits_env)
    print(f"bench: rate limits of our set-ups: {limits}", flush=True)
    # Stopped from outside, the set-up under test is still stopped (`measure`'s finally).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    load_before = os.getloadavg()[1]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        factories = {"ours": lambda: Ours(model, Path(scratch) / "ours", limits_env, channels),
                     "cluster": lambda: OurCluster(model, Path(scratch) / "cluster", args.workers, limits_env),
                     "stock": lambda: Stock(model, Path(scratch) / "stock")}
        names = args.setups.split(",")
        for name in names:
            (Path(scratch) / name).mkdir()
        rows = measure([factories[name]() for name in names], user_counts, args.seconds, args.rounds, questions)
    text = table(rows)
    print(text)
    if not args.no_write:
        commit = current_commit()
        write_section("Load (make bench-load)",
                      f"Measured {dt.date.today().isoformat()} at commit {commit}, {os.cpu_count()} cores shared "
                      f"with the load generator (and whatever else ran); model {model.name}. Closed-loop users "
                      f"(no pause between messages), {args.seconds:.0f} s per row in {args.rounds} slices taken in "
                      f"turn with the other set-ups and channels{channel_words(channels)}, a mix of "
                      f"{len(questions.knowledge)} "
                      f"knowledge, {len(questions.services)}×{len(SERVICE_FORMS)} catalogue, "
                      f"{len(questions.evaluation)} evaluation and chitchat questions with follow-ups. "
                      f"Resident memory and CPU: every process of the set-up (Rasa, actions, nginx; not PostgreSQL, "
                      f"Redis or the load generator). Rate limits of our set-ups: {limits}. "
                      f"Machine load (5-minute average) {load_before:.1f} before the "
                      f"run, {os.getloadavg()[1]:.1f} after it."
                      f"\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
