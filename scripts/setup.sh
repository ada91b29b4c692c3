#!/usr/bin/env bash
# Set up everything the project needs: a Python >= 3.12 venv in .venv with pinned packages.
# With --browser also Debian's chromium (for the dashboard tests). Safe to run again: it only
# does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

find_python() {
  local c
  for c in python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 python3.13 /root/.pyenv/versions/3.13*/bin/python3.13 \
           /usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

stamp="$VENV/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  PY=$(find_python) || { echo "setup: no Python >= 3.12 found (tried python3.13, python3.12 and the pyenv versions folder); install one and retry." >&2; exit 1; }
  echo "setup: using $PY ($("$PY" --version))"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  { "$VENV/bin/python" -m pip install -q -r requirements.lock 2>&1; } | { grep -v "^WARNING: Location" || true; }
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
  rm -f "$VENV"/.installed-*
  touch "$stamp"
  echo "setup: environment ready in $VENV"
fi

# Compile the model's step once (numba caches it in sim/__pycache__: about 20 s on a fresh machine,
# under a second later), so the first demo or test process does not pay it, nor several at once.
"$VENV/bin/python" -c "from sim.batch import Batch; from sim.config import Config; Batch([Config.default(agents=3, steps=1)]).step()" \
  || { echo "setup: the model does not import; see the error above" >&2; exit 1; }

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
