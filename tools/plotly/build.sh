#!/usr/bin/env bash
# Build the self-hosted plotly.js bundle for CyberReady: no CDN, and as few
# bytes as possible for users on slow 3G. Outputs go to static/vendor/.
# Usage: bash tools/plotly/build.sh   (from anywhere; needs node + npm)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../static/vendor"
cd "$here"

# Lockfile gives reproducible bytes. --ignore-scripts: nothing here needs a
# postinstall (esbuild's binary comes from its @esbuild/<platform> package).
if [[ -f package-lock.json ]]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi

dist=node_modules/plotly.js/dist
version="$(node -p 'require("plotly.js/package.json").version')"
mkdir -p "$out" "$out/topojson"

# plotly's own `npm run custom-bundle` needs its git repo (tasks/ is not in
# the npm package), so call esbuild directly with the same core settings as
# plotly's esbuild-config.js. Only these traces are registered; anything
# else (gl, maps, pie...) is never imported, so it is tree-shaken out.
# The .css loader is "empty": the only CSS import is maplibre's, reached only
# for map traces we don't ship.
npx --no-install esbuild \
  --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false \
  --loader:.css=empty --legal-comments=none \
  --banner:js="/*! plotly.js v$version custom: core+scatterpolar,bar,heatmap,box,choropleth,scattergeo | MIT (c) Plotly, Inc. */" \
  --sourcefile=plotly-custom-entry.js --outfile="$out/plotly-custom.min.js" <<'EOF'
var Plotly = require('plotly.js/lib/core');
Plotly.register([
  require('plotly.js/lib/scatterpolar'),
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/heatmap'),
  require('plotly.js/lib/box'),
  require('plotly.js/lib/choropleth'),
  require('plotly.js/lib/scattergeo'),
]);
// Safe defaults (pages may still override per plot): never offer to upload
// survey data to cloud.plotly.com, no link to plotly.com, and fetch geo base
// maps from topojson/ next to this file instead of cdn.plot.ly.
var script = document.currentScript;
Plotly.setPlotConfig({
  showSendToCloud: false,
  displaylogo: false,
  topojsonURL: script && script.src ? script.src.replace(/[^/]*$/, 'topojson/') : 'topojson/',
});
module.exports = Plotly;
EOF

# Strict CSP (style-src 'self'): the colour bar clears its rectangles' style
# attribute with attr("style",""), which the browser reports as a violation;
# removing the attribute (null) has the same effect and needs no exception.
sed -i 's/\.attr("style","")/.attr("style",null)/g' "$out/plotly-custom.min.js"

# CSP guard: the page must work without 'unsafe-eval'. Fail loudly if a
# future plotly/trace change brings a function constructor or eval back.
if grep -nE 'new Function|[^A-Za-z0-9_$.]eval\(' "$out/plotly-custom.min.js" >/dev/null; then
  echo "ERROR: bundle contains new Function / eval( - not CSP-safe" >&2
  exit 1
fi

# Locale files self-register via Plotly.register when loaded after the bundle.
cp "$dist/plotly-locale-fr.js" "$out/plotly-locale-fr.js"
cp "$dist/plotly-locale-pt-pt.js" "$out/plotly-locale-pt.js"
cp "$dist/plotly-locale-ar.js" "$out/plotly-locale-ar.js"

# Only for a strict CSP (style-src without 'unsafe-inline'), where plotly's
# injected <style> is blocked: pages then add
#   <link id="plotly.js-style-global" class="no-inline-styles" rel="stylesheet" href=".../plotly.css">
# The extra rule replaces the heatmap style attribute the CSP also blocks.
{ cat "$dist/plotly.css"; echo; echo '.js-plotly-plot .heatmaplayer image{image-rendering:pixelated}'; } > "$out/plotly.css"

# Choropleth base maps: plotly fetches <topojsonURL>/<scope>_<res>m.json,
# by default from cdn.plot.ly. The npm package only ships them inside
# dist/plotly-geo-assets.js, so extract the ones we use as static JSON;
# the bundle points topojsonURL at them (see entry above).
node -e '
  globalThis.window = {};
  const topo = require("./" + process.argv[1] + "/plotly-geo-assets.js").topojson;
  for (const name of process.argv.slice(3)) {
    require("fs").writeFileSync(`${process.argv[2]}/${name}.json`, JSON.stringify(topo[name]));
  }' "$dist" "$out/topojson" world_110m africa_110m
# Keep only the layers the dashboards draw, at a precision that suits 110m maps.
python3 "$here/prune_topojson.py" "$out/topojson/world_110m.json" "$out/topojson/africa_110m.json"

ls -l "$out"/plotly* "$out"/topojson/*.json
