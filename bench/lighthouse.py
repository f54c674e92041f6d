"""Lighthouse mobile performance of the dashboards and a country profile, with its default throttling and on 3G.

Usage: python bench/lighthouse.py [--runs 1] [--workers 2] [--profile default|3g|both] [--page TEXT] [--keep DIR]

Starts gunicorn on a fresh demo instance (chart images drawn in the background, static files
precompressed), waits until the pages' chart images are drawn, then runs Lighthouse (the npm
package pinned in bench/lighthouse/, installed there with `npm ci` when missing) against Debian's
Chromium (headless, no sandbox) with the mobile form factor, for: the ECOWAS dashboard (anonymous
and signed in as the demo donor, by a Cookie header), the Commonwealth dashboard and Ghana's
country profile. Two throttling profiles:

- default: Lighthouse's mobile default (simulated: 150 ms round trip, 1.6 Mbps, CPU 4x slower);
- 3g: the issue's 3G phone, applied for real through the DevTools protocol (devtools throttling:
  400 kbps down and up, 400 ms round trip, CPU 4x slower), so the page itself sees the slow
  connection (navigator.connection) as a phone would.

Prints the performance score and FCP, LCP, TBT, CLS and Speed Index (the median run by score when
--runs > 1), and whether the Plotly bundle was downloaded. --keep DIR writes each JSON report there.
Plain HTTP on loopback: a real server adds the TLS handshake.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf import anonymous_session, start, wait_for_images  # noqa: E402
from throughput import ROOT, fresh_instance, prepare_database, sign_in  # noqa: E402

HERE = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run"
PROFILES = {
    "default": [],
    "3g": [
        "--throttling-method=devtools",
        "--throttling.requestLatencyMs=400",
        "--throttling.downloadThroughputKbps=400",
        "--throttling.uploadThroughputKbps=400",
        "--throttling.cpuSlowdownMultiplier=4",
    ],
}
METRICS = [
    ("FCP", "first-contentful-paint", 1000, "s"),
    ("LCP", "largest-contentful-paint", 1000, "s"),
    ("TBT", "total-blocking-time", 1, "ms"),
    ("CLS", "cumulative-layout-shift", 1, ""),
    ("SI", "speed-index", 1000, "s"),
]


def install() -> None:
    """Install Lighthouse from bench/lighthouse/package-lock.json unless it is there."""
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)


def lighthouse(url: str, cookie: str, profile: str) -> dict:
    """One Lighthouse run (performance only, mobile); its JSON report."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--only-categories=performance",
        "--form-factor=mobile",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        *PROFILES[profile],
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    done = subprocess.run(
        command, env={**os.environ, "CHROME_PATH": CHROME}, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode or not done.stdout.startswith("{"):
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def summary(report: dict) -> dict:
    """Score, the main metrics and whether Plotly was downloaded, from a Lighthouse report."""
    audits = report["audits"]
    score = report["categories"]["performance"]["score"]
    result = {"score": round(score * 100) if score is not None else None}
    for name, key, scale, _unit in METRICS:
        result[name] = audits[key].get("numericValue", float("nan")) / scale
    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    result["plotly"] = any("plotly-custom" in item.get("url", "") for item in requests)
    result["bytes"] = sum(item.get("transferSize", 0) for item in requests)
    if report.get("runtimeError"):
        result["error"] = report["runtimeError"].get("message", "")
    return result


def row(name: str, profile: str, r: dict) -> str:
    """One printed line of the table."""
    metrics = " ".join(
        f"{r[metric]:>{7 if unit == 'ms' else 6}.{0 if unit == 'ms' else 2 if unit == 's' else 3}f}{unit:2}"
        for metric, _key, _scale, unit in METRICS
    )
    plotly = "loaded" if r["plotly"] else "no"
    return f"{name:28} {profile:8} {r['score']!s:>5} {metrics} {r['bytes']:>10,} {plotly:>7} {r.get('error', '')}"


def main() -> None:
    """Start the server, draw the images, run Lighthouse on each page and profile, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page and profile; the median by score is shown")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", choices=["default", "3g", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="a folder to write each JSON report into")
    parser.add_argument("--page", default="", help="only the pages whose name contains this text")
    options = parser.parse_args()
    install()
    env = {**fresh_instance(), "CHART_IMAGES": "background"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    prepare_database(env)
    subprocess.run([*flask, "assets", "compress"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = start("app", "app:app", env, options.workers)
    base = f"http://127.0.0.1:{server.port}"
    profiles = ["default", "3g"] if options.profile == "both" else [options.profile]
    try:
        donor = sign_in(server.port, "donor")
        pages = [
            ("ECOWAS dashboard", "", "/dashboards/ecowas/2026"),
            ("ECOWAS dashboard, donor", donor, "/dashboards/ecowas/2026"),
            ("Commonwealth dashboard", "", "/dashboards/commonwealth/2026"),
            ("Ghana's country profile", "", "/dashboards/countries/GH"),
        ]
        pages = [page for page in pages if options.page.lower() in page[0].lower()]
        for _name, cookie, path in pages:
            wait_for_images(server.port, path, cookie or anonymous_session(server.port))
        if options.keep:
            options.keep.mkdir(parents=True, exist_ok=True)
        print("Lighthouse mobile, performance only; default: simulated 150 ms RTT, 1.6 Mbps, CPU 4x;")
        print("3g: devtools throttling 400 kbps, 400 ms RTT, CPU 4x; times in s, TBT in ms, bytes transferred")
        print(
            f"{'page':28} {'profile':8} {'score':>5} {'FCP':>8} {'LCP':>8} {'TBT':>9} {'CLS':>8} {'SI':>8} "
            f"{'bytes':>10} {'Plotly':>7}"
        )
        for name, cookie, path in pages:
            for profile in profiles:
                runs = []
                for run in range(options.runs):
                    report = lighthouse(base + path, cookie, profile)
                    if options.keep:
                        slug = "-".join(name.lower().replace(",", "").replace("'", "").split())
                        (options.keep / f"{slug}-{profile}-{run + 1}.json").write_text(json.dumps(report))
                    runs.append(summary(report))
                runs.sort(key=lambda r: r["score"] or 0)
                print(row(name, profile, runs[len(runs) // 2]), flush=True)
    finally:
        server.process.terminate()
        server.process.wait()


if __name__ == "__main__":
    main()
