"""`python -m tools.eval`: grade a running assistant on the public questions, as ../shared/eval says.

Each question goes once, in a new conversation, to the REST channel; the reply text is every
message's `text` plus its buttons' titles, joined by newlines; a question passes when each `must`
entry has one of its `|`-alternatives in that text. When no assistant answers on the URL, one is
started for the run and stopped afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import graders, paths

DEFAULT_QUESTIONS = paths.PROJECT.parent / "shared" / "eval" / "dev_questions.yml"
# Our own held-out sets: written apart from the training data by three different writers, to
# estimate the score on the larger question set the assistant is judged by.
HOLDOUT_QUESTIONS = (paths.PROJECT / "eval" / "holdout_questions.yml",
                     paths.PROJECT / "eval" / "holdout2_questions.yml",
                     paths.PROJECT / "eval" / "holdout3_questions.yml",
                     paths.PROJECT / "eval" / "holdout4_questions.yml",
                     paths.PROJECT / "eval" / "holdout5_questions.yml")
# The share of a set's questions that must pass (issue #3: 26 of 27 dev questions, 95 % of the judged set).
PASS_SHARE = 0.95
DEFAULT_URL = "http://127.0.0.1:5005"


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    ask: str
    must: tuple[str, ...]


def load_questions(path: Path) -> list[Question]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Question(q["id"], q.get("kind", ""), q["ask"], tuple(q["must"]))
            for q in raw["questions"]]


@dataclass(frozen=True)
class Turn:
    say: str
    must: tuple[str, ...]
    text_only: bool = False  # `where: text`: graded on the messages' text, without button titles


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Turn, ...]


def load_conversations(path: Path) -> list[Conversation]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Conversation(c["id"], tuple(Turn(t["say"], tuple(t["must"]), t.get("where") == "text")
                                        for t in c["turns"])) for c in raw["conversations"]]


def reply_text(messages: list[dict], buttons: bool = True) -> str:
    """Every message's text and (unless not `buttons`) every button title, one per line."""
    lines = []
    for message in messages:
        if message.get("text"):
            lines.append(message["text"])
        if buttons:
            lines.extend(button.get("title", "") for button in message.get("buttons") or [])
    return "\n".join(lines)


def missing(question: Question, text: str) -> list[str]:
    """The `must` entries none of whose alternatives is in `text`."""
    return [entry for entry in question.must
            if not any(alternative in text for alternative in entry.split("|"))]


def ask(base_url: str, message: str, sender: str | None = None, timeout: float = 30) -> list[dict]:
    body = json.dumps({"sender": sender or graders.new_sender(graders.EVAL), "message": message})
    request = urllib.request.Request(f"{base_url}/webhooks/rest/webhook", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def grade(base_url: str, questions: list[Question]) -> list[tuple[Question, str, list[str]]]:
    """(question, reply text, missing entries) for every question."""
    results = []
    for question in questions:
        text = reply_text(ask(base_url, question.ask))
        results.append((question, text, missing(question, text)))
    return results


def grade_conversations(base_url: str, conversations: list[Conversation], prefix: str = graders.EVAL
                        ) -> list[tuple[Conversation, list[str]]]:
    """(conversation, the failed turns as "n: missing …") for every conversation, each in a new
    conversation of its own (../shared/eval/README.md)."""
    results = []
    for conversation in conversations:
        sender, failed = graders.new_sender(prefix), []
        for number, turn in enumerate(conversation.turns, start=1):
            text = reply_text(ask(base_url, turn.say, sender), buttons=not turn.text_only)
            gaps = [entry for entry in turn.must if not any(a in text for a in entry.split("|"))]
            if gaps:
                failed.append(f"{number}: missing {gaps}")
        results.append((conversation, failed))
    return results


def report(results: list[tuple[Question, str, list[str]]], name: str = "") -> str:
    failed = [(q, text, gaps) for q, text, gaps in results if gaps]
    lines = [f"MISS {q.id} [{q.kind}] {q.ask}\n     missing {gaps}; got: {text!r}"
             for q, text, gaps in failed]
    kinds = sorted({q.kind for q, _, _ in results})
    by_kind = ", ".join(f"{kind} {sum(not gaps for q, _, gaps in results if q.kind == kind)}/"
                        f"{sum(q.kind == kind for q, _, _ in results)}" for kind in kinds)
    prefix = f"{name}: " if name else ""
    lines.append(f"{prefix}{len(results) - len(failed)} passed, {len(failed)} failed ({by_kind})")
    return "\n".join(lines)


def passed_share(results: list[tuple[Question, str, list[str]]]) -> float:
    return sum(not gaps for _, _, gaps in results) / max(len(results), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="+",
                        default=[p for p in (DEFAULT_QUESTIONS, *HOLDOUT_QUESTIONS) if p.exists()],
                        help="question files (default: ../shared/eval/dev_questions.yml and "
                             "eval/holdout*_questions.yml)")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--pass-share", type=float, default=PASS_SHARE,
                        help=f"share of each file's questions that must pass (default {PASS_SHARE})")
    args = parser.parse_args(argv)
    question_sets = {path: load_questions(path) for path in args.questions}

    from bot.model import model_path
    from bot.serve import Servers, _answers

    servers = None
    if not _answers(f"{args.url}/webhooks/rest/"):
        print(f"eval: no assistant at {args.url}; starting one for this run", flush=True)
        servers = Servers(model=model_path(), log_dir=paths.BUILD / "logs")
        servers.start()
    try:
        results = {path: grade(args.url, questions) for path, questions in question_sets.items()}
    finally:
        if servers:
            servers.stop()
    for path, graded in results.items():
        print(report(graded, path.name))
    return 0 if all(passed_share(graded) >= args.pass_share for graded in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
