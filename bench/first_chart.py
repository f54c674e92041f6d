"""Bytes and time until the first chart is visible on a 3G phone, for the ECOWAS dashboard and a results page.

Usage: python bench/first_chart.py [--workers 2] [--width 360]

Starts gunicorn on a fresh demo instance (chart images drawn in the background, static files
precompressed), waits until the pages' chart images are drawn, then opens each page in headless
Chromium throttled through the DevTools protocol like a 3G phone: 400 kbps down and up, 400 ms
round trip, CPU 4x slower. The reader is signed in by a session cookie given to the browser.
Plain HTTP on loopback: a real server adds the TLS handshake (one or two more round trips).

"First chart visible": the first chart image has loaded (or Plotly has drawn a chart), checked on
every animation frame from the start of navigation. Bytes are the compressed bytes received
(encodedDataLength) by then, and in all once the network is quiet. A first visit starts with an
empty cache; a repeat visit opens the page again in the same browser. Service workers are off.
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from perf import start, wait_for_images  # noqa: E402
from throughput import ROOT, found, fresh_instance, prepare_database, request, sign_in  # noqa: E402

from tests.browsing import CHROMIUM_FLAGS  # noqa: E402 - the suite's browser, started the same way

KBPS, RTT_MS, CPU_SLOWDOWN = 400, 400, 4
WATCH = """(() => {
  const seen = () => {
    if (window.__firstChart) return;
    const image = [...document.querySelectorAll('.chart-box img')].find(i => i.complete && i.naturalWidth > 0);
    const drawn = document.querySelector('.chart.drawn .main-svg');
    if (image || drawn) {
      window.__firstChart = performance.now();
      window.__firstChartKind = image ? 'image' : 'plotly';
    }
  };
  const frame = () => { seen(); if (!window.__firstChart) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();"""


def measure(context, path: str, cold: bool) -> dict:
    """Open a page throttled like a 3G phone; time to first chart, bytes then and in all."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    received: list[tuple[float, int, str]] = []
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.append((time.monotonic(), int(e["encodedDataLength"]), urls.get(e["requestId"], ""))),
    )
    cdp.send("Network.enable")
    if cold:
        cdp.send("Network.clearBrowserCache")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": RTT_MS,
            "connectionType": "cellular3g",
            "downloadThroughput": KBPS * 1000 / 8,
            "uploadThroughput": KBPS * 1000 / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.add_init_script(WATCH)
    began = time.monotonic()
    page.goto(path, wait_until="commit", timeout=120_000)
    page.wait_for_function("() => window.__firstChart", timeout=120_000, polling=100)
    first_ms, kind = page.evaluate("() => [window.__firstChart, window.__firstChartKind]")
    seen_at = began + first_ms / 1000
    page.wait_for_load_state("networkidle", timeout=180_000)
    result = {
        "first_chart_s": first_ms / 1000,
        "kind": kind,
        "bytes_first": sum(size for at, size, _url in received if at <= seen_at + 0.05),
        "bytes_all": sum(size for _at, size, _url in received),
        "plotly": any("plotly-custom" in url for _at, _size, url in received),
        "effective_type": page.evaluate("() => navigator.connection && navigator.connection.effectiveType"),
    }
    cdp.detach()
    page.close()
    return result


def main() -> None:
    """Start the server, draw the images, measure each page first and repeat visit, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--width", type=int, default=360)
    options = parser.parse_args()
    env = {**fresh_instance(), "CHART_IMAGES": "background"}
    prepare_database(env)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "assets", "compress"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = start("app", "app:app", env, options.workers)
    base = f"http://127.0.0.1:{server.port}"
    try:
        official = sign_in(server.port, "gh-coordinator")
        listing = request(
            http.client.HTTPConnection("127.0.0.1", server.port), "GET", "/assessments/", headers={"Cookie": official}
        ).data.decode()
        results = found(r"/assessments/\d+/results", listing, group=0)
        pages = [("ECOWAS dashboard", "donor", "/dashboards/ecowas/2026"), ("results page", "gh-coordinator", results)]
        for _name, persona, path in pages:
            wait_for_images(server.port, path, sign_in(server.port, persona))
        print(
            f"3G: {KBPS} kbps down and up, {RTT_MS} ms round trip, CPU {CPU_SLOWDOWN}x slower; "
            f"viewport {options.width} px; gunicorn {options.workers} workers"
        )
        print(
            f"{'page':18} {'visit':7} {'first chart':>11} {'by':>7} {'bytes then':>11} {'bytes in all':>12} "
            f"{'Plotly':>7} {'effectiveType':>13}"
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            for name, persona, path in pages:
                # A new context: no cache, no open connection. Signed in by its cookie, not by visiting pages.
                # No service worker: it would answer from its own copies, which a first visit does not have.
                context = browser.new_context(
                    base_url=base, viewport={"width": options.width, "height": 740}, service_workers="block"
                )
                name_value = sign_in(server.port, persona).split("=", 1)
                context.add_cookies([{"name": name_value[0], "value": name_value[1], "url": base}])
                for visit in ("first", "repeat"):
                    r = measure(context, path, cold=visit == "first")
                    print(
                        f"{name:18} {visit:7} {r['first_chart_s']:10.2f}s {r['kind']:>7} {r['bytes_first']:11,} "
                        f"{r['bytes_all']:12,} {'loaded' if r['plotly'] else 'no':>7} {r['effective_type']!s:>13}"
                    )
                context.close()
            browser.close()
    finally:
        server.process.terminate()
        server.process.wait()


if __name__ == "__main__":
    main()
