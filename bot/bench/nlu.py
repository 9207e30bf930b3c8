"""`make bench-nlu`: 5-fold cross-validated NLU quality of our pipeline against a Jieba baseline.

Why: our pipeline tokenizes with spaCy + a pruned pkuseg model + the district dictionary, which the
set-up has to build; this shows, on the same folds, what that buys over Rasa's stock JiebaTokenizer
(config-baseline.yml: config.yml with only the tokenizer swapped). Two measures per fold:
- intent: DIET's intent over all intents (faq is one intent), with the FallbackClassifier's
  decision undone as `rasa test nlu` does;
- answer: the label a user experiences — faq/<topic> (the ResponseSelector's choice) when the final
  intent is faq, otherwise the final intent; a fallback counts as a miss.
Folds are stratified by the full label (faq/<topic>) with a fixed seed; Rasa's training cache is
off, so every fold is trained from scratch and its training time is real.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import paths
from bot.bench.report import write_section
from bot.setup import quiet_env

HEADING = "NLU cross-validation (make bench-nlu)"
BASELINE = paths.PROJECT / "config-baseline.yml"
PIPELINES = {"ours": paths.CONFIG, "baseline": BASELINE}
FOLDS = 5
SEED = 20200320
TARGET_F1 = 0.95
TOKENIZERS = {"SpacyNLP", "SpacyTokenizer", "JiebaTokenizer"}


@dataclass
class Run:
    """One pipeline's results over the folds."""

    train_seconds: list[float] = field(default_factory=list)
    scores: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {"intent": [], "answer": []})  # (accuracy, macro-F1) per fold
    topic_confusions: Counter[tuple[str, str]] = field(default_factory=Counter)


def check_baseline() -> None:
    """The baseline must differ from config.yml in the tokenizer only, or the comparison lies."""
    from rasa.shared.utils.io import read_yaml_file

    def rest(config: Path) -> list[Any]:
        return [c for c in read_yaml_file(config)["pipeline"] if c["name"] not in TOKENIZERS]

    if rest(paths.CONFIG) != rest(BASELINE):
        raise SystemExit("bench-nlu: config-baseline.yml differs from config.yml in more than the "
                         "tokenizer; copy config.yml's other components into it")


def frozen_configs(folder: Path) -> dict[str, Path]:
    """Copies of both configs, ours reading a copy of build/spacy-zh: a run takes ~40 min on a shared
    tree, and an edit of config.yml or a set-up rebuild meanwhile must not change the later folds."""
    import shutil

    from rasa.shared.utils.io import read_yaml_file, write_yaml

    spacy_copy = folder / "spacy-zh"
    shutil.copytree(paths.SPACY_PIPELINE, spacy_copy)
    frozen = {}
    for name, config in PIPELINES.items():
        content = read_yaml_file(config)
        for component in content["pipeline"]:
            if component["name"] == "SpacyNLP" and (
                    paths.PROJECT / component["model"]).resolve() == paths.SPACY_PIPELINE:
                component["model"] = str(spacy_copy)
        frozen[name] = folder / f"{name}-config.yml"
        write_yaml(content, frozen[name])
    return frozen


def folds(data: Any) -> list[tuple[Any, Any]]:
    """(train, test) TrainingData pairs, stratified by faq/<topic> or intent, reproducible."""
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    examples = data.intent_examples
    labels = [example.get_full_intent() for example in examples]
    shared = {"entity_synonyms": data.entity_synonyms, "regex_features": data.regex_features,
              "lookup_tables": data.lookup_tables, "responses": data.responses}
    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return [(TrainingData(training_examples=[examples[i] for i in train], **shared),
             TrainingData(training_examples=[examples[i] for i in test], **shared))
            for train, test in splitter.split(examples, labels)]


async def predict(model: str, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage

    processor = Agent.load(model).processor
    return [await processor.parse_message(UserMessage(text)) for text in texts]


def labels(result: dict[str, Any]) -> tuple[str, str, str | None]:
    """(DIET's intent without the fallback, the answer's label, the ResponseSelector's topic)."""
    from rasa.nlu.classifiers import fallback_classifier

    final = result["intent"]["name"]
    diet = fallback_classifier.undo_fallback_prediction(result) if (
        fallback_classifier.is_fallback_classifier_prediction(result)) else result
    selected = result.get("response_selector", {}).get("faq", {}).get("response", {})
    topic = selected.get("intent_response_key")
    return diet["intent"]["name"], (topic or final) if final == "faq" else final, topic


def score(truth: list[str], predicted: list[str]) -> tuple[float, float]:
    """Accuracy and macro-F1 over the labels present in `truth` (a fallback is only a miss)."""
    from sklearn.metrics import accuracy_score, f1_score

    f1 = f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)
    return float(accuracy_score(truth, predicted)), float(f1)


def run_fold(config: Path, train: Any, test: Any, folder: Path, name: str, run: Run) -> None:
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    data_file = folder / f"{name}-train.yml"
    RasaYAMLWriter().dump(data_file, train)
    started = time.perf_counter()
    model = train_nlu(str(config), str(data_file), str(folder), fixed_model_name=name)
    run.train_seconds.append(time.perf_counter() - started)
    if model is None:
        raise SystemExit(f"bench-nlu: training {config.name} on fold {name} failed")
    examples = test.intent_examples
    predicted = [labels(r) for r in asyncio.run(predict(model, [e.get("text") for e in examples]))]
    run.scores["intent"].append(score([e.get("intent") for e in examples],
                                      [diet for diet, _, _ in predicted]))
    run.scores["answer"].append(score([e.get_full_intent() for e in examples],
                                      [answer for _, answer, _ in predicted]))
    for example, (_, _, topic) in zip(examples, predicted, strict=True):
        truth = example.get_full_intent()
        if example.get("intent") == "faq" and topic and topic != truth:
            run.topic_confusions[tuple(sorted((truth, topic)))] += 1


def table(runs: dict[str, Run]) -> str:
    ours, base = runs["ours"], runs["baseline"]
    lines = ["| measure (median of 5 folds; mean in brackets) | ours (spaCy + pkuseg) | "
             "baseline (Jieba) | ours / baseline |", "|---|---|---|---|"]
    for measure, title in (("intent", "intent"), ("answer", "answer (`faq/<topic>` or intent)")):
        for index, metric in ((0, "accuracy"), (1, "macro-F1")):
            values = [[fold[index] for fold in r.scores[measure]] for r in (ours, base)]
            cells = [f"{statistics.median(v):.3f} ({statistics.mean(v):.3f})" for v in values]
            ratio = statistics.median(values[0]) / statistics.median(values[1])
            lines.append(f"| {title} {metric} | {cells[0]} | {cells[1]} | {ratio:.3f} |")
    seconds = [statistics.median(r.train_seconds) for r in (ours, base)]
    lines.append(f"| training time per fold (NLU only) | {seconds[0]:.0f} s | {seconds[1]:.0f} s | "
                 f"{seconds[0] / seconds[1]:.2f} |")
    return "\n".join(lines)


def verdict(runs: dict[str, Run]) -> str:
    ours, base = (statistics.median(f1 for _, f1 in runs[n].scores["intent"]) for n in runs)
    met = ours >= TARGET_F1 and ours >= base
    return (f"**Verdict: target {'met' if met else 'NOT met'}** — intent macro-F1 {ours:.3f} "
            f"(target ≥ {TARGET_F1}) {'≥' if ours >= base else '<'} baseline {base:.3f}.")


def report(runs: dict[str, Run], size: str, minutes: float, load: float, nice: int) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.PROJECT,
                            capture_output=True, text=True).stdout.strip()
    per_fold = "\n".join(f"- {name}: " + ", ".join(f"{s:.0f} s" for s in run.train_seconds)
                         for name, run in runs.items())
    pairs = "\n".join(f"{rank}. {a} ↔ {b}: {count}" for rank, ((a, b), count) in enumerate(
        runs["ours"].topic_confusions.most_common(10), 1)) or "(none)"
    return f"""Measured {dt.date.today().isoformat()} at commit {commit} (uncommitted changes
included), {os.cpu_count()} shared cores, niceness {nice}, load average {load:.1f} at the start; the
whole run took {minutes:.0f} min. Data: {size}. {FOLDS} folds stratified by the full label
(`faq/<topic>` or intent), seed {SEED}; both pipelines train and test on the same folds, from
scratch (Rasa's training cache off).

Ours is config.yml (繁→简, SpacyNLP with build/spacy-zh = pkuseg pruned + district dictionary,
SpacyTokenizer); the baseline is config-baseline.yml, the same file with Rasa's JiebaTokenizer
(stock dictionary) in place of SpacyNLP + SpacyTokenizer. The 繁→简 step stays in both, so the
difference is the tokenizer alone. *Intent*: DIET's intent over all intents, faq counted as one,
with the FallbackClassifier's decision undone (as `rasa test nlu` does). *Answer*: what the user
gets — `faq/<topic>` chosen by the ResponseSelector when the final intent is faq, otherwise the
final intent; a fallback counts as a miss. Macro-F1 averages over the labels of each test fold.

{table(runs)}

Training time per fold, seconds (NLU only, 4/5 of the data):
{per_fold}

{verdict(runs)}

The 10 most confused topic pairs of our pipeline (the ResponseSelector's topic differs from the
true topic on faq examples, both directions, all folds); give these topics more distinct examples:

{pairs}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    os.chdir(paths.PROJECT)  # config.yml names build/spacy-zh relative to the project
    os.environ.update(quiet_env() | {"RASA_MAX_CACHE_SIZE": "0", "LOG_LEVEL": "WARNING"})
    check_baseline()
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines from the processor

    data = load_data(str(paths.NLU))
    size = (f"{len(data.intent_examples)} examples (data/nlu/*.yml), "
            f"{len({e.get('intent') for e in data.intent_examples})} intents, "
            f"{len({e.get_full_intent() for e in data.intent_examples})} labels with the faq topics")
    print(f"bench-nlu: {size}; {FOLDS} folds × {len(PIPELINES)} pipelines", flush=True)
    load, started = os.getloadavg()[0], time.monotonic()
    runs = {name: Run() for name in PIPELINES}
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as scratch:
        configs = frozen_configs(Path(scratch))
        for number, (train, test) in enumerate(folds(data), 1):
            for name, config in configs.items():  # interleaved: both meet the same load
                run_fold(config, train, test, Path(scratch), f"{name}-{number}", runs[name])
                intent, answer = (runs[name].scores[m][-1] for m in ("intent", "answer"))
                print(f"bench-nlu: fold {number}/{FOLDS} {name}: trained in "
                      f"{runs[name].train_seconds[-1]:.0f} s; intent acc {intent[0]:.3f} "
                      f"F1 {intent[1]:.3f}; answer acc {answer[0]:.3f} F1 {answer[1]:.3f}",
                      flush=True)
    print(table(runs))
    print(verdict(runs))
    write_section(HEADING, report(runs, size, (time.monotonic() - started) / 60, load,
                                  os.nice(0)))
    print(f"bench-nlu: written to {paths.PROJECT / 'docs' / 'benchmarks.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
