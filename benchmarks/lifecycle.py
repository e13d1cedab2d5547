"""Benchmark: API round trips and wall time per lifecycle step of the provider.

Prints one row per step: how many requests the emulator served for it (by path) and the
median time over several runs. Not a test: it asserts nothing and is not collected by
pytest. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_genauth._claims import PoolClaims
from pulumi_genauth._provider import EmailProviderProvider
from pulumi_genauth.emulator import DEFAULT_POOL
from pulumi_genauth.emulator.server import EmulatorServer

PROPS: dict[str, Any] = {
    "type": "custom",
    "enabled": True,
    "pool": None,
    "smtp_config": {
        "smtp_host": "smtp.example.com",
        "smtp_port": 465.0,
        "sender": "no-reply@example.com",
        "sender_pass": "benchmark-password",
        "secure": True,
    },
}


def fresh_provider(url: str) -> EmailProviderProvider:
    provider = EmailProviderProvider()
    provider._environ = {}
    provider.claims = PoolClaims()  # each run is a deployment of its own
    provider.configure(
        ConfigureRequest(
            Config(
                {
                    "genauth:host": url,
                    "genauth:accessKeyId": DEFAULT_POOL.access_key_id,
                    "genauth:accessKeySecret": DEFAULT_POOL.access_key_secret,
                },
                "bench",
            )
        )
    )
    return provider


def measure(
    emulator: EmulatorServer,
    runs: int,
    step: Callable[[EmailProviderProvider], object],
    setup: Callable[[], object] = lambda: None,
) -> tuple[Counter[str], float]:
    """Round trips of one run (on a fresh provider: token included) and the median time.

    ``setup`` runs before each run, outside the measure (e.g. re-enabling what delete turns
    off, so that every run of delete does the same work).
    """
    timings = []
    trips: Counter[str] = Counter()
    for run in range(runs):
        setup()
        provider = fresh_provider(emulator.url)
        before = len(emulator.requests())
        started = time.perf_counter()
        step(provider)
        timings.append(time.perf_counter() - started)
        if run == 0:
            trips = Counter(r["path"] for r in emulator.requests()[before:])
        provider.close()
    return trips, statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    with EmulatorServer(pools=[DEFAULT_POOL]) as emulator:
        seed = fresh_provider(emulator.url)
        outs = seed.create(dict(PROPS)).outs or {}
        seed.close()
        rotated = {**PROPS, "smtp_config": {**PROPS["smtp_config"], "sender_pass": "rotated"}}
        pool_id = emulator.pools[0].id

        def apply_rotated() -> None:
            # Puts back the setting delete disables (its own provider: not measured).
            provider = fresh_provider(emulator.url)
            provider.update(pool_id, outs, rotated)
            provider.close()

        rotated_outs = {**outs, "smtp_config": rotated["smtp_config"]}
        steps: dict[str, Callable[[EmailProviderProvider], object]] = {
            "preview: check": lambda p: p.check({}, dict(PROPS)),
            "preview: diff": lambda p: p.diff(emulator.pools[0].id, outs, rotated),
            "up: create": lambda p: p.create(dict(PROPS)),
            "up: update": lambda p: p.update(emulator.pools[0].id, outs, rotated),
            "refresh: read": lambda p: p.read(emulator.pools[0].id, outs),
            "destroy: delete": lambda p: p.delete(pool_id, rotated_outs),
        }
        setups: dict[str, Callable[[], object]] = {"destroy: delete": apply_rotated}
        print(f"{'step':<18} {'round trips (first run, new token)':<73} {'median ms':>9}")
        for name, step in steps.items():
            trips, median = measure(emulator, args.runs, step, setups.get(name, lambda: None))
            described = ", ".join(f"{n} {path}" for path, n in sorted(trips.items())) or "none"
            print(f"{name:<18} {sum(trips.values())}: {described:<70} {median * 1000:>9.2f}")


if __name__ == "__main__":
    main()
