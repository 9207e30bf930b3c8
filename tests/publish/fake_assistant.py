"""A stand-in for `python -m bot.assistant` in the keeper's tests: Sanic on the inherited socket
(bot/patches/inherited_socket.py) or on FAKE_PORT, slow to start as Rasa is while it loads a model, answering with
its own pid. FAKE_FAIL_FILE: when that file exists, it fails to start."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sanic import Sanic, response

from bot.patches import inherited_socket

inherited_socket.install()
app = Sanic("fake_assistant", configure_logging=False)


@app.before_server_start
async def load_model(app, loop) -> None:
    time.sleep(float(os.environ.get("FAKE_START_SECONDS", "1")))  # blocks the loop, as Rasa's loading does
    if os.environ.get("FAKE_FAIL_FILE") and Path(os.environ["FAKE_FAIL_FILE"]).exists():
        sys.exit(3)


@app.get("/webhooks/rest/")
async def health(_request):
    return response.json({"status": "ok"})


@app.post("/webhooks/rest/webhook")
async def webhook(request):
    time.sleep(0.05)
    return response.json([{"recipient_id": request.json["sender"], "text": str(os.getpid())}])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("FAKE_PORT", "1")), access_log=False, motd=False)
