"""`make bench-faults`: the cluster under 10-user load, one fault after another.

The cluster of `make run-cluster` (two instances behind nginx, the action server, all under one
supervisord) with its PostgreSQL and Redis reached through TCP proxies (tools/tcp_proxy.py) that
can be cut. For each fault in turn, while closed-loop users (10 by default) talk to nginx's public
port through REST:
  instance killed   SIGKILL to one Rasa instance; supervisord starts it again, nginx sends its
                    traffic to the other meanwhile
  actions killed    SIGKILL to the action server; residents get the apology until it is back
  PostgreSQL cut    the tracker store's proxy cut for 10 s (connections dropped, new ones
                    refused), then restored
  Redis cut         the lock store's proxy, the same
Per fault: requests, those with no answer (HTTP error, timeout, empty), those answered with the
apology naming 12345, seconds until the killed process answered again, seconds until the last
unanswered request (from the kill, or from the store's return), and turns lost: answers the
users saw that are not in the tracker store (PostgreSQL read directly at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.channels.conversations import REST_PREFIX, rest_conversation
from bot.endpoints import StoreURLs, drop_database
from bot.guard.replies import UNAVAILABLE, clean_text
from bot.model import model_path
from bot.privacy.masking import mask_text
from bot.processes import free_port
from bot.serve import watch
from tools.bench.load import Questions
from tools.bench.report import current_commit, write_section
from tools.cluster import Cluster
from tools.loop_thread import LoopThread
from tools.tcp_proxy import TcpProxy

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REQUEST_TIMEOUT = 30
CUT_SECONDS = 10
BEFORE_SECONDS = 10  # load before the fault
AFTER_SECONDS = 10  # load after the faulted part answers again
BACK_TIMEOUT = 240  # give up waiting for the faulted part after this long
PROBE_QUESTION = "临时救助在哪申请"  # answered through the action server and both stores


# ---------------------------------------------------------------- the load

@dataclass
class Exchange:
    """One message and what its user saw."""

    sender: str
    text: str
    started: float
    ended: float
    outcome: str  # "answered", "apology" or what went wrong ("HTTP 502", "TimeoutError", "empty")
    replies: list[str] = field(default_factory=list)


class Load:
    """Closed-loop users (no pause between messages) against a REST URL, in a thread of its own,
    recording every exchange. A user whose message failed goes on with the conversation, as a
    resident asking again would."""

    def __init__(self, url: str, users: int, questions: Questions, seed: int = 1) -> None:
        self.url, self.users, self.questions, self.seed = url, users, questions, seed
        self.exchanges: list[Exchange] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> Load:
        self._thread.start()
        return self

    def stop(self) -> list[Exchange]:
        self._stop.set()
        self._thread.join(timeout=REQUEST_TIMEOUT + 10)
        return self.exchanges

    async def _run(self) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.users)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await asyncio.gather(*(self._user(number, session) for number in range(self.users)))

    async def _user(self, number: int, session) -> None:
        rng = random.Random(self.seed * 100_003 + number)
        while not self._stop.is_set():
            sender = f"fault-{number}-{uuid.uuid4().hex[:8]}"
            for text in self.questions.conversation(rng):
                if self._stop.is_set():
                    return
                self.exchanges.append(await exchange(session, self.url, sender, text))


async def exchange(session, url: str, sender: str, text: str) -> Exchange:
    """POST one message to the REST channel; what came back, classified."""
    import aiohttp

    started = time.monotonic()
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as response:
            body, status = await response.read(), response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return Exchange(sender, text, started, time.monotonic(), type(error).__name__)
    ended = time.monotonic()
    if status != 200:
        return Exchange(sender, text, started, ended, f"HTTP {status}")
    replies = [reply.get("text") or "" for reply in json.loads(body)]
    if not replies:
        return Exchange(sender, text, started, ended, "empty")
    return Exchange(sender, text, started, ended, "apology" if UNAVAILABLE in replies else "answered", replies)


def answers(url: str, text: str = PROBE_QUESTION) -> bool:
    """Whether `url`'s REST channel answers a new conversation's `text` (not with the apology)."""
    import aiohttp

    async def ask() -> Exchange:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as session:
            return await exchange(session, url, f"fault-probe-{uuid.uuid4().hex[:8]}", text)

    return asyncio.run(ask()).outcome == "answered"


# ---------------------------------------------------------------- the cluster with its faults

class FaultyCluster:
    """The cluster on a fresh PostgreSQL database, its PostgreSQL and Redis behind cuttable proxies."""

    def __init__(self, model: Path, folder: Path, quiet: bool = True) -> None:
        self.loop = LoopThread()
        self.postgres = TcpProxy(self.loop, *POSTGRES)
        self.redis = TcpProxy(self.loop, *REDIS)
        self.database = f"shizhong_faults_{uuid.uuid4().hex[:8]}"
        self.direct_url = f"postgresql://postgres@{POSTGRES[0]}:{POSTGRES[1]}/{self.database}"
        stores = StoreURLs(f"postgresql://postgres@127.0.0.1:{self.postgres.port}/{self.database}",
                           f"redis://127.0.0.1:{self.redis.port}/0")
        self.cluster = Cluster(model=model, stores=stores, public_port=free_port(),
                               instance_ports=(free_port(), free_port()), actions_port=free_port(), with_web=False,
                               folder=folder, quiet=quiet)
        self._watching = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self.postgres.start()
        self.redis.start()
        try:
            self.cluster.start()
        except BaseException:
            self.stop()
            raise
        # as `make run-cluster` does: a restarted action server is warmed up again
        self._watcher = threading.Thread(target=watch, args=("faults", self.cluster),
                                         kwargs={"until": self._watching.is_set}, daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._watching.set()
        if self._watcher is not None:
            self._watcher.join(timeout=30)
        try:
            self.cluster.stop()
        finally:
            self.postgres.cut()
            self.redis.cut()
            self.loop.stop()
            drop_database(self.direct_url)

    def __enter__(self) -> FaultyCluster:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # Each fault returns the moment recovery is counted from: the kill, or the store's return.

    def kill(self, program: str) -> float:
        os.kill(self.cluster.pid(program), signal.SIGKILL)
        return time.monotonic()

    def cut(self, proxy: TcpProxy, seconds: float = CUT_SECONDS) -> float:
        proxy.cut()
        try:
            time.sleep(seconds)
        finally:
            proxy.restore()
        return time.monotonic()

    def stored_turns(self, senders: set[str]) -> Counter:
        """(sender, user text, bot texts) of every turn the tracker store holds for `senders`."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.direct_url, future=True)
        try:
            with engine.connect() as connection:
                # The REST channel keeps sender S's conversation as rest:S (bot/channels/conversations.py).
                rows = connection.execute(sa.text(
                    "SELECT sender_id, type_name, data FROM events WHERE sender_id LIKE :pattern ORDER BY id"),
                    {"pattern": rest_conversation("fault-") + "%"}).all()
        finally:
            engine.dispose()
        turns: Counter = Counter()
        current: dict[str, tuple[str, list[str]]] = {}
        for conversation, kind, data in rows:
            sender = conversation.removeprefix(REST_PREFIX)
            if sender not in senders:
                continue
            event = json.loads(data)
            if kind == "user":
                if sender in current:
                    turns[_turn(sender, *current[sender])] += 1
                current[sender] = (event.get("text") or "", [])
            elif kind == "bot" and sender in current:
                current[sender][1].append(event.get("text") or "")
        for sender, (text, bot) in current.items():
            turns[_turn(sender, text, bot)] += 1
        return turns


def _turn(sender: str, text: str, replies: list[str]) -> tuple[str, str, tuple[str, ...]]:
    return sender, text, tuple(replies)


def lost_turns(exchanges: list[Exchange], stored: Counter) -> list[Exchange]:
    """The answered exchanges whose turn (the message and the very replies the user saw) the
    tracker store does not hold; what it holds is masked, so the user's side is masked alike."""
    remaining = Counter(stored)
    lost = []
    for answered in (e for e in exchanges if e.outcome == "answered"):
        key = _turn(answered.sender, mask_text(clean_text(answered.text)), [mask_text(r) for r in answered.replies])
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            lost.append(answered)
    return lost


# ---------------------------------------------------------------- measuring one fault

@dataclass
class FaultResult:
    name: str
    exchanges: list[Exchange]
    back_seconds: float  # from the fault's reference moment until the faulted part answered again
    reference: float  # the kill, or the store's return
    lost: list[Exchange] = field(default_factory=list)

    @property
    def failed(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.outcome not in ("answered", "apology")]

    @property
    def apologies(self) -> int:
        return sum(e.outcome == "apology" for e in self.exchanges)

    @property
    def failed_share(self) -> float:
        return len(self.failed) / max(1, len(self.exchanges))

    @property
    def last_unanswered_seconds(self) -> float:
        """From the reference moment until the last request that was not answered had ended
        (0 when none ended after it)."""
        ends = [e.ended for e in self.exchanges if e.outcome != "answered"]
        return max(0.0, max(ends, default=self.reference) - self.reference)

    @property
    def recovery_seconds(self) -> float:
        """Until everything answers again: the faulted part back, and no request unanswered."""
        return max(self.back_seconds, self.last_unanswered_seconds)

    def failure_kinds(self) -> str:
        kinds = Counter(e.outcome for e in self.failed)
        return ", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items())) or "none"


@dataclass
class Fault:
    name: str
    inject: Callable[[FaultyCluster], float]
    back: Callable[[FaultyCluster], bool]  # the faulted part answers again


def faults() -> list[Fault]:
    """The four faults of the benchmark, in order."""
    return [
        Fault("instance killed (SIGKILL to rasa-1)", lambda c: c.kill(c.cluster.instance_names[0]),
              lambda c: answers(c.cluster.instance_urls[0], "您好")),
        Fault("action server killed (SIGKILL)", lambda c: c.kill("actions"),
              lambda c: answers(c.cluster.public_url)),
        Fault(f"PostgreSQL cut for {CUT_SECONDS} s", lambda c: c.cut(c.postgres),
              lambda c: answers(c.cluster.public_url)),
        Fault(f"Redis cut for {CUT_SECONDS} s", lambda c: c.cut(c.redis),
              lambda c: answers(c.cluster.public_url)),
    ]


def measure(cluster: FaultyCluster, fault: Fault, questions: Questions, users: int = 10, seed: int = 1,
            before: float = BEFORE_SECONDS, after: float = AFTER_SECONDS) -> FaultResult:
    """`users` users for `before` s, the fault, until the faulted part answers again, `after` s more."""
    load = Load(cluster.cluster.public_url, users, questions, seed).start()
    try:
        time.sleep(before)
        reference = fault.inject(cluster)
        while not fault.back(cluster):
            if time.monotonic() - reference > BACK_TIMEOUT:
                raise TimeoutError(f"{fault.name}: not answering {BACK_TIMEOUT} s after the fault")
            time.sleep(0.5)
        back = time.monotonic() - reference
        time.sleep(after)
    finally:
        exchanges = load.stop()
    return FaultResult(fault.name, exchanges, back, reference)


def count_lost(cluster: FaultyCluster, results: list[FaultResult]) -> None:
    """Fill in each result's lost turns from the tracker store (read directly, not through a proxy)."""
    senders = {e.sender for result in results for e in result.exchanges}
    stored = cluster.stored_turns(senders)
    for result in results:
        result.lost = lost_turns(result.exchanges, stored)


# ---------------------------------------------------------------- the report

def row(result: FaultResult) -> str:
    cells = [result.name, len(result.exchanges), f"{len(result.failed)} ({result.failure_kinds()})",
             f"{result.failed_share:.2%}", result.apologies, f"{result.back_seconds:.1f}",
             f"{result.last_unanswered_seconds:.1f}", f"{result.recovery_seconds:.1f}", len(result.lost)]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def table(results: list[FaultResult]) -> str:
    header = ["fault", "requests", "no answer", "no answer %", "apologies (12345)", "part back after s",
              "last unanswered after s", "full recovery s", "turns lost"]
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *map(row, results)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="closed-loop users (default 10)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 50:
        parser.error("users 1…50")
    model = model_path()
    if not model.exists():
        print("bench: no trained model for the current data; run `make setup`", file=sys.stderr)
        return 1
    questions = Questions.load()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    load_before = os.getloadavg()[1]
    print(f"bench: the machine is shared ({os.cpu_count()} cores, other work running; 5-minute load "
          f"{load_before:.1f}): figures vary from run to run", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as scratch:
        print("bench: starting the cluster (PostgreSQL and Redis through TCP proxies) …", flush=True)
        started = time.monotonic()
        with FaultyCluster(model, Path(scratch) / "cluster") as cluster:
            print(f"bench: up in {time.monotonic() - started:.0f} s", flush=True)
            for number, fault in enumerate(faults(), start=1):
                print(f"bench: {fault.name}, {args.users} users …", flush=True)
                result = measure(cluster, fault, questions, args.users, seed=number)
                print(f"bench: {fault.name}: {len(result.exchanges)} requests, {len(result.failed)} without an "
                      f"answer ({result.failure_kinds()}), {result.apologies} apologies; back after "
                      f"{result.back_seconds:.1f} s, full recovery {result.recovery_seconds:.1f} s", flush=True)
                results.append(result)
            count_lost(cluster, results)
    text = table(results)
    print(text)
    note = (f"{os.cpu_count()} cores shared with the load generator and other work (5-minute load "
            f"{load_before:.1f} before the run, {os.getloadavg()[1]:.1f} after it)")
    print(f"bench: the machine is shared: {note}")
    if not args.no_write:
        commit = current_commit()
        write_section("Faults (make bench-faults)",
                      f"Measured {dt.date.today().isoformat()} at commit {commit} on a shared machine: {note}; "
                      f"model {model.name}. The cluster of `make run-cluster` (two instances behind nginx, "
                      f"one supervisord), its PostgreSQL and Redis reached through TCP proxies; {args.users} "
                      f"closed-loop users through REST, {BEFORE_SECONDS} s before each fault and {AFTER_SECONDS} s "
                      "after the faulted part answered again. *No answer*: an HTTP error, a timeout "
                      f"({REQUEST_TIMEOUT} s) or an empty reply; the apology naming 12345 is counted apart. "
                      "*Part back*: from the kill (or the store's return) until the killed instance answers "
                      "directly, the action server answers a catalogue question, or a question needing both "
                      "stores is answered. *Last unanswered*: from the same moment until the last request "
                      "without a real answer ended. *Turns lost*: answers the users saw (message and replies) "
                      "missing from the tracker store, read directly from PostgreSQL at the end."
                      f"\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
