#!/usr/bin/env bash
# Build CyberReady's offline scripts: the service worker (static/sw.js, served at /sw.js) and the
# script every page loads (static/js/offline.js). The built files are committed, so running the
# app and its tests needs no node; run this after changing anything under tools/offline/src.
# Usage: bash tools/offline/build.sh   (from anywhere; needs node + npm)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../static"
cd "$here"

# Lockfile gives reproducible bytes; nothing here needs an install script.
if [[ -f package-lock.json ]]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi

# The sources' fingerprint goes into each bundle's first line; tests/test_offline.py recomputes
# it, so a change to the sources without a rebuild fails the tests (CI has no node to rebuild).
sources="$(LC_ALL=C ls src/*.js | tr '\n' ' ')"
stamp="$(cat $sources package-lock.json | sha256sum | cut -c1-16)"
workbox="$(node -p 'require("workbox-core/package.json").version')"
idb="$(node -p 'require("idb/package.json").version')"

# es2017: the phones officials use are not always recent. NODE_ENV=production drops Workbox's
# development logging and checks.
common=(--bundle --minify --format=iife --target=es2017 --legal-comments=none
        --define:process.env.NODE_ENV='"production"')
npx --no-install esbuild src/sw.js "${common[@]}" --outfile="$out/sw.js" \
  --banner:js="/*! CyberReady service worker, sources $stamp | workbox v$workbox (MIT, Google LLC) | idb v$idb (ISC, Jake Archibald) */"
npx --no-install esbuild src/page.js "${common[@]}" --outfile="$out/js/offline.js" \
  --banner:js="/*! CyberReady offline page script, sources $stamp */"

# The strict CSP has no 'unsafe-eval': fail loudly if a dependency brings eval back.
if grep -nE 'new Function|[^A-Za-z0-9_$.]eval\(' "$out/sw.js" "$out/js/offline.js" >/dev/null; then
  echo "ERROR: bundle contains new Function / eval( - not CSP-safe" >&2
  exit 1
fi
ls -l "$out/sw.js" "$out/js/offline.js"
