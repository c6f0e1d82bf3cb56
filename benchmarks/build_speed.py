"""Time a cold `trainer build` of the shipped sample against the floor `python -c "import duckdb"`.

Each run is a new process, as a user's build is. Prints the median and the fastest of N runs
for both commands, and the build's overhead above the floor. Not a test: timings depend on
the machine, so nothing here passes or fails.

    .venv/bin/python benchmarks/build_speed.py [--runs 15] [--project PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def time_command(command: list[str], cwd: Path, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timings.append(time.perf_counter() - started)
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--project", type=Path, default=REPO, help="project to build (default: the repo's sample)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        build = [
            sys.executable, str(REPO / "cli.py"), "build", "-q", "--as-of", "2025-10-21",
            "--signals-dir", f"{scratch}/signals", "--warehouse", f"{scratch}/warehouse/trainer.duckdb",
        ]
        floor = [sys.executable, "-c", "import duckdb"]
        time_command(build, args.project, 1)  # warm the OS file cache and the template cache
        floor_times = time_command(floor, args.project, args.runs)
        build_times = time_command(build, args.project, args.runs)

    floor_median, build_median = statistics.median(floor_times), statistics.median(build_times)
    print(f"runs per command:        {args.runs}")
    print(f"python -c 'import duckdb': median {floor_median:.3f} s, fastest {min(floor_times):.3f} s")
    print(f"trainer build (sample):  median {build_median:.3f} s, fastest {min(build_times):.3f} s")
    print(f"build above the floor:   median {build_median - floor_median:.3f} s")


if __name__ == "__main__":
    main()
