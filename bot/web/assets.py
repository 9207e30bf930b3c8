"""rasa-webchat from npm: installed at set-up into node_modules, patched as it is served.

The project's package.json pins `rasa-webchat` to 1.0.1 exactly and package-lock.json pins
everything under it; its devDependencies pin `axe-core`, which only the browser tests use (never
served by the app). `ensure_node_modules()` runs `npm ci` only when node_modules is missing or was
installed from another lock file (a stamp beside it holds the lock file's hash).

`patched_bundle()` reads `lib/index.js` and changes these things, failing loudly when the text it
expects is not there exactly once (a different rasa-webchat version must be looked at, not
silently served):
- its CSS `@import` of Google Fonts (Inter) is removed: the page works with no internet and sends
  no resident's IP address to a third party; the page's own styles choose CJK system fonts;
- the markdown renderer's `transformLinkUri: null` (link sanitising off) becomes a function that
  keeps http, https, mailto, tel and relative links and turns any other scheme into "#";
- accessibility (WCAG 2.1 AA, checked with axe-core in tests/web): a quick reply (and a carousel
  card's button) is a real `<button>` (a `<div>` with a click handler can neither be reached nor
  pressed with the keyboard, nor is it announced as a button), the message box is named by its
  hint, the icon-only send button is named 发送, and the message list is a focusable log that
  screen readers read out as answers arrive (`ACCESSIBLE_PATCHES`).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from bot import paths

NODE_MODULES = paths.PROJECT / "node_modules"
PACKAGE_LOCK = paths.PROJECT / "package-lock.json"
BUNDLE = NODE_MODULES / "rasa-webchat" / "lib" / "index.js"
WEBCHAT_VERSION = "1.0.1"
_STAMP = NODE_MODULES / ".shizhong-lock-sha256"

GOOGLE_FONTS_IMPORT = "@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
UNSAFE_LINK_TRANSFORM = "transformLinkUri:null"
SAFE_LINK_TRANSFORM = (
    "transformLinkUri:function(u){var s=String(u==null?\"\":u).replace(/[\\u0000-\\u0020\\u007f]/g,\"\");"
    "var m=/^([a-zA-Z][a-zA-Z0-9+.\\-]*):/.exec(s);"
    "return !m||/^(https?|mailto|tel)$/i.test(m[1])?u:\"#\"}"
)

# (what, the bundle's text, ours): each text must occur exactly once in the bundle.
ACCESSIBLE_PATCHES = (
    ("quick replies as buttons",
     'o.a.createElement("div",{key:t,className:"rw-reply",onClick:function(t){t.stopPropagation(),r.handleClick(e)}',
     'o.a.createElement("button",{type:"button",key:t,className:"rw-reply",'
     'onClick:function(t){t.stopPropagation(),r.handleClick(e)}'),
    ("a carousel card's buttons as buttons",
     'o.a.createElement("div",{key:t,className:"rw-reply",onClick:function(){return n(e)},role:"button",tabIndex:0,',
     'o.a.createElement("button",{type:"button",key:t,className:"rw-reply",onClick:function(){return n(e)},'),
    ("the message box's name",
     'className:"rw-new-message",name:"message",placeholder:n,',
     'className:"rw-new-message",name:"message",placeholder:n,"aria-label":n,'),
    ("the send button's name",
     'type:"submit",className:"rw-send",',
     'type:"submit",className:"rw-send","aria-label":"发送",'),
    ("the message list as a focusable log",
     '{id:"rw-messages",style:{backgroundColor:a},className:"rw-messages-container"}',
     '{id:"rw-messages",style:{backgroundColor:a},className:"rw-messages-container",role:"log",'
     '"aria-label":"对话记录",tabIndex:0}'),
)


class BundleError(RuntimeError):
    """The rasa-webchat bundle is missing or is not the one this code knows how to patch."""


def say(text: str) -> None:
    print(f"setup: {text}", flush=True)


def _lock_hash() -> str:
    return hashlib.sha256(PACKAGE_LOCK.read_bytes()).hexdigest()


def node_modules_ready() -> bool:
    return BUNDLE.is_file() and _STAMP.is_file() and _STAMP.read_text().strip() == _lock_hash()


def ensure_node_modules() -> None:
    """`npm ci` into the project's node_modules when it is missing or stale (package-lock.json)."""
    if node_modules_ready():
        say(f"web widget: rasa-webchat {WEBCHAT_VERSION} ready (node_modules)")
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError("the web widget needs npm (Node 20) to install rasa-webchat; "
                          "install nodejs and npm, then run the set-up again")
    say(f"web widget: installing rasa-webchat {WEBCHAT_VERSION} from npm (npm ci, package-lock.json)")
    subprocess.run([npm, "ci", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--loglevel=error"], cwd=paths.PROJECT, check=True)
    if not BUNDLE.is_file():
        raise BundleError(f"npm ci finished but {BUNDLE.relative_to(paths.PROJECT)} is missing")
    _STAMP.write_text(_lock_hash() + "\n")


def patched_bundle(source: Path = BUNDLE) -> bytes:
    """The rasa-webchat bundle as the page gets it: no Google Fonts, no `javascript:` links, and
    buttons, names and a log that keyboards and screen readers can use."""
    if not source.is_file():
        raise BundleError(f"{source} is missing: run the set-up (`make run`), which installs "
                          f"rasa-webchat {WEBCHAT_VERSION} with npm")
    text = source.read_text(encoding="utf-8")
    if GOOGLE_FONTS_IMPORT not in text or text.count(UNSAFE_LINK_TRANSFORM) != 1:
        raise BundleError(f"{source} is not the rasa-webchat {WEBCHAT_VERSION} bundle this app patches "
                          "(Google Fonts import or link transform not found); check package-lock.json")
    text = text.replace(GOOGLE_FONTS_IMPORT, "").replace(UNSAFE_LINK_TRANSFORM, SAFE_LINK_TRANSFORM)
    for what, theirs, ours in ACCESSIBLE_PATCHES:
        if text.count(theirs) != 1:
            raise BundleError(f"{source} is not the rasa-webchat {WEBCHAT_VERSION} bundle this app patches "
                              f"({what}: the code to change was not found once); check package-lock.json")
        text = text.replace(theirs, ours)
    if "fonts.googleapis.com" in text:
        raise BundleError(f"{source} still refers to Google Fonts after patching")
    return text.encode("utf-8")
