#!/usr/bin/env bash
# Installs what the browser tests need when it is missing: Debian's Chromium,
# Playwright's Python package (installed by `make`) drives it, and axe-core
# from the npm registry. Playwright's own browser download does not work here.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "install-browser: chromium is missing; run: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund >/dev/null
fi
