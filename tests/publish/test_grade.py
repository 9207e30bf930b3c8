"""A candidate's grade: `make eval`'s rules (tools/eval.py) through REST, from senders that carry
the publish grader's marker (bot/graders.py), so its conversations stay out of the inbox."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from bot import graders
from bot.publish.grade import drops, grade_url

# What the stand-in assistant answers to each message (our own texts, none of the evaluation's).
ANSWERS = {"公园几点开门": "公园早上六点开门", "图书馆在哪": "图书馆在文化路",
           "我想办居住登记": "请问是首次登记吗", "首次": "首次登记请带身份证"}


def serve(asked: list[tuple[str, str]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append((body["sender"], body["message"]))
            reply = json.dumps([{"text": ANSWERS.get(body["message"], "抱歉，请拨打12345")}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_candidate_is_graded_by_make_evals_rules_as_the_publish_grader(tmp_path: Path) -> None:
    (tmp_path / "dev_questions.yml").write_text(yaml.safe_dump({"questions": [
        {"id": "q1", "kind": "fact", "ask": "公园几点开门", "must": ["六点|6点"]},
        {"id": "q2", "kind": "fact", "ask": "图书馆在哪", "must": ["人民路"]},
    ]}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "dev_conversations.yml").write_text(yaml.safe_dump({"conversations": [
        {"id": "c1", "turns": [{"say": "我想办居住登记", "must": ["首次"]}, {"say": "首次", "must": ["身份证"]}]},
        {"id": "c2", "turns": [{"say": "公园几点开门", "must": ["六点"]}, {"say": "那博物馆呢", "must": ["博物馆"]}]},
    ]}, allow_unicode=True), encoding="utf-8")
    asked: list[tuple[str, str]] = []
    server = serve(asked)
    try:
        grade = grade_url(f"http://127.0.0.1:{server.server_address[1]}", tmp_path)
    finally:
        server.shutdown()
    assert grade == {"dev_questions": {"passed": 1, "total": 2, "failed": ["q2"]},
                     "dev_conversations": {"passed": 1, "total": 2, "failed": ["c2"]}}
    senders = [sender for sender, _ in asked]
    assert all(graders.is_grader(s) and s.startswith(graders.PUBLISH) for s in senders)
    # Each question in a conversation of its own; each conversation's turns from one sender.
    assert len(set(senders)) == 2 + 2 and senders[2] == senders[3] and senders[4] == senders[5]
    live = {"dev_questions": {"passed": 2, "total": 2, "failed": []},
            "dev_conversations": {"passed": 1, "total": 2, "failed": ["c2"]}}
    assert drops(grade, live) == ["dev_questions：通过 1/2，线上版本 2/2（新失败：q2）"]
