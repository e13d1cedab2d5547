"""Start the bundled provider plugin: lib/boot.py of the plugin tarball that scripts/dist builds.

The launcher beside lib/ runs ``python3 -I -S lib/boot.py ARGS``. With no site-packages on
``sys.path``, this puts the bundle's own folders first: ``lib/cp3XX``, the compiled
dependencies (grpcio, pydantic-core, ...) for this Python's version, and ``lib/any``, the
rest, with bytecode for each version the bundle supports (hash-checked ``.pyc`` files that
are never rewritten, so the plugin writes nothing when it starts). A Python the bundle has no
``cp3XX`` folder for hands over to a ``python3.X`` on PATH that it has one for.
"""

import os
import sys

LIB = os.path.dirname(os.path.abspath(__file__))
PLUGIN = "pulumi-resource-genauth"


# Before the version check, nothing newer than Python 3.6 (f-strings): an older python3 must
# get to the sentence that says what is needed.
def _another_python():  # type: () -> str | None
    """A python3.X on PATH that the bundle has a folder for, the newest first."""
    import shutil  # noqa: PLC0415  (only on this rare path: start-up pays for no more)

    for folder in sorted(os.listdir(LIB), reverse=True):
        found = shutil.which(f"python3.{folder[3:]}") if folder.startswith("cp3") else None
        if found:
            return found
    return None


own = os.path.join(LIB, f"cp{sys.version_info[0]}{sys.version_info[1]}")
if not os.path.isdir(own):
    other = _another_python()
    if other is None or os.path.realpath(other) == os.path.realpath(sys.executable):
        bundled = [f"3.{name[3:]}" for name in sorted(os.listdir(LIB)) if name.startswith("cp3")]
        sys.exit(
            f"{PLUGIN}: needs Python {', '.join(bundled[:-1])} or {bundled[-1]} as python3 or"
            f" python3.X on PATH, or the path of one in PULUMI_GENAUTH_PYTHON; {sys.executable}"
            f" is {sys.version_info[0]}.{sys.version_info[1]}"
        )
    os.execv(other, [other, "-I", "-S", __file__, *sys.argv[1:]])  # noqa: S606

sys.path[:0] = [own, os.path.join(LIB, "any")]
sys.argv[0] = os.path.join(os.path.dirname(LIB), PLUGIN)

from pulumi_genauth.native._server import main  # noqa: E402  (sys.path first)

main()
