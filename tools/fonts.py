"""`python -m tools.fonts`: Debian's fonts-noto-cjk when no CJK font is there (the report's charts,
the browser tests' screenshots)."""

from __future__ import annotations

import sys

from bot.report import charts
from tools.apt import ensure_installed


def main() -> int:
    if charts.cjk_font() is None:
        ensure_installed(charts.CJK_FONT_FILES[0], ("fonts-noto-cjk",), "report charts: a CJK font", RuntimeError)
    return 0


if __name__ == "__main__":
    sys.exit(main())
