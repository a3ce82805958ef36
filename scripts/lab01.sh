#!/usr/bin/env bash
# Installs what is missing, builds, and runs lab 01: the three handler
# variants under load, written to experiments/<date>-phase-33-lab-01/.
# Extra arguments go to `harness run lab01` (e.g. --total 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/bin/harness run lab01 "$@"
