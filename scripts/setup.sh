#!/usr/bin/env bash
# Installs what the project needs from Debian 12's packages (only what is
# missing) and builds it into build/. Safe to run again.
#
#   scripts/setup.sh            install + build (RelWithDebInfo, -Werror)
#   BUILD_DIR=x scripts/setup.sh -DLAB_SANITIZE=ON   extra CMake flags pass through
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

# Build tools and libraries; gnuplot draws the lab's plots; wrk, nginx, ab, curl
# and python3 serve the benchmarks; FastAPI, uvicorn and NumPy run the
# course's Python service for lab01-python; nodejs runs the Node servers
# the tests check the findings on (tests/servers/node_*.js).
PACKAGES=(build-essential cmake pkg-config git curl python3 nodejs
          libopenblas-dev libcjson-dev libuv1-dev libcurl4-openssl-dev
          libhttp-parser-dev gnuplot-nox wrk nginx-light apache2-utils
          python3-numpy python3-fastapi python3-uvicorn)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B "$BUILD_DIR" -DLAB_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
