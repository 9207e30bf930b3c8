"""Admins' pages: the audit log (who did what, when) and the accounts."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.request import Request

from bot.console import render
from bot.console.access import requires
from bot.console.forms import page_number
from bot.staff.roles import ADMIN

blueprint = Blueprint("admin")
PAGE_SIZE = 100
ACTION_NAMES = {
    "login": "登录", "login_invalid": "登录失败", "login_locked": "登录被锁定", "login_disabled": "停用账号尝试登录",
    "logout": "退出", "callback_view": "查看回电请求（含完整电话）", "callback_claim": "认领",
    "callback_release": "放弃认领", "callback_called": "记录已回电", "callback_close": "办结",
    "callback_reopen": "重新打开", "callback_note": "添加备注", "conversation_view": "查看会话",
    "inbox_out_of_scope": "标记不在服务范围", "inbox_undo": "撤销未答问题的处理", "edit_save": "保存数据修改",
    "catalogue_export": "下载服务目录", "catalogue_import": "上传服务目录", "publish_start": "开始发布",
    "rollback_start": "开始回滚", "publish_done": "发布完成", "publish_failed": "发布失败",
    "publish_blocked": "发布被评测阻止", "publish_rollback": "回滚完成",
    "user_add": "创建账号", "user_disable": "停用账号", "user_enable": "启用账号", "user_password": "重设密码",
}


@blueprint.get("/admin/audit")
@requires(ADMIN)
async def audit_log(request: Request):
    number = page_number(request.args.get("page"))
    actor = (request.args.get("actor") or "").strip()[:64]
    entries = await asyncio.to_thread(request.app.ctx.accounts.audit_entries, PAGE_SIZE + 1,
                                      (number - 1) * PAGE_SIZE, actor or None)
    return render.page(request, "audit.html", title="操作日志", section="audit", entries=entries[:PAGE_SIZE],
                       more=len(entries) > PAGE_SIZE, page=number, actor=actor, names=ACTION_NAMES)


@blueprint.get("/admin/users")
@requires(ADMIN)
async def user_list(request: Request):
    users = await asyncio.to_thread(request.app.ctx.accounts.users)
    return render.page(request, "users.html", title="账号", section="users", users=users)
