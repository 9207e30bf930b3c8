"""Debian's chromium for the browser tests (`make test` only; `make run` needs no browser).

Playwright's own browser download (`playwright install`) is never used: it fetches from a CDN this
project cannot reach. The tests drive /usr/bin/chromium, installed from Debian with the CJK fonts
the page's screenshot needs.
"""

from __future__ import annotations

from pathlib import Path

from tools.apt import ensure_installed

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


def ensure_chromium() -> Path:
    """Install Debian's chromium and fonts-noto-cjk (apt-get) when /usr/bin/chromium is missing."""
    return ensure_installed(CHROMIUM, PACKAGES, "browser tests", BrowserError)


def launch(playwright, **options):
    """Launch headless /usr/bin/chromium with the project's arguments and a fresh profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=list(LAUNCH_ARGS), **options)
