"""``genauth-emulator``: serve the local GenAuth emulator until interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import DEFAULT_HOST, DEFAULT_POOL, DEFAULT_PORT, DEFAULT_TOKEN_TTL_SECONDS, Pool
from .server import ReadyServer, TlsFiles, bind, url_of, uvicorn_config
from .service import EmailProviderService
from .store import IN_MEMORY, EmulatorStore


def _pool(text: str) -> Pool:
    pool_id, _, rest = text.partition(":")
    key_id, _, key_secret = rest.partition(":")
    if not (pool_id and key_id and key_secret):
        raise argparse.ArgumentTypeError(
            f"expected POOL_ID:ACCESS_KEY_ID:ACCESS_KEY_SECRET, got {pool_id!r}:..."
        )
    return Pool(pool_id, key_id, key_secret)


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="genauth-emulator",
        description=(
            "A local GenAuth management API (email provider endpoints) for tests and demos. "
            "Test hooks live under /_emulator/ (reset, requests, faults, expire-tokens, "
            "settings, pools)."
        ),
    )
    p.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)")
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    p.add_argument(
        "--db",
        default=IN_MEMORY,
        metavar="PATH",
        help="sqlite database file: settings, pools and tokens survive a restart "
        "(default: in memory, forgotten on exit)",
    )
    p.add_argument(
        "--pool",
        type=_pool,
        action="append",
        metavar="POOL_ID:ACCESS_KEY_ID:ACCESS_KEY_SECRET",
        help="a user pool to serve (repeatable); without any, the demo pool "
        f"{DEFAULT_POOL.id}:{DEFAULT_POOL.access_key_id}:{DEFAULT_POOL.access_key_secret}",
    )
    p.add_argument(
        "--token-ttl",
        type=int,
        default=DEFAULT_TOKEN_TTL_SECONDS,
        metavar="SECONDS",
        help="lifetime of management tokens (default: %(default)s)",
    )
    p.add_argument(
        "--tls-cert",
        metavar="PEM",
        help="serve https with this certificate chain (the server's certificate first), "
        "as a private deployment does; needs --tls-key",
    )
    p.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    """Run the emulator in the foreground; print its URL once it accepts connections."""
    args = parser().parse_args(argv)
    if args.token_ttl < 1:
        parser().error("--token-ttl must be at least 1")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser().error("--tls-cert and --tls-key go together")
    tls = TlsFiles(args.tls_cert, args.tls_key) if args.tls_cert else None
    store = EmulatorStore(args.db)
    for pool in args.pool or [DEFAULT_POOL]:
        store.put_pool(pool)
    service = EmailProviderService(store, token_ttl_seconds=args.token_ttl)
    sock = bind(args.host, args.port)
    url = url_of(sock, "https" if tls else "http")

    def announce() -> None:
        print(f"GenAuth emulator listening on {url}", flush=True)

    try:
        ReadyServer(uvicorn_config(service, tls), on_ready=announce).run(sockets=[sock])
    finally:
        store.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
