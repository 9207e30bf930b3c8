"""Senders of the project's own graders: `make eval`, the benchmarks and the publish check.

Their conversations reach the tracker store like a resident's; the marker (the sender's prefix)
keeps them out of what editors and staff work from (the unanswered inbox). One place says which
prefixes mark a grader, and the graders take their prefix from here.
"""

from __future__ import annotations

import uuid

EVAL = "eval-"  # tools/eval.py: one conversation per question
LOAD = "load-"  # tools/bench/load.py: simulated residents
PUBLISH = "publish-"  # bot/publish: the candidate's grading before a switch
WARM_UP = "warm-up"  # bot/serve.py: the action server's first calls
PREFIXES = (EVAL, LOAD, PUBLISH, WARM_UP)
# A channel names the conversation (bot/channels/conversations.py): REST's `rest:<sender>`.
CHANNEL_PREFIXES = ("rest:", "web:", "wx:")


def is_grader(sender_id: str) -> bool:
    """Whether a conversation id (as stored: `rest:eval-…`, or a sender as sent) is a grader's."""
    for channel in CHANNEL_PREFIXES:
        if sender_id.startswith(channel):
            sender_id = sender_id[len(channel):]
            break
    return sender_id.startswith(PREFIXES)


def new_sender(prefix: str) -> str:
    """A fresh conversation id carrying the grader's marker."""
    return f"{prefix}{uuid.uuid4().hex}"
