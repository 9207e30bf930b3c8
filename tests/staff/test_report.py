"""`python -m bot.report` on a tracker store filled by real conversations over REST: its figures
match the conversations held, its charts are PNGs, and personal numbers stay masked."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot import paths
from bot.knowledge.model import load
from bot.model import quiet_env
from tests.staff.conftest import Resident

pytestmark = pytest.mark.server

PHONE, ID_CARD = "13912345678", "11010519491231002X"


def hold_conversations(url: str) -> tuple[int, list[Resident]]:
    """Three residents; returns how many messages they sent."""
    sent = 0
    talent, lost, unhappy = Resident(url, "report"), Resident(url, "report"), Resident(url, "report")
    script = [
        (talent, ["经纬人才计划是什么", "谢谢", '/rate{"rating_level": "5"}']),
        (lost, ["附近有什么好吃的火锅店", "帮我订一张去北京的机票", "/request_callback", "其他事项",
                f"想找人聊聊，我的身份证是{ID_CARD}", PHONE, "确认提交"]),
        (unhappy, ["你好", "经纬人才计划是什么", "再见", '/rate{"rating_level": "2"}', f"太笼统，回电{PHONE}"]),
    ]
    for resident, messages in script:
        for message in messages:
            resident.say(message)
            sent += 1
    return sent, [talent, lost, unhappy]


def test_the_report_matches_the_conversations(servers, staff_url: str, tmp_path: Path) -> None:
    since = datetime.now(timezone.utc)
    time.sleep(1.1)  # stored timestamps are floats; start cleanly after anything earlier
    sent, _ = hold_conversations(servers.rasa_url)
    out = tmp_path / "report"
    result = subprocess.run(
        [sys.executable, "-m", "bot.report", "--tracker", f"sqlite:///{servers.tracker_db}", "--staff", staff_url,
         "--since", since.isoformat(), "--out", str(out)],
        cwd=paths.PROJECT, env=quiet_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = result.stdout
    assert f"会话数：3（用户消息 {sent} 条）" in summary
    assert "未能回答的提问：2 次，2 种说法" in summary
    assert "登记回电请求 1 条（待回电 1 条）" in summary
    assert "好差评：2 条，满意率（基本满意及以上）50%" in summary
    talent_plan = load().topics["talent_plan"].title
    assert f"问得最多：{talent_plan}（2）" in summary

    page = (out / "index.html").read_text(encoding="utf-8")
    for chart in ("conversations-per-day.png", "top-topics.png", "ratings.png"):
        assert f'src="{chart}"' in page
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "附近有什么好吃的火锅店" in page and "帮我订一张去北京的机票" in page
    assert re.search(r"<td>非常满意</td><td class=n>1</td>", page)
    assert re.search(r"<td>不满意</td><td class=n>1</td>", page)
    assert "139****5678" in page
    assert PHONE not in page and ID_CARD not in page
