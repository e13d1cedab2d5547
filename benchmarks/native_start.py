"""Benchmark: one native plugin process, from exec to the port it prints, and its memory then.

The engine starts ``pulumi-resource-genauth`` once per provider and waits for the port on its
first line of output; that wait, and the memory the process holds before its first call, are
paid per provider. Printed for each command (default: this Python's
``pulumi-resource-genauth``; ``--vs CMD`` adds another, such as an older checkout run as
``python -c 'from pulumi_genauth.native._server import main; main()'`` with its PYTHONPATH),
over ``--runs`` fresh processes (default 10), run one after another:

* exec to port: median, minimum and maximum, in ms;
* resident memory (VmRSS) when the port is printed, median, in MB;
* the modules loaded by then, of the ones a serving plugin should not need yet (the Pulumi
  SDK, pydantic, the HTTP stack), read from a separate run of the same import.

Kept out of the test suite: a time on a shared machine is a figure, not a pass/fail.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENGINE = "127.0.0.1:1"  # never called before the first request: no engine needed


def start_once(command: list[str]) -> tuple[float, float]:
    """Seconds from exec to the port line, and VmRSS (MB) at that moment."""
    started = time.perf_counter()
    process = subprocess.Popen([*command, ENGINE], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        took = time.perf_counter() - started
        if not port.isdigit():
            raise SystemExit(f"{shlex.join(command)} printed {port!r}, not a port")
        status = Path(f"/proc/{process.pid}/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return took, rss / 1024
    finally:
        process.kill()
        process.wait()


def report(label: str, command: list[str], runs: int) -> None:
    figures = [start_once(command) for _ in range(runs)]
    times = [took * 1000 for took, _ in figures]
    memory = statistics.median(rss for _, rss in figures)
    print(f"{label}: {shlex.join(command)}")
    print(
        f"  exec to port   median {statistics.median(times):6.0f} ms"
        f"   (min {min(times):.0f}, max {max(times):.0f}; {runs} runs)"
    )
    print(f"  memory at port median {memory:6.1f} MB (VmRSS)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--vs", help="another plugin command to measure the same way")
    args = parser.parse_args()
    plugin = str(Path(sys.executable).with_name("pulumi-resource-genauth"))
    report("this plugin", [plugin], args.runs)
    if args.vs:
        report("--vs", shlex.split(args.vs), args.runs)
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pulumi_genauth.native._server as s; print(' '.join(sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    heavy = sorted({name.split(".")[0] for name in loaded} & {"pulumi", "pydantic", "httpx"})
    print(f"  loaded before the first call, of pulumi/pydantic/httpx: {heavy or 'none'}")


if __name__ == "__main__":
    main()
