# scripts/lib/packages.sh - sourced by setup.sh and fuzz.sh: Debian 12
# packages installed when missing, with apt-get as root (or through sudo).

# Build tools and libraries; gnuplot draws the lab's plots; wrk, nginx, ab, curl
# and python3 serve the benchmarks; FastAPI, uvicorn and NumPy run the
# course's Python service for lab01-python; nodejs runs the Node servers
# the tests check the findings on (tests/servers/node_*.js).
LAB_PACKAGES=(build-essential cmake pkg-config git curl python3 nodejs
              libopenblas-dev libcjson-dev libuv1-dev libcurl4-openssl-dev
              libhttp-parser-dev gnuplot-nox wrk nginx-light apache2-utils
              python3-numpy python3-fastapi python3-uvicorn)

# install_missing PACKAGE...: installs those not installed yet; exits 1 if
# some are missing and neither root nor sudo can install them.
install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "setup: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
