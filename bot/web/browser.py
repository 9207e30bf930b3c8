"""Debian's chromium for the browser tests (`make test` only; `make run` needs no browser).

Playwright's own browser download (`playwright install`) is never used: it fetches from a CDN this
project cannot reach. The tests drive /usr/bin/chromium, installed from Debian with the CJK fonts
the page's screenshot needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ("chromium", "fonts-noto-cjk")
# Headless, no sandbox (root in a container), and nothing that phones home.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserError(RuntimeError):
    """Chromium is missing and cannot be installed here."""


def say(text: str) -> None:
    print(f"setup: {text}", flush=True)


def ensure_chromium() -> Path:
    """Install Debian's chromium and fonts-noto-cjk (apt-get) when /usr/bin/chromium is missing."""
    if CHROMIUM.exists():
        say(f"browser tests: {CHROMIUM} ready")
        return CHROMIUM
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise BrowserError(f"the browser tests need {CHROMIUM}; install Debian's chromium and "
                           "fonts-noto-cjk (no apt-get here)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    say(f"browser tests: installing {' and '.join(PACKAGES)} from Debian (apt-get; a few minutes)")
    subprocess.run([*sudo, apt_get, "update", "-q"], check=True, env=env)
    subprocess.run([*sudo, apt_get, "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
                   check=True, env=env)
    if not CHROMIUM.exists():
        raise BrowserError(f"apt-get installed {PACKAGES[0]} but {CHROMIUM} is missing")
    return CHROMIUM


def launch(playwright, **options):
    """Launch headless /usr/bin/chromium with the project's arguments and a fresh profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=list(LAUNCH_ARGS), **options)
