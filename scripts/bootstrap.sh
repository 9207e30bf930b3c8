#!/usr/bin/env bash
# Step 1 of the set-up: find Python 3.10 and make the project's venv.
# The venv lives outside the clone, under ~/.cache/shizhong-assistant/, keyed by the hash of
# requirements.txt and constraints.txt, so that every clone (CI's included) reuses it; `.venv`
# in the project is a link to it.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  for candidate in "${PYTHON310:-}" "$(command -v python3.10 || true)" \
                   $(ls -d "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if ! python=$(find_python); then
  echo "setup: Python 3.10 not found (Rasa 3.6 supports no newer Python): install it, e.g. 'pyenv install 3.10' or Debian's python3.10 with python3.10-venv, then run make again." >&2
  exit 1
fi

cache="${SHIZHONG_CACHE:-$HOME/.cache/shizhong-assistant}"
UV_VERSION=0.13.9
key=$(cat requirements.txt constraints.txt | "$python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')
venv="$cache/venv-$key"

# Two set-ups at once (two clones, or CI beside a developer) would build the same venv: one at a time.
mkdir -p "$cache"
exec 9>"$cache/.venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ]; then
  echo "setup: [1/7] venv ready ($venv)"
else
  echo "setup: [1/7] creating the venv with $("$python" --version) at $venv (pinned packages, about a minute)"
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip==24.0 2>&1 | grep -v "^WARNING: Location" || true
  # uv installs the same pinned packages as pip in about 25 s instead of about 3 minutes (it
  # downloads in parallel); it lives in a venv of its own beside the project's. pip stays the
  # fallback, e.g. where only a local package index is reachable.
  uv_venv="$cache/uv-$UV_VERSION"
  if [ ! -x "$uv_venv/bin/uv" ]; then
    "$python" -m venv "$uv_venv" && "$uv_venv/bin/python" -m pip install --quiet "uv==$UV_VERSION" 2>&1 \
      | grep -v "^WARNING: Location" || true
  fi
  if ! { [ -x "$uv_venv/bin/uv" ] && "$uv_venv/bin/uv" pip install --python "$venv/bin/python" \
           -r requirements.txt -c constraints.txt 2>&1 | grep -vE "^ [+-] " | sed -u 's/^/setup:   /'
         [ "${PIPESTATUS[0]}" -eq 0 ]; }; then
    echo "setup:   uv could not install the packages: pip instead (about 3 minutes)"
    PIP_NO_WARN_SCRIPT_LOCATION=1 "$venv/bin/python" -m pip install --progress-bar on \
        -r requirements.txt -c constraints.txt 2>&1 \
      | grep -vE "^(WARNING: Location|Requirement already satisfied)" \
      | grep -E "^(Collecting|Successfully|ERROR|error)" | sed -u 's/^/setup:   /' || true
  fi
  "$venv/bin/python" -m pip check >/dev/null || { echo "setup: the venv's packages are inconsistent (pip check)" >&2; exit 1; }
  TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import rasa.version, spacy, spacy_pkuseg, opencc, wechatpy' \
    || { echo "setup: the venv is incomplete; see the pip output above" >&2; exit 1; }
  touch "$venv/.complete"
fi
ln -sfn "$venv" .venv
