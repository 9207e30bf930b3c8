"""`make bench-nlu`: 5-fold cross-validated NLU quality of our pipeline against a Jieba baseline.

Why: our pipeline tokenizes with spaCy + a pruned pkuseg model + the district dictionary, which the
set-up has to build; this shows, on the same folds, what that buys over Rasa's stock JiebaTokenizer
(build/config-baseline.yml, generated from config.yml with only the tokenizer swapped:
tools/bench/baseline.py). Two measures per fold:
- intent: DIET's intent over all intents (faq is one intent), with the FallbackClassifier's
  decision undone as `rasa test nlu` does;
- answer: the label a user experiences — faq/<topic> (the ResponseSelector's choice) when the final
  intent is faq, otherwise the final intent; a fallback counts as a miss;
- chosen: the same, with the topic chosen as the router chooses it (ResponseSelector confidence +
  weighted BM25, bot/dialogue/topics.py), the BM25 index built from the fold's training questions
  only (plus the topics' titles, terms and answers), so no test question leaks into it;
- entities: F1 of DIET's `service` and `field` entities against the examples' annotations (a span
  counts when its type and its text, 繁→简, are the same; adjacent words of one field count as one
  span, as DIET's tags without BILOU make them: entity_spans).
Folds are stratified by the full label (faq/<topic>) with a fixed seed; Rasa's training cache is
off, so every fold is trained from scratch and its training time is real.

`--only-fold N` trains and tests our pipeline on fold N alone (2–5 min): for iterating on the data;
`--pipelines ours` runs every fold of ours alone. Such partial runs print the held-out knowledge
questions answered with a wrong topic, write every prediction to build/bench-nlu/fold-N-<pipeline>.json
and leave docs/benchmarks.md alone.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot import paths
from bot.model import quiet_env
from tools.bench.baseline import BASELINE, SPACY_LOADERS, write_baseline
from tools.bench.report import current_commit, write_section

HEADING = "NLU cross-validation (make bench-nlu)"
PIPELINES = {"ours": paths.CONFIG, "baseline": BASELINE}
FOLDS = 5
SEED = 20200320
TARGET_F1 = 0.95
MEASURES = ("intent", "answer", "chosen")
ENTITY_TYPES = ("service", "field")
FIELD_ENTITY = "field"
TARGET_ENTITY_F1 = 0.90
# BM25 weights reported beside the adopted one (sources/routing.yml lexical_weight) in a fold's output.
WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.05)
PREDICTIONS = paths.BUILD / "bench-nlu"


@dataclass
class Run:
    """One pipeline's results over the folds."""

    train_seconds: list[float] = field(default_factory=list)
    scores: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {m: [] for m in MEASURES})  # (accuracy, macro-F1) per fold
    # Knowledge questions per fold: (how many, ResponseSelector top-1 right, chosen topic right).
    topics: list[tuple[int, int, int]] = field(default_factory=list)
    topic_confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Entity F1 per fold, by entity type.
    entities: dict[str, list[float]] = field(default_factory=lambda: {e: [] for e in ENTITY_TYPES})


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
            if component["name"] in SPACY_LOADERS and (
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


def fold_index(train: Any, tokenize: Any) -> Any:
    """The action's BM25 topic index, built from the fold's training questions only."""
    from bot.catalogue.tokens import STOP_TOKENS
    from bot.knowledge.lexical import TopicIndex
    from bot.knowledge.model import KnowledgeBase
    from bot.knowledge.model import shared as knowledge
    from bot.knowledge.rasa_data import RETRIEVAL_INTENT

    questions: dict[str, list[str]] = {}
    for example in train.intent_examples:
        if example.get("intent") == RETRIEVAL_INTENT:
            topic = example.get_full_intent().partition("/")[2]
            questions.setdefault(topic, []).append(example.get("text"))
    base = knowledge()
    topics = {i: replace(t, examples=tuple(questions.get(i, ()))) for i, t in base.topics.items()}
    return TopicIndex(KnowledgeBase(topics=topics, area_titles=base.area_titles), tokenize, STOP_TOKENS)


def choose(result: dict[str, Any], index: Any, weight: float | None = None) -> str | None:
    """faq/<topic> as the router picks it for a first question (no previous topic), or out_of_scope
    where it hands a question no topic fits on to 12345. The parse data's text is the NLU's
    normalised text."""
    from bot.dialogue.rules import shared_rules
    from bot.dialogue.topics import Topics, ranking
    from bot.knowledge.model import shared

    topics = Topics(shared(), shared_rules(), index.scores)
    text = result.get("text") or ""
    candidates, lexical = ranking(result, shared()), index.scores(text)
    if topics.unrelated(candidates, lexical):
        return "out_of_scope"
    topic = topics.pick(candidates, None, text, lexical, weight)
    return f"faq/{topic}" if topic else None


def entity_f1(examples: list[Any], results: list[dict[str, Any]]) -> dict[str, float]:
    """F1 by entity type over a fold's test examples (DIET's predictions against the annotations)."""
    import opencc

    from bot.catalogue.fields import load_fields

    simplify, vocabulary = opencc.OpenCC("t2s").convert, load_fields()
    counts = {e: [0, 0, 0] for e in ENTITY_TYPES}  # true positives, predicted, annotated
    for example, result in zip(examples, results, strict=True):
        gold = entity_spans(example.get("text"), example.get("entities") or [], simplify, vocabulary)
        predicted = entity_spans(result.get("text") or "", [
            e for e in result.get("entities") or [] if e.get("extractor") in DIET_EXTRACTORS],
            simplify, vocabulary)
        for kind in ENTITY_TYPES:
            mine = Counter({k: v for k, v in predicted.items() if k[0] == kind})
            truth = Counter({k: v for k, v in gold.items() if k[0] == kind})
            counts[kind][0] += sum((mine & truth).values())
            counts[kind][1] += sum(mine.values())
            counts[kind][2] += sum(truth.values())
    return {kind: (2 * tp / (p + a) if p + a else 1.0) for kind, (tp, p, a) in counts.items()}


def entity_spans(text: str, entities: list[dict[str, Any]], simplify: Any,
                 vocabulary: Any) -> Counter[tuple[str, str]]:
    """(type, span text 繁→简) of the `service` and `field` entities, with adjacent `field` spans
    that name the same field joined: the annotator marks every word of the vocabulary ("带什么" and
    "材料" in "带什么材料"), and DIET without BILOU tags (config.yml) gives both tokens one tag and so
    one entity. Counting them as two entities scored a right prediction as one miss and one false
    alarm. Spans of different fields stay apart, so a prediction joining them still counts as wrong."""
    spans = sorted((e for e in entities if e.get("entity") in ENTITY_TYPES and "start" in e and "end" in e),
                   key=lambda e: e["start"])
    joined: list[tuple[str, int, int]] = []
    for entity in spans:
        kind, start, end = entity["entity"], entity["start"], entity["end"]
        if joined and kind == FIELD_ENTITY and joined[-1][0] == kind and joined[-1][2] == start and \
                vocabulary.field_of(text[joined[-1][1]:joined[-1][2]]) == vocabulary.field_of(text[start:end]):
            joined[-1] = (kind, joined[-1][1], end)
        else:
            joined.append((kind, start, end))
    return Counter((kind, simplify(text[start:end])) for kind, start, end in joined)


# The names DIET's entities carry as their extractor: Rasa's, and config.yml's subclass (bot/nlp/lean.py),
# which Rasa names by its class. Counting only Rasa's own name scored every entity of ours as missed.
DIET_EXTRACTORS = frozenset({"DIETClassifier", "LeanDIETClassifier"})


def run_fold(config: Path, train: Any, test: Any, folder: Path, name: str, run: Run,
             tokenize: Any) -> list[dict[str, Any]]:
    """Train on `train`, score `test` into `run`; return one record per test example."""
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
    results = asyncio.run(predict(model, [e.get("text") for e in examples]))
    index = fold_index(train, tokenize)
    records = []
    for example, result in zip(examples, results, strict=True):
        diet, answer, topic = labels(result)
        chosen = choose(result, index) if answer.startswith("faq") else answer
        records.append({"text": example.get("text"), "truth": example.get_full_intent(),
                        "diet": diet, "answer": answer, "selector": topic,
                        "chosen": chosen or answer, "result": result})
    for kind, f1 in entity_f1(examples, results).items():
        run.entities[kind].append(f1)
    truth = [r["truth"] for r in records]
    run.scores["intent"].append(score([e.get("intent") for e in examples], [r["diet"] for r in records]))
    for measure in ("answer", "chosen"):
        run.scores[measure].append(score(truth, [r[measure] for r in records]))
    faq = [r for r in records if r["truth"].startswith("faq/")]
    run.topics.append((len(faq), sum(r["selector"] == r["truth"] for r in faq),
                       sum(r["chosen"] == r["truth"] for r in faq)))
    for record in faq:
        if record["chosen"].startswith("faq/") and record["chosen"] != record["truth"]:
            run.topic_confusions[tuple(sorted((record["truth"], record["chosen"])))] += 1
    return records


def weight_sweep(records: list[dict[str, Any]], train: Any, tokenize: Any) -> str:
    """Knowledge questions right at each BM25 weight, on one fold's predictions."""
    index = fold_index(train, tokenize)
    faq = [r for r in records if r["truth"].startswith("faq/") and r["answer"].startswith("faq")]
    right = {w: sum(choose(r["result"], index, w) == r["truth"] for r in faq) for w in WEIGHTS}
    return ", ".join(f"{w:g}: {n}" for w, n in right.items()) + f" (of {len(faq)} put in faq)"


def misses(records: list[dict[str, Any]]) -> str:
    """The held-out knowledge questions that get a wrong answer, with what they got."""
    lines = [f"  {r['truth'][4:]} ← {r['text']}  (got {r['chosen']}; selector {r['selector']})"
             for r in records if r["truth"].startswith("faq/") and r["chosen"] != r["truth"]]
    return "\n".join(sorted(lines)) or "  (none)"


def save(records: list[dict[str, Any]], name: str) -> Path:
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    target = PREDICTIONS / f"fold-{name}.json"
    target.write_text(json.dumps(records, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return target


def table(runs: dict[str, Run]) -> str:
    ours, base = runs["ours"], runs["baseline"]
    lines = ["| measure (median of 5 folds; mean in brackets) | ours (spaCy + pkuseg) | "
             "baseline (Jieba) | ours / baseline |", "|---|---|---|---|"]
    for measure, title in (("intent", "intent"), ("answer", "answer (`faq/<topic>` or intent)"),
                           ("chosen", "answer, topic as the action chooses it,")):
        for index, metric in ((0, "accuracy"), (1, "macro-F1")):
            values = [[fold[index] for fold in r.scores[measure]] for r in (ours, base)]
            cells = [f"{statistics.median(v):.3f} ({statistics.mean(v):.3f})" for v in values]
            ratio = statistics.median(values[0]) / statistics.median(values[1])
            lines.append(f"| {title} {metric} | {cells[0]} | {cells[1]} | {ratio:.3f} |")
    for kind in ENTITY_TYPES:
        values = [r.entities[kind] for r in (ours, base)]
        cells = [f"{statistics.median(v):.3f} ({statistics.mean(v):.3f})" for v in values]
        ratio = statistics.median(values[0]) / max(statistics.median(values[1]), 1e-9)
        lines.append(f"| entity `{kind}` F1 | {cells[0]} | {cells[1]} | {ratio:.3f} |")
    shares = [sum(right for _, _, right in r.topics) / max(sum(n for n, _, _ in r.topics), 1)
              for r in (ours, base)]
    lines.append(f"| knowledge questions with the right topic (all folds) | {shares[0]:.3f} | "
                 f"{shares[1]:.3f} | {shares[0] / max(shares[1], 1e-9):.3f} |")
    seconds = [statistics.median(r.train_seconds) for r in (ours, base)]
    lines.append(f"| training time per fold (NLU only) | {seconds[0]:.0f} s | {seconds[1]:.0f} s | "
                 f"{seconds[0] / seconds[1]:.2f} |")
    return "\n".join(lines)


def verdict(runs: dict[str, Run]) -> str:
    ours, base = (statistics.median(f1 for _, f1 in runs[n].scores["intent"]) for n in runs)
    entities = {kind: statistics.median(runs["ours"].entities[kind]) for kind in ENTITY_TYPES}
    met = ours >= TARGET_F1 and ours >= base and all(f1 >= TARGET_ENTITY_F1 for f1 in entities.values())
    shown = ", ".join(f"`{kind}` {f1:.3f}" for kind, f1 in entities.items())
    return (f"**Verdict: target {'met' if met else 'NOT met'}** — intent macro-F1 {ours:.3f} "
            f"(target ≥ {TARGET_F1}) {'≥' if ours >= base else '<'} baseline {base:.3f}; entity F1 "
            f"{shown} (target ≥ {TARGET_ENTITY_F1}).")


def report(runs: dict[str, Run], size: str, minutes: float, load: float, nice: int) -> str:
    commit = current_commit()
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
SpacyTokenizer); the baseline is build/config-baseline.yml, generated from it with Rasa's JiebaTokenizer
(stock dictionary) in place of SpacyNLP + SpacyTokenizer. The 繁→简 step stays in both, so the
difference is the tokenizer alone. *Intent*: DIET's intent over all intents, faq counted as one,
with the FallbackClassifier's decision undone (as `rasa test nlu` does). *Answer*: what the user
gets — `faq/<topic>` chosen by the ResponseSelector when the final intent is faq, otherwise the
final intent; a fallback counts as a miss. *Answer, topic as the action chooses it*: the same, with
the topic picked as the router picks it — ResponseSelector confidence + weighted BM25 over each
topic's words (bot/dialogue/topics.py), the BM25 index built from the fold's training questions
only. Macro-F1 averages over the labels of each test fold. *Entity F1*: DIET's `service` and
`field` spans against the examples' annotations (type and text equal).

{table(runs)}

Training time per fold, seconds (NLU only, 4/5 of the data):
{per_fold}

{verdict(runs)}

The 10 most confused topic pairs of our pipeline (the topic the action chooses differs from the
true topic on faq examples, both directions, all folds); give these topics more distinct examples:

{pairs}
"""


def fold_line(number: int, name: str, run: Run) -> str:
    intent, answer, chosen = (run.scores[m][-1] for m in MEASURES)
    total, selector, right = run.topics[-1]
    entities = ", ".join(f"{kind} {run.entities[kind][-1]:.3f}" for kind in ENTITY_TYPES)
    return (f"bench-nlu: fold {number}/{FOLDS} {name}: trained in {run.train_seconds[-1]:.0f} s; "
            f"intent acc {intent[0]:.3f} F1 {intent[1]:.3f}; entity F1 {entities}; answer acc {answer[0]:.3f} "
            f"F1 {answer[1]:.3f}; as chosen acc {chosen[0]:.3f} F1 {chosen[1]:.3f}; knowledge "
            f"questions right: selector {selector}/{total}, chosen {right}/{total}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only-fold", type=int, metavar="N", choices=range(1, FOLDS + 1),
                        help=f"train and test fold N (1..{FOLDS}) alone, print the misses, "
                             "write nothing to docs/benchmarks.md")
    parser.add_argument("--pipelines", nargs="+", choices=sorted(PIPELINES),
                        help="which pipelines (default: both, or ours with --only-fold); "
                             "docs/benchmarks.md is written only for all folds of both")
    args = parser.parse_args(argv)
    names = args.pipelines or (["ours"] if args.only_fold else list(PIPELINES))
    complete = args.only_fold is None and set(names) == set(PIPELINES)
    os.chdir(paths.PROJECT)  # config.yml names build/spacy-zh relative to the project
    os.environ.update(quiet_env() | {"RASA_MAX_CACHE_SIZE": "0", "LOG_LEVEL": "WARNING"})
    write_baseline()
    from rasa.utils.log_utils import configure_structlog

    from bot.catalogue.tokens import SpacyTokenizer
    from bot.nlp.corpus import nlu_training_data

    configure_structlog(logging.WARNING)  # no per-message debug lines from the processor

    data = nlu_training_data()
    size = (f"{len(data.intent_examples)} examples (data/nlu, build/data), "
            f"{len({e.get('intent') for e in data.intent_examples})} intents, "
            f"{len({e.get_full_intent() for e in data.intent_examples})} labels with the faq topics")
    print(f"bench-nlu: {size}; {FOLDS} folds × {len(names)} pipelines"
          + (f", fold {args.only_fold} only" if args.only_fold else ""), flush=True)
    load, started = os.getloadavg()[0], time.monotonic()
    runs = {name: Run() for name in names}
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as scratch:
        configs = frozen_configs(Path(scratch))
        tokenize = SpacyTokenizer(Path(scratch) / "spacy-zh")
        for number, (train, test) in enumerate(folds(data), 1):
            if args.only_fold not in (None, number):
                continue
            for name in names:  # interleaved: both meet the same load
                records = run_fold(configs[name], train, test, Path(scratch), f"{name}-{number}",
                                   runs[name], tokenize)
                print(fold_line(number, name, runs[name]), flush=True)
                if not complete:
                    print(f"bench-nlu: knowledge questions right by BM25 weight: "
                          f"{weight_sweep(records, train, tokenize)}")
                    print(f"bench-nlu: held-out knowledge questions answered with a wrong topic:\n"
                          f"{misses(records)}")
                    print(f"bench-nlu: predictions in {save(records, f'{number}-{name}')}")
    if not complete:
        return 0
    print(table(runs))
    print(verdict(runs))
    write_section(HEADING, report(runs, size, (time.monotonic() - started) / 60, load,
                                  os.nice(0)))
    print(f"bench-nlu: written to {paths.PROJECT / 'docs' / 'benchmarks.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
