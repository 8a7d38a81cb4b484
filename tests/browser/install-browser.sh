#!/usr/bin/env bash
# Installs what the browser tests need when it is missing: Debian's Chromium,
# Playwright's Python package (installed by `make`) drives it; poppler-utils,
# whose pdfinfo and pdftotext read the PDF of a printed case (test_print.py);
# and axe-core (with the form's vendored libraries) from the npm registry at the
# versions package-lock.json pins. Playwright's own browser download does not
# work here.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v pdftotext && command -v pdfinfo; } >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "install-browser: ${missing[*]} missing; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
# npm ci installs exactly the versions package-lock.json pins, checking each package's hash, and
# fails when the lock and package.json disagree. It runs again whenever either file changes: the
# installed node_modules keeps a copy of the two it came from.
INSTALLED=node_modules/.installed-from
if [ ! -f node_modules/axe-core/axe.min.js ] || ! cat package.json package-lock.json | cmp -s - "$INSTALLED"; then
  npm ci --silent --no-audit --no-fund >/dev/null
  cat package.json package-lock.json >"$INSTALLED"
fi
