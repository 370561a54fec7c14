#!/usr/bin/env python3
"""`sitegen build --watch` on a site built before: save → page file written, for one old article saved N times.

    python benchmarks/watch_saves.py SITE OUTPUT [--saves 10] [--pause 1.5]

SITE must have been built into OUTPUT by this tree's sitegen (so the publisher starts with nothing to do, as a
newsroom's server restarting does); `benchmarks/serve_latency.py --generators sitegen-watch` measures the same after
a cold build of its own corpus. Each save appends a unique sentence to the 501st article (by path) and the page file
is polled every 5 ms until it holds it; the article is restored at the end. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("site", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between saves")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO))}
    command = [sys.executable, "-m", "sitegen", "build", "--watch", str(args.site), "-o", str(args.output)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started = time.perf_counter()
    assert process.stdout is not None
    for line in process.stdout:
        print(line.rstrip(), flush=True)
        if line.startswith("Watching"):
            break
    print(f"watching after {time.perf_counter() - started:.1f} s", flush=True)
    target = sorted((args.site / "content").rglob("*.md"))[500]
    original = target.read_bytes()
    page = next(args.output.rglob(f"{target.stem}/index.html"))
    times: list[float] = []
    try:
        for n in range(args.saves):
            time.sleep(args.pause)
            marker = f"Edited sentence number {n} for the watch benchmark.".encode()
            target.write_bytes(original.rstrip() + b"\n\n" + marker + b"\n")
            saved = time.perf_counter()
            while marker not in page.read_bytes():
                time.sleep(0.005)
            times.append(time.perf_counter() - saved)
            print(f"save {n + 1}: {times[-1] * 1000:.0f} ms", flush=True)
    finally:
        target.write_bytes(original)
        time.sleep(2)
        process.terminate()
        process.wait(30)
    print(f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}")


if __name__ == "__main__":
    main()
