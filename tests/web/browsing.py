"""A resident's browser visit (Debian's chromium under Playwright) and the axe-core check of a page.

axe-core comes from npm (package.json's devDependencies, installed by `npm ci` at set-up) and is
served to the page under test from node_modules through Playwright's routing, on the page's own
origin: the page's Content-Security-Policy (scripts from 'self' only) stays as residents get it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot import paths

TIMEOUT = 30_000
AXE_SCRIPT = paths.PROJECT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__test__/axe.min.js"  # never served by the app: Playwright answers it from node_modules
# WCAG 2.1 A and AA: the rules axe-core tags with these.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Screen:
    """A screen a resident uses: a phone held upright or a desktop window."""

    name: str
    width: int
    height: int

    @property
    def viewport(self) -> dict[str, int]:
        return {"width": self.width, "height": self.height}


PHONE = Screen("phone", 390, 844)
DESKTOP = Screen("desktop", 1280, 800)


class Visit:
    """One browser context on the page, recording requests, websockets, errors and dialogs."""

    def __init__(self, chromium, url: str, screen: Screen = Screen("window", 1000, 900)) -> None:
        self.context = chromium.new_context(locale="zh-CN", viewport=screen.viewport)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("websocket", lambda socket: self.requests.append(socket.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.set_default_timeout(TIMEOUT)
        self.page.goto(url)

    def wait_for_session(self) -> None:
        # Type only once the widget holds a confirmed socket.io session: a message typed before
        # that is lost on a slow machine, and the test would fail for the wrong reason.
        self.page.wait_for_function(
            "() => { const s = localStorage.getItem('chat_session');"
            " return s !== null && JSON.parse(s).session_id; }")

    def ask(self, text: str) -> None:
        self.wait_for_session()
        box = self.page.locator(".rw-new-message")
        box.fill(text)
        box.press("Enter")

    def answer(self, text: str):
        return self.page.locator(".rw-response").filter(has_text=text)

    def settle(self) -> None:
        """Wait until no bot message has arrived for a while (the widget delays each one)."""
        messages = self.page.locator(".rw-message")
        count = -1
        while count != messages.count():
            count = messages.count()
            self.page.wait_for_timeout(1_500)

    def offsite(self) -> list[str]:
        return [url for url in self.requests if urlsplit(url).hostname != "127.0.0.1"]

    def close(self) -> None:
        self.context.close()


def axe_violations(page, tags: list[str] = WCAG_21_AA) -> list[dict]:
    """Run axe-core on the page as it is now; its violations (rule, impact, nodes)."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT.relative_to(paths.PROJECT)} is missing; the set-up's `npm ci` installs "
                    "axe-core (package.json devDependencies)")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    page.route(origin + AXE_PATH, lambda route: route.fulfill(
        body=AXE_SCRIPT.read_bytes(), content_type="text/javascript; charset=utf-8"))
    page.add_script_tag(url=origin + AXE_PATH)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    return result["violations"]


def blocking(violations: list[dict]) -> list[str]:
    """The serious and critical violations, one readable line per element."""
    return [f"{v['id']} ({v['impact']}): {node['target']} — {node.get('failureSummary', '')}"
            for v in violations if v["impact"] in BLOCKING for node in v["nodes"]]


def save_violations(violations: list[dict], path: Path) -> None:
    path.write_text(json.dumps([{"id": v["id"], "impact": v["impact"], "help": v["help"],
                                 "targets": [node["target"] for node in v["nodes"]]} for v in violations],
                               ensure_ascii=False, indent=2), encoding="utf-8")
