#!/usr/bin/env bash
# Installs what the browser tests need when it is missing: Debian's Chromium (Playwright's Python
# package, installed by `make`, drives it; Lighthouse and pa11y launch it too), poppler-utils,
# whose pdfinfo and pdftotext read the PDF of a printed case (test_print.py), Debian's Java
# runtime for the Nu Html Checker (vnu.jar), and from the npm registry, at the versions
# package-lock.json pins: axe-core, Lighthouse, pa11y, vnu-jar (and the form's vendored libraries).
# Nothing downloads a browser or a runtime of its own: Playwright's browser download, puppeteer's
# (pa11y's) Chrome and vnu-jar's Java download do not work here, so they are never asked for.
set -euo pipefail
cd "$(dirname "$0")"

# vnu.jar needs Java 11 or later; vnu-jar's postinstall fetches a JRE from GitHub when it finds
# none, so Debian's is installed first, before npm ci.
java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v pdftotext && command -v pdfinfo; } >/dev/null 2>&1 || missing+=(poppler-utils)
major=$(if command -v java >/dev/null 2>&1; then java_major; fi)
if [ -z "$major" ] || [ "$major" -lt 11 ]; then
  missing+=(default-jre-headless)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "install-browser: ${missing[*]} missing; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# pa11y depends on puppeteer, whose postinstall downloads Chrome: skipped here, and by
# .puppeteerrc.cjs beside package.json for an npm ci or npm install run by hand.
export PUPPETEER_SKIP_DOWNLOAD=true
# npm ci installs exactly the versions package-lock.json pins, checking each package's hash, and
# fails when the lock and package.json disagree. It runs again whenever either file changes: the
# installed node_modules keeps a copy of the two it came from.
INSTALLED=node_modules/.installed-from
if [ ! -f node_modules/axe-core/axe.min.js ] || ! cat package.json package-lock.json | cmp -s - "$INSTALLED"; then
  npm ci --silent --no-audit --no-fund >/dev/null
  cat package.json package-lock.json >"$INSTALLED"
fi
