"""`make bench-publish`: the time from "publish" to "answering with the new model".

On a scratch copy of the sources and a release folder of its own, one assistant runs under the
keeper (as `make run` must start it for publishing) with the set-up's model adopted as the first
release. Two publishes follow, each the console's own job (bot/publish/job.py: validate, build,
train, grade on the dev sets, switch), while simulated residents keep asking through REST:
  small    20 questions the running assistant misses, added to their knowledge topics:
           `rasa train --finetune` on the live model;
  full     the same sources, a full training (`--full`, as an admin may ask for).
The figure is the job's own: from its start to the keeper's new process serving the new model.
Each step's share, the REST requests that failed during the job and the machine's load average
are printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from bot import paths
from bot.editing import changes
from bot.editing.eval_texts import EvalTexts
from bot.editing.tree import SourceTree
from bot.graders import LOAD, new_sender
from bot.knowledge.model import KnowledgeBase, load
from bot.model import model_path
from bot.publish import job as jobs
from bot.publish.build import adopt
from bot.publish.instances import RunningInstances
from bot.publish.releases import Releases
from tools.bench.report import write_section
from tools.publish_stacks import SingleStack

QUESTIONS = 20
OLD_QUESTIONS = 40
ANSWER_START = 16  # characters of a topic's answer that mark a reply as its answer
# How a resident asks about a topic's term in words of no training example.
TEMPLATES = ("{}这块儿是咋回事，给说道说道", "跟我讲讲{}呗，没太懂", "{}到底指的啥呀")


def missed_questions(url: str, knowledge: KnowledgeBase, marks: dict[str, tuple[str, ...]],
                     count: int = QUESTIONS) -> dict[str, str]:
    """Topic id → a question the running assistant does not answer with that topic, on no topic's
    list and in no evaluation: a topic's term asked in words of no training example. What an
    editor adds from the inbox; a question answered right already would show nothing."""
    evaluation = EvalTexts.load()
    known = {example for topic in knowledge.topics.values() for example in topic.examples}
    chosen: dict[str, str] = {}
    for topic in knowledge.topics.values():
        for template, term in itertools.product(TEMPLATES, topic.terms[:2]):
            question = template.format(term)
            if question not in known and question not in evaluation and \
                    not answers_topic(url, question, marks[topic.id]):
                chosen[topic.id] = question
                break
        if len(chosen) == count:
            break
    return chosen


def old_questions(knowledge: KnowledgeBase, exclude: set[str], count: int = OLD_QUESTIONS) -> dict[str, str]:
    """Topic id → the topic's last question, which the live model learnt: still answered with its
    topic after the publish, or the fine-tuning made the model forget. Topics in `exclude` (those
    getting a new question) are left out."""
    topics = [t for t in knowledge.topics.values() if t.id not in exclude]
    return {topic.id: topic.examples[-1] for topic in topics[-count:]}


class Load(threading.Thread):
    """Residents asking through REST during a publish (new connection a request)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stopping, self.ok, self.failed = url, threading.Event(), 0, 0
        self.load_averages: list[float] = []

    def run(self) -> None:
        from tools.eval import ask

        number = 0
        while not self.stopping.is_set():
            try:
                replies = ask(self.url, ("经纬人才计划是什么", "人才公寓怎么申请", "你好")[number % 3],
                              sender=new_sender(LOAD), timeout=60)
                self.ok += bool(replies)
                self.failed += not replies
            except Exception:  # every failure counts
                self.failed += 1
            number += 1
            if number % 10 == 0:
                self.load_averages.append(os.getloadavg()[0])
            time.sleep(0.5)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def answers_topic(url: str, question: str, marks: tuple[str, ...]) -> bool:
    """Whether the assistant answers `question` with a topic: its title or the start of its answer
    (`marks`) in the reply."""
    from tools.eval import ask, reply_text

    reply = reply_text(ask(url, question, sender=new_sender(LOAD), timeout=60))
    return any(mark in reply for mark in marks)


def answered(url: str, questions: dict[str, str], marks: dict[str, tuple[str, ...]]) -> int:
    """How many of `questions` the assistant now answers with their topic: the new ones are what
    the fine-tuning was for, the learnt ones what it must not forget."""
    return sum(answers_topic(url, question, marks[topic]) for topic, question in questions.items())


def step_seconds(job: jobs.Job) -> str:
    shown = []
    for step in job.steps:
        if step.started and step.ended and step.state in ("done", "failed"):
            shown.append(f"{step.name} {step.ended - step.started:.0f} s")
    return "，".join(shown)


def publish(name: str, releases: Releases, tree: SourceTree, running: RunningInstances, url: str,
            full: bool) -> tuple[str, jobs.Job, Load]:
    load = Load(url)
    load.start()
    started = os.getloadavg()[0]
    try:
        job = jobs.publish(releases, tree.root, "bench", full=full, running=running)
    finally:
        load.stop()
    average = sum(load.load_averages) / len(load.load_averages) if load.load_averages else started
    row = (f"| {name} | {job.plan_kind or '—'} | {job.state} | {job.seconds or 0:.0f} s | {step_seconds(job)} | "
           f"{load.ok} / {load.failed} | {average:.1f} |")
    print(row, flush=True)
    if job.state != jobs.SUCCEEDED:
        print(f"bench-publish: {name}: {job.error}", file=sys.stderr)
    return row, job, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("small", "full"), help="run one of the two publishes")
    args = parser.parse_args(argv)
    os.chdir(paths.PROJECT)
    with tempfile.TemporaryDirectory(prefix="bench-publish-", dir=paths.BUILD) as scratch:
        folder = Path(scratch)
        shutil.copytree(paths.SOURCES, folder / "sources")
        tree, releases = SourceTree(folder / "sources"), Releases(folder / "releases")
        releases.go_live(adopt(releases, tree.root, model_path()))
        stack = SingleStack(releases, folder / "single", folder / "instances.json")
        print("bench-publish: starting one assistant under the keeper", flush=True)
        stack.start()
        rows = []
        try:
            running = RunningInstances.load(folder / "instances.json")
            if args.only in (None, "small"):
                knowledge = load(tree.knowledge_dir, tree.article)  # before the new questions are added
                titles = {t.id: (t.title, t.answer[:ANSWER_START]) for t in knowledge.topics.values()}
                questions = missed_questions(stack.url, knowledge, titles)
                print(f"bench-publish: {len(questions)} questions the assistant misses, added to their topics",
                      flush=True)
                old = old_questions(knowledge, exclude=set(questions))
                for topic, question in questions.items():
                    change = changes.topic_examples(tree, topic, [question])
                    tree.save(change, tree.base(list(change.files)))
                before, old_before = answered(stack.url, questions, titles), answered(stack.url, old, titles)
                row = publish(f"{QUESTIONS} new questions", releases, tree, running, stack.url, False)[0]
                after, old_after = answered(stack.url, questions, titles), answered(stack.url, old, titles)
                rows.append(f"{row} {before} → {after} of {len(questions)} | "
                            f"{old_before} → {old_after} of {len(old)} |")
                print(f"bench-publish: the new questions answered with their topic: {before} before, "
                      f"{after} after; {len(old)} learnt questions: {old_before} before, {old_after} after",
                      flush=True)
            if args.only in (None, "full"):
                rows.append(publish("full training", releases, tree, running, stack.url, True)[0] + " — | — |")
        finally:
            stack.stop()
    header = ("| change | kind | result | publish → answering | steps | REST ok / failed during the job | "
              "load average | new questions answered with their topic, before → after | "
              "learnt questions answered with their topic, before → after |\n"
              "|---|---|---|---|---|---|---|---|---|")
    body = (f"{dt.date.today().isoformat()}, {os.cpu_count()} cores shared with other work (load average: "
            "the 1-minute figure sampled during the job). One assistant under the keeper, a REST load of one "
            "resident asking every 0.5 s throughout; the time is the job's own, from its start to the keeper's "
            "new process serving the new model (validate, build, train, grade the candidate on the dev questions "
            "and conversations, the live grade too where missing, switch).\n\n" + header + "\n" + "\n".join(rows))
    write_section("Publish: from 'publish' to answering with the new model (make bench-publish)", body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
