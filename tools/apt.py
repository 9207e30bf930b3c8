"""Debian packages the set-up installs when a target needs them (chromium for the browser tests,
nginx for the cluster): apt-get, with sudo unless root; never their services."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def ensure_installed(binary: Path, packages: tuple[str, ...], purpose: str, error: type[Exception]) -> Path:
    """`binary`, installing `packages` from Debian first when it is missing; `error` if it cannot."""
    if binary.exists():
        print(f"setup: {purpose}: {binary} ready", flush=True)
        return binary
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise error(f"{purpose}: {binary} is missing; install Debian's {' and '.join(packages)} (no apt-get here)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"setup: {purpose}: installing {' and '.join(packages)} from Debian (apt-get)", flush=True)
    subprocess.run([*sudo, apt_get, "update", "-q"], check=True, env=env)
    subprocess.run([*sudo, apt_get, "install", "-y", "-q", "--no-install-recommends", *packages],
                   check=True, env=env)
    if not binary.exists():
        raise error(f"apt-get installed {packages[0]} but {binary} is missing")
    return binary
