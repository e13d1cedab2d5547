"""Benchmark: what pulumi_genauth adds to start-up, in the program and in the plugin.

Each figure is the median over fresh interpreters (``--runs``, default 15), measured inside
the process, so interpreter start-up is left out; every figure is *over* ``import
pulumi.dynamic``, which both processes pay anyway:

* program: ``import pulumi_genauth`` and its resource and args classes (what a Pulumi program
  pays to declare resources);
* plugin import: importing the pickled provider's module (what unpickling ``__provider`` pays);
* plugin, first check + diff: the above plus the preview's first calls, which load the
  validation rules (pydantic and the wire models) on demand;
* plugin, first create: the above plus the HTTP stack (httpx, tenacity, PyJWT), which only
  an apply loads (the create itself is not sent: the client is built, nothing more).

And one figure from the interpreter's own start instead (``core``): importing the core
modules a plugin's first calls use (the lifecycle, the per-field diff, credentials, the
clients), and whether that loaded the ``pulumi`` SDK, which the core no longer imports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import json, sys, time
    started = time.perf_counter()
    if MODE == "core":
        import pulumi_genauth._changes, pulumi_genauth._credentials, pulumi_genauth._lifecycle
        import pulumi_genauth._pool_clients, pulumi_genauth._validation
        core = time.perf_counter() - started
        print(json.dumps({"core modules (from the interpreter's start)": core,
                          "... of which the pulumi SDK loaded (1 = yes)": "pulumi" in sys.modules}))
        raise SystemExit
    import pulumi.dynamic
    base = time.perf_counter()
    figures = {}
    if MODE == "program":
        import pulumi_genauth
        pulumi_genauth.EmailProvider, pulumi_genauth.SmtpConfigArgs  # what a program names
        figures["program"] = time.perf_counter() - base
    else:
        from pulumi.dynamic import ConfigureRequest
        from pulumi.dynamic.config import Config
        from pulumi_genauth._provider import EmailProviderProvider
        figures["plugin import"] = time.perf_counter() - base
        provider = EmailProviderProvider()
        provider._environ = {}
        provider.configure(ConfigureRequest(Config({
            "genauth:host": "https://api.genauth.ai",
            "genauth:accessKeyId": "id",
            "genauth:accessKeySecret": "secret",
        }, "bench")))
        props = {"type": "custom", "enabled": True, "pool": None, "smtp_config": {
            "smtp_host": "smtp.example.com", "smtp_port": 465.0, "sender": "a@example.com",
            "sender_pass": "p", "secure": True}}
        assert provider.check({}, props).failures == []
        provider.diff("pool", props, props)
        figures["plugin, first check + diff"] = time.perf_counter() - base
        provider._client(None).close()
        figures["plugin, first create (client built)"] = time.perf_counter() - base
    print(json.dumps(figures))
    """
)


def measure(mode: str, runs: int) -> dict[str, float]:
    """Median milliseconds of each figure of ``mode`` over ``runs`` fresh interpreters."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", f"MODE = {mode!r}\n{PROBE}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name, seconds in json.loads(out).items():
            value = float(seconds) if isinstance(seconds, bool) else seconds * 1000
            samples.setdefault(name, []).append(value)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'start-up over import pulumi.dynamic':<45} {'median ms':>9}")
    for mode in ("program", "plugin"):
        for name, median in measure(mode, args.runs).items():
            print(f"{name:<45} {median:>9.1f}")
    for name, median in measure("core", args.runs).items():
        print(f"{name:<45} {median:>9.1f}")


if __name__ == "__main__":
    main()
