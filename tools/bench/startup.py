"""`make bench-startup`: how long the assistant takes from start to its first answer, and its memory.

1. The whole instance as `make run` starts it (bot.serve's action server and assistant under
   supervisord): seconds from the start until a knowledge and a catalogue question are answered
   through REST, and the resident memory of each of the two processes (their children included)
   right after, summed: what one instance costs.
2. The Rasa process alone, the same trained model started two ways, interleaved: as the assistant
   runs (bot.assistant's `rasa run` with bot/patches, the pruned pkuseg model, bot.nlp.lean's
   loading, the environment of bot.model.quiet_env), and the naive way it started before those savings (stock Rasa 3.6
   loading through tools.bench.stock_rasa, the full pkuseg model, TensorFlow's oneDNN ops on).
   `build/spacy-zh` of a scratch working folder points at one pipeline or the other.

Prints the medians of a few starts and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot import paths
from bot.endpoints import StoreURLs
from bot.model import model_path, quiet_env
from bot.processes import free_port
from bot.serve import ACTIONS, RASA, Servers, _answers
from tools.bench.report import current_commit, write_section
from tools.eval import ask, reply_text

# Answered by the assistant alone (knowledge and catalogue answers also need the action server).
QUESTION = "您好"
EXPECTED = "市中区"
FULL_PIPELINE = paths.BUILD / "bench" / "spacy-zh-full"
# Asked of the whole instance: (question, a word its answer holds), a knowledge and a catalogue one.
INSTANCE_QUESTIONS = (("经纬人才计划主要是做什么的", "经纬"), ("临时救助要去哪里申请", "临时救助"))
# Targets of one instance (docs/benchmarks.md): resident bytes and seconds to the first answer.
MEMORY_TARGET, SECONDS_TARGET = 10**9, 30


def _memory_kib(pid: int) -> tuple[int, int]:
    """(resident now, peak resident) of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def _tree_kib(pid: int) -> int:
    """Resident memory (VmRSS) of a process and all its descendants, KiB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += _memory_kib(current)[0]
        except (OSError, KeyError):
            continue  # ended meanwhile, or a kernel thread
        todo += children.get(current, [])
    return total


def measure_instance(model: Path) -> dict[str, float]:
    """Start one instance as `make run` does (no widget page, no console); seconds until both
    INSTANCE_QUESTIONS are answered, and each process's resident memory right after, MiB."""
    with tempfile.TemporaryDirectory(prefix="bench-instance-") as scratch:
        folder = Path(scratch)
        servers = Servers(model=model, rasa_port=free_port(), actions_port=free_port(),
                          tracker_db=folder / "tracker.db", log_dir=folder / "logs", quiet=True,
                          extra_env={"STAFF_DATABASE_URL": f"sqlite:///{folder / 'staff.db'}"},
                          stores=StoreURLs(None, None))
        started = time.monotonic()
        try:
            servers.start()
            up = time.monotonic() - started
            for question, expected in INSTANCE_QUESTIONS:
                answer = reply_text(ask(servers.rasa_url, question, "bench"))
                if expected not in answer:
                    raise RuntimeError(f"{question!r} was answered {answer!r}")
            seconds = time.monotonic() - started
            pids = servers.pids()
            memory = {name: _tree_kib(pids[name]) / 1024 for name in (RASA, ACTIONS)}
        finally:
            servers.stop()
    return {"seconds": seconds, "up_seconds": up, "rasa_mib": memory[RASA],
            "actions_mib": memory[ACTIONS], "total_mib": memory[RASA] + memory[ACTIONS]}


def instance_section(runs: list[dict[str, float]]) -> tuple[str, bool]:
    """The whole instance's table (medians and each start) and whether both targets are met."""
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    met = median["seconds"] < SECONDS_TARGET and median["total_mib"] * 2**20 < MEMORY_TARGET
    lines = ["| start → up (both answer, actions warm) | start → both questions answered | Rasa | action server "
             "| instance (sum) |", "|---|---|---|---|---|",
             f"| {median['up_seconds']:.1f} s | {median['seconds']:.1f} s | {median['rasa_mib']:.0f} MiB | "
             f"{median['actions_mib']:.0f} MiB | **{median['total_mib']:.0f} MiB** "
             f"({median['total_mib'] * 2**20 / 1e9:.3f} GB) |"]
    each = "; ".join(f"{r['seconds']:.1f} s / {r['rasa_mib']:.0f} + {r['actions_mib']:.0f} = "
                     f"{r['total_mib']:.0f} MiB" for r in runs)
    return "\n".join(lines) + f"\n\nEach start (time to both answers / Rasa + actions = sum): {each}.", met


def _ask(url: str) -> bool:
    try:
        return EXPECTED in reply_text(ask(url, QUESTION, "bench"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


@dataclass(frozen=True)
class Variant:
    pipeline: Path  # what build/spacy-zh points at
    launcher: tuple[str, ...]  # `python -m <module> [run]`, given rasa run's arguments
    env: dict[str, str]  # set on top of bot.model.quiet_env()


def measure_once(variant: Variant, model: Path, port: int) -> dict[str, float]:
    """Start Rasa as `variant` with `model`; seconds until it answers, and its memory."""
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "build").mkdir()
        (Path(scratch) / "build" / "spacy-zh").symlink_to(variant.pipeline.resolve())
        env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT), "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook",
                             "TRACKER_DB": str(Path(scratch) / "tracker.db"),
                             "WECHAT_TOKEN": "", "WECHAT_APPID": "", "WECHAT_SECRET": "",
                             "WECHAT_AES_KEY": "", "WEB_ORIGINS": "http://127.0.0.1:8080"} | variant.env
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, *variant.launcher, "--model", str(model), "--port", str(port),
             "--interface", "127.0.0.1", "--credentials", str(paths.PROJECT / "credentials.yml"),
             "--endpoints", str(paths.PROJECT / "endpoints.yml")],
            cwd=scratch, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            while not (_answers(f"{url}/webhooks/rest/") and _ask(url)):
                if process.poll() is not None or time.monotonic() - started > 300:
                    raise RuntimeError(f"rasa as {variant} did not answer")
                time.sleep(0.2)
            seconds = time.monotonic() - started
            rss, peak = _memory_kib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"seconds": seconds, "rss_mib": rss / 1024, "peak_mib": peak / 1024}


def ensure_full_pipeline() -> Path:
    """The naive pipeline: the same tokenizer and dictionary with the unpruned pkuseg model."""
    from bot.nlp import pipeline

    stamp = (paths.SPACY_PIPELINE / ".stamp").read_text()
    if not (FULL_PIPELINE / ".stamp").exists() or (FULL_PIPELINE / ".stamp").read_text() != stamp:
        print("bench: building the comparison pipeline with the full pkuseg model", flush=True)
        full_model = paths.BUILD / "pkuseg" / "full-msgpack"
        if not (full_model / "features.msgpack").exists():
            from bot.nlp.pkuseg_model import write_pruned

            write_pruned(paths.BUILD / "pkuseg" / "full", full_model, threshold=0.0)
        pipeline.build(full_model, paths.USER_DICT, FULL_PIPELINE)
        (FULL_PIPELINE / ".stamp").write_text(stamp)
    return FULL_PIPELINE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="starts of each (default 3)")
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args(argv)
    variants = {
        "before (stock Rasa loading, full pkuseg model, oneDNN on)": Variant(
            ensure_full_pipeline(), ("-m", "tools.bench.stock_rasa", "run"), {"TF_ENABLE_ONEDNN_OPTS": "1"}),
        "ours (bot.assistant: bot/patches, bot.nlp.lean loading, pruned pkuseg model)": Variant(
            paths.SPACY_PIPELINE, ("-m", "bot.assistant"), {}),
    }
    # Resolved once: on a shared tree the data may change (and the model's name with it) meanwhile.
    model = model_path()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    instances: list[dict[str, float]] = []
    load = os.getloadavg()[0]
    for run in range(args.runs):  # interleaved, so all meet the same machine load
        instance = measure_instance(model)
        print(f"bench: run {run + 1} whole instance: both answered after {instance['seconds']:.1f} s, "
              f"RSS Rasa {instance['rasa_mib']:.0f} + actions {instance['actions_mib']:.0f} = "
              f"{instance['total_mib']:.0f} MiB", flush=True)
        instances.append(instance)
        for name, variant in variants.items():
            result = measure_once(variant, model, args.port)
            print(f"bench: run {run + 1} {name}: answered after {result['seconds']:.1f} s, "
                  f"RSS {result['rss_mib']:.0f} MiB (peak {result['peak_mib']:.0f} MiB)", flush=True)
            results[name].append(result)
    whole, met = instance_section(instances)
    medians = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]}
               for name, runs in results.items()}
    naive, ours = medians.values()
    lines = ["| pipeline | start → first answer | resident memory | peak resident |",
             "|---|---|---|---|"]
    lines += [f"| {name} | {m['seconds']:.1f} s | {m['rss_mib']:.0f} MiB | {m['peak_mib']:.0f} MiB |"
              for name, m in medians.items()]
    lines.append(f"| ratio ours / before | {ours['seconds'] / naive['seconds']:.2f} | "
                 f"{ours['rss_mib'] / naive['rss_mib']:.2f} | {ours['peak_mib'] / naive['peak_mib']:.2f} |")
    table = "\n".join(lines)
    each = "; ".join(f"{name.split(' (')[0]}: " + ", ".join(
        f"{r['seconds']:.1f} s / {r['rss_mib']:.0f} MiB" for r in runs) for name, runs in results.items())
    table += f"\n\nEach start (time / resident): {each}."
    print(whole, table, sep="\n\n")
    questions = " and ".join(f"“{q}”" for q, _ in INSTANCE_QUESTIONS)
    write_section(
        "Start-up and memory (make bench-startup)",
        f"Measured {dt.date.today().isoformat()} at commit {current_commit()} with {model.name}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start; medians of {args.runs} starts of each, "
        f"interleaved.\n\n"
        f"**One instance** as `make run` starts it (bot/serve.py: the action server and the assistant under "
        f"supervisord, the action server warmed up), from the start until {questions} (a knowledge and a "
        f"catalogue question) are answered through REST; the resident memory (VmRSS, children included) "
        f"of the Rasa process and of the action server right after. Targets: the sum under 10⁹ bytes "
        f"(953.7 MiB) and the first answer under {SECONDS_TARGET} s: **{'met' if met else 'NOT met'}**.\n\n"
        f"{whole}\n\n"
        f"**The Rasa process alone** (`rasa run`, REST and socket.io channels, no action server) with the "
        f"same trained model, from spawn until it answers “{QUESTION}”; memory read from /proc (VmRSS, "
        f"VmHWM) right after that answer. *Before* is the naive start: stock Rasa 3.6 loading "
        f"(tools/bench/stock_rasa.py: two spaCy loads, every TensorFlow model trained on one example "
        f"before its weights are read), the unpruned pkuseg model, TensorFlow's oneDNN ops on. *Ours* is "
        f"how `make run` starts it: our entry point bot/assistant.py (bot/patches, TensorFlow without JAX "
        f"among them), bot/nlp/lean.py, the pruned pkuseg model, TF_ENABLE_ONEDNN_OPTS=0."
        f"\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
