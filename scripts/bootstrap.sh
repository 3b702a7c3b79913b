#!/usr/bin/env bash
# Set up a fresh machine: Debian packages, a virtual environment, the package and its pinned deps.
#   scripts/bootstrap.sh runtime   # what `make run` needs
#   scripts/bootstrap.sh dev       # plus test tools, training deps, PostgreSQL, Chromium, Redis
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-runtime}"
VENV="${VENV:-.venv}"

RUNTIME_DEBS=(tesseract-ocr fonts-ocr-b)
DEV_DEBS=(postgresql chromium chromium-driver redis-server)

need=()
pkgs=("${RUNTIME_DEBS[@]}")
[ "$MODE" = "dev" ] && pkgs+=("${DEV_DEBS[@]}")
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/pip" install -q --disable-pip-version-check)
stamp="$VENV/.openidv-$MODE-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "${PIP[@]}" --upgrade "pip>=24"
  if [ "$MODE" = "dev" ]; then
    # torch==2.13.0 is the CPU build (a local wheel on our machines); it must be asked for exactly.
    "${PIP[@]}" -c constraints.txt "torch==2.13.0"
    "${PIP[@]}" -c constraints.txt -e ".[dev,train]"
  else
    "${PIP[@]}" -c constraints.txt -e .
  fi
  touch "$stamp"
fi
echo "environment ready: $VENV ($MODE)"
