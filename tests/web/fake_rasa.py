"""A stand-in for Rasa's socket.io channel that answers every message with hostile bot messages.

The real assistant never says such things and the real channel sanitises them on the server, so this
is how the browser test checks the page's own defences (patched bundle, CSP, link guard) alone.
Run: `python tests/web/fake_rasa.py --port N --origin http://127.0.0.1:M`.
"""

from __future__ import annotations

import argparse

import socketio
from aiohttp import web

HOSTILE_MESSAGES = [
    {"text": '<img src=x onerror="window.__xss=\'img\'"> 图片'},
    {"text": "[点这里](javascript:window.__xss='link')"},
    {"text": "[实体](&#106;avascript:window.__xss='entity')"},
    {"text": "<javascript:window.__xss='autolink'>"},
    {"text": "请选择", "quick_replies": [
        {"type": "web_url", "title": "恶意按钮", "url": "javascript:window.__xss='button'"},
        {"content_type": "text", "title": "正常按钮", "payload": "你好"},
    ]},
    {"attachment": {"type": "video", "payload": {"src": "javascript:window.__xss='video'"}}},
    {"text": "以上都不该执行"},
]


def build(origin: str) -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[origin])
    app = web.Application()
    sio.attach(app)

    @sio.on("session_request")
    async def session_request(sid, data):
        session_id = (data or {}).get("session_id") or sid
        sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid, data):
        for message in HOSTILE_MESSAGES:
            await sio.emit("bot_uttered", message, room=sid)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--origin", required=True)
    args = parser.parse_args()
    web.run_app(build(args.origin), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
