#!/usr/bin/env bash
# Installs what the project needs from Debian 12's packages (only what is
# missing) and builds it into build/. Safe to run again.
#
#   scripts/setup.sh            install + build (RelWithDebInfo, -Werror)
#   BUILD_DIR=x scripts/setup.sh -DLAB_SANITIZE=ON   extra CMake flags pass through
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

. scripts/lib/packages.sh
install_missing "${LAB_PACKAGES[@]}"

cmake -S . -B "$BUILD_DIR" -DLAB_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
