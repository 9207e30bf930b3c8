"""The 12345 hotline record (sources/hotline.yml): the real one, broken ones, the answers.

The article does not mention the hotline: the record may say what the number is for and when the
assistant hands on to it, but its hours and cost are placeholders flagged sample, and the rules
must catch an invented hour or fee at its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import paths
from bot.catalogue.hotline import (
    HOTLINE_RECORD,
    LABELS,
    SAMPLE_NOTICE,
    HotlineInvalid,
    hotline_reply,
    load_hotline,
)

REAL = HOTLINE_RECORD.read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str) -> str:
    path = tmp_path / "hotline.yml"
    assert old in REAL
    path.write_text(REAL.replace(old, new), encoding="utf-8")
    with pytest.raises(HotlineInvalid) as error:
        load_hotline(path)
    return str(error.value)


def test_the_real_record_is_valid_and_invents_no_hour_or_fee() -> None:
    hotline = load_hotline()
    assert hotline.number == "12345" and "12345" in hotline.names()
    assert hotline.sample_fields == frozenset({"hours", "cost"})
    for placeholder in (hotline.hours, hotline.cost):
        assert "没有写" in placeholder and "为准" in placeholder and not re.search(r"\d", placeholder)
    # The article says nothing of the hotline; the record does not claim it does.
    article = paths.SEED_ARTICLE.read_text(encoding="utf-8")
    assert "12345" not in article and "工作部署没有提到" in hotline.source


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('number: "12345"', 'number: "12346"', "number: must be 12345"),
    ("hours: 工作部署里没有写，以拨打时的提示为准", "hours: 24小时人工服务", "hours: a sample value"),
    ("cost: 工作部署里没有写，以您所用电话的资费规定为准", "cost: 免费拨打", "cost: a sample value"),
    ("sample_fields: [hours, cost]", "sample_fields: [hours]", "cost is given by no source"),
    ("都可以拨打12345。", "都可以拨打12345，7×24小时服务。", "purpose: may hold no number"),
    ("updated: 2026-12-05", "updated: 2999-01-01", "updated: lies in the future"),
])
def test_an_invented_fact_is_caught_at_its_line(tmp_path: Path, old: str, new: str, problem: str) -> None:
    message = broken(tmp_path, old, new)
    assert problem in message, message
    # Located at the line of the key it names.
    found = re.search(r"hotline\.yml:(\d+): (\w+):", message)
    assert found, message
    lines = REAL.replace(old, new).splitlines()
    assert lines[int(found.group(1)) - 1].startswith(f"{found.group(2)}:"), message


def test_the_answer_says_what_was_asked_first_and_the_notice_once() -> None:
    hotline = load_hotline()
    whole = hotline_reply(())
    assert whole.splitlines()[0].startswith(f"{hotline.name}是") and "本助手会请您拨打12345" in whole
    assert SAMPLE_NOTICE not in whole  # nothing shown is a placeholder
    cost = hotline_reply(("cost", "hours"))
    lines = cost.splitlines()
    assert lines[0].startswith(f"{hotline.name}{LABELS['cost']}：") and lines[1].startswith(f"{LABELS['hours']}：")
    assert cost.count(SAMPLE_NOTICE) == 1 and lines[-1].startswith("来源：")
