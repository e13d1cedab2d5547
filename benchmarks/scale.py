"""Benchmark: fifty pools through the real engine, with latency added to every API round trip.

One ``pulumi up`` of a program declaring ``--pools`` EmailProviders (default 50), each on a
user pool of its own (``genauth:pools`` entries), against the emulator with ``--latency-ms``
(default 50) added to every answer. Printed:

* for each front end (``--front-end``): the API window of the ``up``, from the first request
  the emulator received to the last answer it sent, beside its latency bound:
  - the dynamic resource: ceil(pools / 4 worker threads) x 3 calls (token, read, configure) x
    latency: no provider can do better through the SDK's dynamic-provider server, which runs
    four calls at a time;
  - the native provider with one explicit provider, so one plugin process, per pool
    (``native``), and with one provider for all the pools, each resource naming its entry of
    ``genauth:pools`` (``native-pools``, as the dynamic resource does): ceil(pools / engine
    parallelism) x 3 calls x latency, with ``--parallel`` (default 50);
* the whole ``up`` as the CLI took it, and the plugins' peak memory (VmHWM, read from /proc
  while it runs: the largest plugin process, how many there were, and their sum);
* the official ``genauth`` SDK configuring the same pools one after another, for comparison;
* ``--unreachable N``: N resources refreshed against a host that refuses connections, and
  how long until all N had failed (the retry budget is spent once, not N times).

Needs the pulumi CLI (scripts/install-pulumi-cli) and the emulator extra; run by ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pulumi
from genauth import ManagementClient
from pulumi import automation as auto

import pulumi_genauth as genauth
from pulumi_genauth.emulator import Pool
from pulumi_genauth.emulator.server import EmulatorServer

REPO = Path(__file__).resolve().parents[1]
WORKERS = 4  # the SDK's dynamic-provider server: futures.ThreadPoolExecutor(max_workers=4)
CALLS_PER_CREATE = 3  # management token, read (adoption warning), configure
CONFIG = {"sender": "mail@example.com", "apikey": "SG.bench-key"}


def pools(count: int) -> list[Pool]:
    return [Pool(f"pool-{n}", f"key-{n}", f"secret-{n}") for n in range(count)]


def program(count: int) -> auto.PulumiFn:
    def run() -> None:
        for n in range(count):
            genauth.EmailProvider(
                f"mail-{n}",
                type="sendgrid",
                send_grid_config=genauth.SendGridConfigArgs(**CONFIG),
                pool=f"p{n}",
            )

    return run


def native_program(count: int, host: str) -> auto.PulumiFn:
    """The same pools through the native provider: an explicit provider per pool."""

    def run() -> None:
        for n, pool in enumerate(pools(count)):
            provider = pulumi.ProviderResource(
                "genauth",
                f"p{n}",
                {
                    "host": host,
                    "accessKeyId": pool.access_key_id,
                    "accessKeySecret": pulumi.Output.secret(pool.access_key_secret),
                },
            )
            pulumi.CustomResource(
                "genauth:index:EmailProvider",
                f"mail-{n}",
                {"type": "sendgrid", "sendGridConfig": CONFIG},
                opts=pulumi.ResourceOptions(provider=provider),
            )

    return run


def native_pools_program(count: int) -> auto.PulumiFn:
    """The same pools through one native provider (the default one): ``pool`` picks the keys."""

    def run() -> None:
        for n in range(count):
            pulumi.CustomResource(
                "genauth:index:EmailProvider",
                f"mail-{n}",
                {"type": "sendgrid", "sendGridConfig": CONFIG, "pool": f"p{n}"},
            )

    return run


PROGRAMS = {
    "dynamic": lambda count, _host: program(count),
    "native": native_program,
    "native-pools": lambda count, _host: native_pools_program(count),
}


def cli_bin() -> str:
    found = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi-cli")], capture_output=True, text=True, check=True
    )
    return found.stdout.strip().splitlines()[-1]


def stack_for(root: Path, count: int, host: str, fn: auto.PulumiFn) -> auto.Stack:
    bin_dir = cli_bin()
    (root / "cli").mkdir()
    (root / "cli" / "bin").symlink_to(bin_dir, target_is_directory=True)
    env = {
        # The CLI, and this Python's pulumi-resource-genauth for the native front end.
        "PATH": os.pathsep.join([bin_dir, str(Path(sys.executable).parent), os.environ["PATH"]]),
        "PULUMI_CONFIG_PASSPHRASE": "bench",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_HOME": str(root / "home"),
    }
    options = auto.LocalWorkspaceOptions(
        work_dir=str(root),
        pulumi_home=str(root / "home"),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(root / "cli")),
        project_settings=auto.ProjectSettings(
            name="genauth-bench", runtime="python", backend=auto.ProjectBackend(f"file://{root}")
        ),
    )
    stack = auto.create_or_select_stack("bench", "genauth-bench", fn, opts=options)
    entries = {
        f"p{n}": {
            "host": host,
            "accessKeyId": pool.access_key_id,
            "accessKeySecret": pool.access_key_secret,
        }
        for n, pool in enumerate(pools(count))
    }
    stack.set_config("genauth:host", auto.ConfigValue(host))
    stack.set_config("genauth:pools", auto.ConfigValue(json.dumps(entries), secret=True))
    return stack


@contextmanager
def peak_memory_of_plugins(marker: bytes) -> Iterator[Callable[[], dict[int, float]]]:
    """Watch /proc for plugin processes (``marker`` in their command line); yields their peaks.

    The peak RSS (VmHWM) in MB of each process seen, by pid.
    """
    peaks: dict[int, float] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for status in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    if marker not in status.read_bytes():
                        continue
                    for line in (status.parent / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            pid = int(status.parent.name)
                            peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)
                except (OSError, ValueError):
                    continue
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield lambda: dict(peaks)
    finally:
        done.set()
        watcher.join()


def api_window(emulator: EmulatorServer, since: int) -> float:
    entries = emulator.requests()[since:]
    return max(e["answered"] for e in entries) - min(e["received"] for e in entries)


def up_figures(count: int, latency: float, front_end: str, parallel: int) -> None:
    with EmulatorServer(pools=pools(count)) as emulator, tempfile.TemporaryDirectory() as tmp:
        emulator.add_fault(latency_seconds=latency, times=1_000_000)
        native = front_end.startswith("native")
        stack = stack_for(Path(tmp), count, emulator.url, PROGRAMS[front_end](count, emulator.url))
        before = len(emulator.requests())
        marker = b"pulumi-resource-genauth" if native else b"pulumi.dynamic"
        with peak_memory_of_plugins(marker) as peaks:
            started = time.perf_counter()
            stack.up(parallel=parallel)
            took = time.perf_counter() - started
        window = api_window(emulator, before)
        calls = len(emulator.requests()) - before
        at_once = min(parallel, count) if native else WORKERS
        bound = math.ceil(count / at_once) * CALLS_PER_CREATE * latency
        memory = peaks()
        print(
            f"{front_end}: up of {count} pools, {latency * 1000:.0f} ms per round trip "
            f"({calls} calls, --parallel {parallel})"
        )
        print(f"  API window                   {window:7.2f} s")
        print(f"  latency bound                {bound:7.2f} s  (ratio {window / bound:.2f})")
        print(f"  whole up (CLI)               {took:7.2f} s")
        print(
            f"  plugin peak memory           {max(memory.values(), default=0):7.1f} MB"
            f"  ({len(memory)} process(es), {sum(memory.values()):.0f} MB in all)"
        )

        started = time.perf_counter()
        for pool in pools(count):
            client = ManagementClient(
                access_key_id=pool.access_key_id,
                access_key_secret=pool.access_key_secret,
                host=emulator.url,
                lang="en-US",
            )
            client.config_email_provider(type="sendgrid", enabled=True, send_grid_config=CONFIG)
        print(f"  official SDK, one by one     {time.perf_counter() - started:7.2f} s")
        stack.workspace.remove_stack("bench", force=True)


def unreachable_figures(count: int) -> None:
    # Resources in state whose host then refuses connections: a refresh of them all.
    with EmulatorServer(pools=pools(count)) as emulator, tempfile.TemporaryDirectory() as tmp:
        stack = stack_for(Path(tmp), count, emulator.url, program(count))
        stack.up()
        dead = "http://127.0.0.1:9"  # the discard port: nothing listens there
        entries = {
            f"p{n}": {"host": dead, "accessKeyId": pool.access_key_id, "accessKeySecret": "-"}
            for n, pool in enumerate(pools(count))
        }
        stack.set_config("genauth:pools", auto.ConfigValue(json.dumps(entries), secret=True))
        lines: list[str] = []
        started = time.perf_counter()
        try:
            stack.refresh(run_program=True, on_output=lines.append)
        except auto.errors.CommandError as failed:
            lines.append(str(failed))
        took = time.perf_counter() - started
        errors = {
            line.split("error: ", 1)[1]
            for line in "\n".join(lines).splitlines()
            if "could not reach" in line and "error: " in line
        }
        print(f"refresh of {count} resources, host refusing connections")
        print(f"  until every resource failed  {took:7.2f} s  (one retry budget: about 7.5 s)")
        print(f"  distinct error lines         {len(errors):7d}")
        stack.workspace.remove_stack("bench", force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pools", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--unreachable", type=int, default=10)
    parser.add_argument("--front-end", choices=[*PROGRAMS, "all"], default="all")
    parser.add_argument("--parallel", type=int, default=50, help="the engine's parallelism")
    args = parser.parse_args()
    pulumi.runtime.settings.ROOT.set(None)  # inline programs run in this process
    for front_end in PROGRAMS:
        if args.front_end in (front_end, "all"):
            up_figures(args.pools, args.latency_ms / 1000, front_end, args.parallel)
    if args.unreachable:
        unreachable_figures(args.unreachable)


if __name__ == "__main__":
    main()
