"""The ``genauth-emulator`` command: start the emulator, or say how to install its server.

The emulator's HTTP server (starlette, uvicorn) is the ``emulator`` extra, so that the
provider's own install stays lean; this entry point imports nothing of it until it is known
to be there.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from typing import Final

SERVER_MODULES: Final = ("starlette", "uvicorn")
INSTALL_HINT: Final = "pip install 'pulumi-genauth[emulator]'"


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``genauth-emulator``; without the extra, exit 2 with one line saying what to do."""
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"genauth-emulator: its HTTP server is not installed ({', '.join(missing)}); "
            f"install the emulator extra: {INSTALL_HINT}",
            file=sys.stderr,
        )
        sys.exit(2)
    from .__main__ import main as run  # noqa: PLC0415 - only once the server is there

    run(argv)
