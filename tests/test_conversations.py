"""The conversations of tests/test_stories.yml, twice: the dialogue's rules and stories predict each
step (`rasa test core --fail-on-prediction-errors`, on the stories' intents and slots), and the
same conversations sent turn by turn through REST get replies that contain what each story's
metadata says (`replies`: one entry per user turn; a list is graded on texts and button titles,
`{text: [...]}` on texts alone, as ../shared/eval grades `where: text`). The routing decision of
every answer is kept in the tracker (the bot message's metadata "routing").
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
import uuid
from typing import Any

import pytest
import yaml

from bot import paths
from bot.model import quiet_env
from tests.names import NAME
from tools.eval import ask, missing_entries, reply_text

pytestmark = pytest.mark.server

STORIES = paths.PROJECT / "tests" / "test_stories.yml"
MIN_STORIES = 60


def stories() -> list[dict[str, Any]]:
    return yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]


# "{SZ-SA-05}" in an expected reply: that service's official name, from the catalogue. Names that
# are also evaluation turns are written so (an evaluation text stays out of the tests).
SERVICE_NAME = re.compile(r"\{(SZ-[A-Z]+-\d+)\}")


def with_names(expected: str) -> str:
    return SERVICE_NAME.sub(lambda found: NAME[found.group(1)], expected)


def turns(story: dict[str, Any]) -> list[tuple[str, tuple[str, ...], bool]]:
    """(what the user says, what the reply must contain, graded on texts alone) per user turn."""
    said = [str(step["user"]).strip() for step in story["steps"] if "user" in step]
    expected = (story.get("metadata") or {}).get("replies") or []
    graded = []
    for text, entry in zip(said, expected, strict=True):
        text_only = isinstance(entry, dict)
        must = tuple(with_names(part) for part in (entry["text"] if text_only else entry))
        graded.append((text, must, text_only))
    return graded


def test_the_stories_cover_the_kinds_of_follow_up() -> None:
    all_stories = stories()
    assert len(all_stories) >= MIN_STORIES
    for story in all_stories:
        said = [step for step in story["steps"] if "user" in step]
        expected = (story.get("metadata") or {}).get("replies") or []
        assert len(said) == len(expected), f"{story['story']}: one reply entry per user turn"
    intents = {step.get("intent") for story in all_stories for step in story["steps"]}
    assert {"choose_option", "ask_service", "faq", "out_of_scope", "ask_more", "nlu_fallback"} <= intents


def test_stories(servers, trained_model) -> None:
    out = paths.TEST_OUTPUT / "story-results"
    env = quiet_env() | {"ACTION_ENDPOINT_URL": f"{servers.actions_url}/webhook",
                         "TRACKER_DB": str(servers.tracker_db.with_name("story-tests.db"))}
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--stories", str(STORIES),
         "--model", str(trained_model), "--endpoints", "endpoints.yml", "--out", str(out),
         "--fail-on-prediction-errors"],
        cwd=paths.PROJECT, env=env, capture_output=True, text=True, timeout=600)
    failed = out / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:] + details


@pytest.mark.parametrize("story", stories(), ids=lambda story: story["story"])
def test_the_replies_of_each_story_through_rest(assistant, story: dict[str, Any]) -> None:
    sender = f"story-{uuid.uuid4().hex}"
    for number, (text, must, text_only) in enumerate(turns(story), 1):
        reply = reply_text(ask(assistant.url, text, sender), with_buttons=not text_only)
        gaps = missing_entries(must, reply)
        assert not gaps, f"turn {number} {text!r}: missing {gaps} in {reply!r}"


def tracker_events(servers, sender: str) -> list[dict[str, Any]]:
    """The events of a REST sender's conversation (the server files it as rest:<sender>)."""
    from bot.channels.conversations import REST_PREFIX

    url = f"{servers.rasa_url}/conversations/{REST_PREFIX}{sender}/tracker?token={servers.auth_token}"
    request = urllib.request.Request(url)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["events"]


def test_each_answer_records_its_routing_decision(servers, assistant) -> None:
    sender = f"routing-{uuid.uuid4().hex}"
    assistant.ask("居住证办理要带哪些东西", sender)
    assistant.ask("办好得等多少天", sender)
    bots = [e for e in tracker_events(servers, sender) if e["event"] == "bot"]
    routing = [e["metadata"].get("routing") for e in bots if (e.get("metadata") or {}).get("routing")]
    assert [r["decision"] for r in routing][-1] == "field_follow_up", routing
    assert routing[-1]["fields"] == ["time_limit"] and routing[-1]["service"].startswith("SZ-")
    # The channels send text and buttons, not the record.
    assert all("routing" not in message for message in assistant.ask("办这个花不花钱", sender))
