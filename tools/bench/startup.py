"""`make bench-startup`: how long the assistant takes from start to its first answer, and its memory.

Starts the same trained model two ways, interleaved: as the assistant runs (`rasa run` with the
pruned pkuseg model, bot.nlp.lean's loading, the environment of bot.model.quiet_env), and the
naive way it started before those savings (stock Rasa 3.6 loading through tools.bench.stock_rasa,
the full pkuseg model, TensorFlow's oneDNN ops on). `build/spacy-zh` of a scratch working folder
points at one pipeline or the other. Prints the medians of a few starts and writes them to
docs/benchmarks.md.
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
from bot.model import model_path, quiet_env
from bot.serve import _answers
from tools.bench.report import current_commit, write_section
from tools.eval import ask, reply_text

# Answered by the assistant alone (knowledge and catalogue answers also need the action server).
QUESTION = "您好"
EXPECTED = "市中区"
FULL_PIPELINE = paths.BUILD / "bench" / "spacy-zh-full"


def _memory_kib(pid: int) -> tuple[int, int]:
    """(resident now, peak resident) of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def _ask(url: str) -> bool:
    try:
        return EXPECTED in reply_text(ask(url, QUESTION, "bench"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


@dataclass(frozen=True)
class Variant:
    pipeline: Path  # what build/spacy-zh points at
    launcher: tuple[str, ...]  # the module run as `python -m …` with rasa's arguments
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
            [sys.executable, *variant.launcher, "run", "--model", str(model), "--port", str(port),
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
    parser.add_argument("--runs", type=int, default=3, help="starts per pipeline (default 3)")
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args(argv)
    variants = {
        "before (stock Rasa loading, full pkuseg model, oneDNN on)": Variant(
            ensure_full_pipeline(), ("-m", "tools.bench.stock_rasa"), {"TF_ENABLE_ONEDNN_OPTS": "1"}),
        "ours (bot.nlp.lean loading, pruned pkuseg model)": Variant(
            paths.SPACY_PIPELINE, ("-m", "rasa"), {}),
    }
    # Resolved once: on a shared tree the data may change (and the model's name with it) meanwhile.
    model = model_path()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    load = os.getloadavg()[0]
    for run in range(args.runs):  # interleaved, so both meet the same machine load
        for name, variant in variants.items():
            result = measure_once(variant, model, args.port)
            print(f"bench: run {run + 1} {name}: answered after {result['seconds']:.1f} s, "
                  f"RSS {result['rss_mib']:.0f} MiB (peak {result['peak_mib']:.0f} MiB)", flush=True)
            results[name].append(result)
    medians = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]}
               for name, runs in results.items()}
    naive, ours = medians.values()
    lines = ["| pipeline | start → first answer | resident memory | peak resident |",
             "|---|---|---|---|"]
    lines += [f"| {name} | {m['seconds']:.1f} s | {m['rss_mib']:.0f} MiB | {m['peak_mib']:.0f} MiB |"
              for name, m in medians.items()]
    lines.append(f"| ratio ours / before | {ours['seconds'] / naive['seconds']:.2f} | "
                 f"{ours['rss_mib'] / naive['rss_mib']:.2f} | {ours['peak_mib'] / naive['peak_mib']:.2f} |")
    met = ours["seconds"] < 30 and ours["rss_mib"] * 2**20 < 1e9
    table = "\n".join(lines)
    each = "; ".join(f"{name.split(' (')[0]}: " + ", ".join(
        f"{r['seconds']:.1f} s / {r['rss_mib']:.0f} MiB" for r in runs) for name, runs in results.items())
    table += f"\n\nEach start (time / resident): {each}."
    print(table)
    commit = current_commit()
    write_section(
        "Start-up and memory (make bench-startup)",
        f"Measured {dt.date.today().isoformat()} at commit {commit} with {model.name}, {os.cpu_count()} "
        f"cores, load average {load:.1f} at the start; medians of {args.runs} starts each, interleaved. The "
        f"Rasa server process alone (`rasa run`, REST and socket.io channels) with the same trained model, from "
        f"spawn until it answers “{QUESTION}”; memory read from /proc (VmRSS, VmHWM) right after that "
        f"answer. *Before* is the naive start: stock Rasa 3.6 loading (tools/bench/stock_rasa.py: two "
        f"spaCy loads, every TensorFlow model trained on one example before its weights are read), "
        f"the unpruned pkuseg model, TensorFlow's oneDNN ops on. *Ours* is how `make run` starts it "
        f"(bot/nlp/lean.py, the pruned pkuseg model, TF_ENABLE_ONEDNN_OPTS=0). Targets: under 1.0 GB "
        f"(10⁹ bytes) resident and under 30 s: **{'met' if met else 'NOT met'}**.\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
