"""The widget's web app: `create_app(rasa_url)` serves the page, its script and styles, and the bundle.

Routes:
    GET /                       the page (Chinese; configuration as JSON data, no inline script)
    GET /static/<file>          our widget.js, widget.css, icon.svg
    GET /vendor/rasa-webchat.js rasa-webchat 1.0.1 from node_modules, patched (bot.web.assets)
    GET /health                 {"status": "ok"}

Every response says what the page may load: scripts only from here (no inline script, so neither a
`javascript:` link nor an `onerror=` attribute can run), connections only to here and to Rasa.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request

from bot.web import assets

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".svg": "image/svg+xml"}
STATIC_FILES = frozenset({"widget.js", "widget.css", "icon.svg"})
DISTRICT = "济南市市中区"
NAME = "政务服务助手"
TEXTS = {
    "title": f"{DISTRICT}{NAME}",
    "name": NAME,
    "subtitle": "人才政策 · 政务服务 · 民生工程",
    # The welcome, one sentence; on a phone only its middle shows (the header names the assistant
    # and its greeting lists the topics), so the conversation keeps the screen.
    "welcome_lead": f"您好！欢迎使用{DISTRICT}{NAME}。",
    "welcome": "您可以直接输入问题，或点选对话里的按钮",
    "welcome_topics": "，了解人才政策、政务服务怎么办、民生工程和全区发展",
    "input_hint": "请输入您的问题，例如：经纬人才计划讲的是什么",
    "connecting": "正在连接，请稍候……",
    "handoff": "转人工 / 12345",
    "hotline": "投诉、报修、求助和我答不了的事，请拨打 12345 市民服务热线。",
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"rasa_url must be an http(s) URL like http://127.0.0.1:5005, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(rasa_url: str) -> str:
    rasa = _origin(rasa_url)
    socket = rasa.replace("http", "ws", 1)
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        # rasa-webchat injects its CSS as <style> elements and sets style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",  # the carousel's icon font is inlined in the bundle
        f"connect-src 'self' {rasa} {socket}",
        "frame-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def render_page(rasa_url: str, socket_path: str = "/socket.io/") -> str:
    config = {
        "socketUrl": _origin(rasa_url),
        "socketPath": socket_path,
        "initPayload": "/greet",
        "handoffPayload": "/request_human",
        "title": TEXTS["title"],
        "subtitle": TEXTS["subtitle"],
        "inputTextFieldHint": TEXTS["input_hint"],
        "connectingText": TEXTS["connecting"],
        "handoffText": "转人工",
    }
    # JSON inside HTML: "<" escaped so no "</script>" can end the data block early.
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    template = Template((STATIC / "index.html").read_text(encoding="utf-8"))
    values = {key: html.escape(value) for key, value in TEXTS.items()}
    return template.substitute(values, district=html.escape(DISTRICT), config=config_json)


def create_app(rasa_url: str, *, name: str = "shizhong_web", bundle: Path = assets.BUNDLE) -> Sanic:
    """The widget app for an assistant at `rasa_url` (the URL residents' browsers use to reach Rasa)."""
    app = Sanic(name, configure_logging=False)
    app.config.FORWARDED_SECRET = None
    app.ctx.rasa_url = rasa_url.rstrip("/")
    app.ctx.csp = content_security_policy(rasa_url)
    page = render_page(rasa_url).encode("utf-8")
    app.ctx.page = page

    @app.before_server_start
    async def load_bundle(app: Sanic, _loop) -> None:
        # Read and patched once per process; a missing or unknown bundle stops the start.
        app.ctx.bundle = assets.patched_bundle(bundle)
        app.ctx.bundle_etag = '"' + hashlib.sha256(app.ctx.bundle).hexdigest()[:16] + '"'

    @app.get("/")
    async def index(_: Request):
        return response.raw(app.ctx.page, content_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/health")
    async def health(_: Request):
        return response.json({"status": "ok", "rasa_url": app.ctx.rasa_url})

    @app.get("/vendor/rasa-webchat.js")
    async def webchat_bundle(request: Request):
        headers = {"ETag": app.ctx.bundle_etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == app.ctx.bundle_etag:
            return response.empty(status=304, headers=headers)
        return response.raw(app.ctx.bundle, content_type=STATIC_TYPES[".js"], headers=headers)

    @app.get("/static/<filename:str>")
    async def static(_: Request, filename: str):
        if filename not in STATIC_FILES:
            raise NotFound(f"/static/{filename}")
        path = STATIC / filename
        return response.raw(path.read_bytes(), content_type=STATIC_TYPES[path.suffix],
                            headers={"Cache-Control": "no-cache"})

    @app.on_response
    async def security_headers(_: Request, resp) -> None:
        resp.headers.setdefault("Content-Security-Policy", app.ctx.csp)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")

    return app
