"""Grading a candidate release before it goes live: `make eval`'s rules on the dev sets.

The candidate runs as an assistant of its own (action server and Rasa on free ports, a scratch
tracker store and staff database, the release's catalogue database and pipeline), is asked the
project's dev questions and conversations (../shared/eval) the way tools/eval.py asks them, and is
stopped. Its grade is compared with the live release's on the same sets: fewer passed in any set
is a drop, and a drop blocks the switch. Its conversations carry the publish grader's marker
(bot/graders.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from bot import graders
from bot.endpoints import StoreURLs
from bot.eval_sets import SHARED_EVAL
from bot.processes import free_port
from bot.publish.releases import Release
from bot.publish.serving import release_env

EVAL_FOLDER = SHARED_EVAL
QUESTIONS, CONVERSATIONS = "dev_questions", "dev_conversations"


def grade_url(url: str, folder: Path = EVAL_FOLDER) -> dict[str, dict]:
    """{set: {"passed", "total", "failed": [ids]}} of the assistant answering at `url`, graded by
    `make eval`'s own functions (tools/eval.py) from senders marked as the publish grader's."""
    from tools.eval import grade, grade_conversations, load_conversations, load_questions

    results: dict[str, dict] = {}
    questions = folder / f"{QUESTIONS}.yml"
    if questions.is_file():
        graded = grade(url, load_questions(questions), graders.PUBLISH, timeout=60)
        failed = [question.id for question, _, gaps in graded if gaps]
        results[QUESTIONS] = {"passed": len(graded) - len(failed), "total": len(graded), "failed": failed}
    conversations = folder / f"{CONVERSATIONS}.yml"
    if conversations.is_file():
        talks = grade_conversations(url, load_conversations(conversations), graders.PUBLISH, timeout=60)
        failed = [conversation.id for conversation, turns in talks if any(turn.gaps for turn in turns)]
        results[CONVERSATIONS] = {"passed": len(talks) - len(failed), "total": len(talks), "failed": failed}
    return results


def grade_release(release: Release, log_dir: Path, say: Callable[[str], None] = print,
                  folder: Path = EVAL_FOLDER) -> dict[str, dict]:
    """Start `release` as an assistant of its own, grade it, stop it."""
    from bot.serve import Servers

    with tempfile.TemporaryDirectory(prefix="shizhong-candidate-") as scratch:
        # The candidate's own catalogue, centre record, knowledge base and segments — never the
        # live link the launcher's environment (inherited by the console) points at.
        env = release_env(release.folder) | {"STAFF_DATABASE_URL": f"sqlite:///{Path(scratch) / 'staff.db'}"}
        servers = Servers(model=release.model, rasa_port=free_port(), actions_port=free_port(),
                          tracker_db=Path(scratch) / "tracker.db", log_dir=log_dir, extra_env=env,
                          stores=StoreURLs(None, None))
        say("启动候选版本（独立的动作服务器与助手进程）")
        try:
            servers.start()
            say("候选版本已启动，开始评测")
            return grade_url(servers.rasa_url, folder)
        finally:
            servers.stop()


def drops(candidate: dict[str, dict], live: dict[str, dict]) -> list[str]:
    """Why the candidate is worse than live, in Chinese: [] when it is not."""
    found = []
    for name, before in live.items():
        after = candidate.get(name)
        if after is None:
            continue
        if after["passed"] < before["passed"]:
            newly = sorted(set(after["failed"]) - set(before["failed"]))
            found.append(f"{name}：通过 {after['passed']}/{after['total']}，"
                         f"线上版本 {before['passed']}/{before['total']}"
                         + (f"（新失败：{'、'.join(newly)}）" if newly else ""))
    return found
