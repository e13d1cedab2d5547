"""Benchmark: how many GET /api/v3/get-email-provider the emulator serves per second.

Four client threads on loopback, a fixed number of requests each (``--requests``, default
600), against the emulator with a database file (and, for comparison, in memory). Also
checked: every request served is in the request log (none lost).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import httpx

from pulumi_genauth.emulator import DEFAULT_POOL
from pulumi_genauth.emulator.server import EmulatorServer

THREADS = 4
PATH = "/api/v3/get-email-provider"


def token(url: str) -> str:
    answer = httpx.post(
        f"{url}/api/v3/get-management-token",
        json={
            "accessKeyId": DEFAULT_POOL.access_key_id,
            "accessKeySecret": DEFAULT_POOL.access_key_secret,
        },
    ).json()
    value: str = answer["data"]["access_token"]
    return value


def rate(db: str, per_thread: int) -> tuple[float, int, int]:
    """(requests per second, requests served, log entries for them)."""
    with EmulatorServer(pools=[DEFAULT_POOL], db_path=db) as emulator:
        headers = {
            "authorization": f"Bearer {token(emulator.url)}",
            "x-genauth-userpool-id": DEFAULT_POOL.id,
        }
        before = len(emulator.requests())
        served = [0] * THREADS
        start = threading.Barrier(THREADS + 1)

        def load(index: int) -> None:
            with httpx.Client(base_url=emulator.url, headers=headers) as client:
                start.wait()
                for _ in range(per_thread):
                    client.get(PATH).raise_for_status()
                    served[index] += 1

        threads = [threading.Thread(target=load, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
        logged = sum(1 for e in emulator.requests()[before:] if e["path"] == PATH)
        return sum(served) / took, sum(served), logged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600, help="per client thread")
    args = parser.parse_args()
    print(f"{'emulator, GET, 4 threads':<28} {'req/s':>8} {'served':>7} {'logged':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, db in (("database file", str(Path(tmp) / "bench.db")), ("in memory", ":memory:")):
            per_second, served, logged = rate(db, args.requests)
            print(f"{name:<28} {per_second:>8.0f} {served:>7} {logged:>7}")


if __name__ == "__main__":
    main()
