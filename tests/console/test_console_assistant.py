"""The console on what the running assistant stored: a resident's conversation over REST that fell
back and ended in a callback request is found, read turn by turn and worked, over HTTP."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import PHONE, make_accounts, signed_in, start_console
from tests.staff.conftest import Resident

pytestmark = pytest.mark.server


def test_a_conversation_the_assistant_held_is_found_and_its_callback_worked(servers) -> None:
    staff_url = servers.extra_env["STAFF_DATABASE_URL"]
    resident = Resident(servers.rasa_url, "console")
    for message in ("附近哪有好吃的火锅店", "/request_callback", "其他事项", "想找人问问附近吃饭的地方",
                    PHONE, "跳过", "确认提交"):
        resident.say(message)
    make_accounts(staff_url, ("console-staff", "staff"))
    console = start_console(staff_url, f"sqlite:///{servers.tracker_db}", "console-assistant")
    try:
        staff = signed_in(console, "console-staff", "staff")
        listed = staff.get(f"/conversations?fell_back=1&handed_off=1&q={resident.sender}").text
        assert "共 1 个会话" in listed and resident.conversation_id in listed  # rest:<sender>, the server's name
        conversation = staff.get(f"/conversation?id={resident.conversation_id}").text
        assert "附近哪有好吃的火锅店" in conversation and "未能回答" in conversation
        assert "139****5678" in conversation and PHONE not in conversation  # masked by the tracker store
        assert re.search(r"意图：<code>\w+</code>，置信度 [01]\.\d\d", conversation)
        request_id = int(re.search(r'href="/callbacks/(\d+)"', conversation).group(1))
        page = f"/callbacks/{request_id}"
        assert f'href="tel:{PHONE}"' in staff.get(page).text
        for action in ("claim", "called", "close"):
            assert staff.submit(f"{page}/{action}", page=page).status_code == 303, action
        assert "已办结" in staff.get(page).text
    finally:
        console.stop()
