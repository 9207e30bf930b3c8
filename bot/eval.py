"""`python -m bot.eval`: grade a running assistant on the public questions, as ../shared/eval says.

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
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths

DEFAULT_QUESTIONS = paths.PROJECT.parent / "shared" / "eval" / "dev_questions.yml"
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


def reply_text(messages: list[dict]) -> str:
    """Every message's text and every button title, one per line."""
    lines = []
    for message in messages:
        if message.get("text"):
            lines.append(message["text"])
        lines.extend(button.get("title", "") for button in message.get("buttons") or [])
    return "\n".join(lines)


def missing(question: Question, text: str) -> list[str]:
    """The `must` entries none of whose alternatives is in `text`."""
    return [entry for entry in question.must
            if not any(alternative in text for alternative in entry.split("|"))]


def ask(base_url: str, message: str, sender: str | None = None, timeout: float = 30) -> list[dict]:
    body = json.dumps({"sender": sender or f"eval-{uuid.uuid4().hex}", "message": message})
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


def report(results: list[tuple[Question, str, list[str]]]) -> str:
    failed = [(q, text, gaps) for q, text, gaps in results if gaps]
    lines = [f"MISS {q.id} [{q.kind}] {q.ask}\n     missing {gaps}; got: {text!r}"
             for q, text, gaps in failed]
    lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)

    from bot.serve import Servers, _answers
    from bot.setup import model_path

    servers = None
    if not _answers(f"{args.url}/webhooks/rest/"):
        print(f"eval: no assistant at {args.url}; starting one for this run", flush=True)
        servers = Servers(model=model_path(), log_dir=paths.BUILD / "logs")
        servers.start()
    try:
        results = grade(args.url, questions)
    finally:
        if servers:
            servers.stop()
    print(report(results))
    return 0 if all(not gaps for _, _, gaps in results) else 1


if __name__ == "__main__":
    sys.exit(main())
