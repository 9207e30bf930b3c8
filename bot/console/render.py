"""Server-rendered pages: Jinja2 templates (bot/console/templates), autoescaped, in Chinese."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic import response
from sanic.request import Request

from bot.requests.store import beijing_time

TEMPLATES = Path(__file__).parent / "templates"
# Short messages shown after an action (the page is redirected to with ?done=<key>); only these
# texts are ever shown, never text taken from the URL.
DONE = {
    "claimed": "已认领。请尽快回电。",
    "released": "已放弃认领，请求回到队列。",
    "called": "已记录回电。",
    "closed": "已办结。",
    "reopened": "已重新打开，请求回到队列。",
    "noted": "已添加备注。",
    "signed_out": "您已退出登录。",
    "expired": "登录已过期或已在别处退出，请重新登录。",
    "edit_saved": "已保存到数据文件（工作副本）。管理员发布后助手才会使用；提交到 git 由运维人员完成。",
    "edit_discarded": "已放弃本次修改，数据文件未改动。",
    "inbox_out_of_scope": "已标记为“不在服务范围，已正确答复”，这些问题不再显示。",
    "inbox_undone": "已撤销该处理，问题重新回到未答列表。",
}


def when(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A time as staff read it (Beijing); stored naive times are UTC."""
    if moment is None:
        return "—"
    return (beijing_time(moment) if moment.tzinfo is None else moment).strftime(pattern)


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = when
    env.filters["as_text"] = as_text
    return env


def page(request: Request, template: str, status: int = 200, **context: Any) -> response.HTTPResponse:
    """The page `template` for this request's user (None before sign-in), with their CSRF token."""
    session = getattr(request.ctx, "session", None)
    signer = request.app.ctx.signer
    context.setdefault("title", "")
    context.setdefault("section", "")
    context.setdefault("notice", DONE.get(request.args.get("done", ""), ""))
    context.setdefault("error", "")
    html = environment().get_template(template).render(
        user=session.user if session else None,
        csrf_token=signer.csrf_token(session.id) if session else "",
        **context)
    return response.html(html, status=status)
