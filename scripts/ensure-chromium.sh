#!/usr/bin/env bash
# Make sure Debian's chromium is present for the browser tests (Playwright's own browser
# download does not work offline). Installs it with apt when run as root; otherwise explains.
set -euo pipefail
CHROMIUM="${PORTAL_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (unattended upgrades, a provisioning step) may hold the lock: wait for it.
  apt_get() {
    for _ in $(seq 1 60); do
      apt-get -o DPkg::Lock::Timeout=600 "$@" && return 0
      echo "apt-get $1 failed (lock held?); retrying in 10 s" >&2
      sleep 10
    done
    return 1
  }
  apt_get update -qq
  apt_get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<MSG
The browser tests need Chromium at $CHROMIUM.
Install it as root:   sudo apt-get install -y chromium
or point PORTAL_CHROMIUM at another Chromium/Chrome binary.
To skip the browser tests:   .venv/bin/pytest -m "not e2e"
MSG
exit 1
