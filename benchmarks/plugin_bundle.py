"""Benchmark: how each way of bundling ``pulumi-resource-genauth`` starts, beside the virtualenv.

A candidate is a plugin folder as ``pulumi plugin install`` leaves it: a folder holding the
executable ``pulumi-resource-genauth`` (the tarball's root). For each one it prints

* exec → port: the median (and min, max) milliseconds from starting the executable, as the
  engine does (``pulumi-resource-genauth <engine address>``), to the port line on its stdout;
  the candidates take turns, run after run, so that a drift of the machine's speed is shared;
* the first run's exec → port, in a new, empty ``HOME``: what a bundle that unpacks itself or
  builds an environment on first start pays once;
* what that first run wrote, and where: under ``HOME`` (``~/.shiv``, ``~/.cache/pex``) and in
  the plugin folder itself;
* the folder's size on disk and packed as a ``.tar.gz``.

Every run has ``PATH=<folder of python3>:/usr/bin:/bin``, so each candidate that looks for
``python3`` finds the same interpreter (``--python``), and no virtualenv.

``--build DIR`` first makes every candidate in DIR from ``make dist``'s wheel and tarball,
with the bundlers of constraints/dist.txt (in .venv-dist; the pex ones take minutes each)::

    make dist
    .venv-dist/bin/python benchmarks/plugin_bundle.py --build /tmp/plugins \\
        --python ~/.pyenv/versions/3.11.7/bin/python3.11

* ``venv``: a virtualenv of ``--python`` with the wheel, ``bin/pulumi-resource-genauth``;
* ``dist``: the tarball of scripts/dist, unpacked (lib/cp3XX and lib/any, compiled bytecode);
* ``shiv``: ``shiv --compile-pyc -p '/usr/bin/env python3'`` (one Python: shiv has no
  multi-platform build);
* ``pex-zipapp``, ``pex-venv`` (``--venv --sh-boot``), ``pex-venv-loose`` (the same,
  ``--layout loose``): for cp311, cp312 and cp313 manylinux2014 x86_64.

Or give folders made otherwise, as ``NAME=FOLDER`` arguments.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGIN = "pulumi-resource-genauth"
# The engine passes its own address; the plugin only dials it when it logs.
ENGINE_ADDRESS = "127.0.0.1:1"
PORT_TIMEOUT_SECONDS = 60
PLATFORMS = [
    f"--platform=manylinux2014_x86_64-cp-3{minor}-cp3{minor}" for minor in ("11", "12", "13")
]
# A pex folder layout starts from its __main__.py; the plugin's executable hands over to it.
LAUNCHER = '#!/bin/sh\nexec "${0%/*}/app/__main__.py" "$@"\n'


@dataclass
class Candidate:
    """One plugin folder and its warm figures."""

    name: str
    folder: Path
    warm: list[float] = field(default_factory=list)

    @property
    def executable(self) -> Path:
        return self.folder / PLUGIN


def build(into: Path, python: str) -> list[Candidate]:
    """Make every candidate in ``into`` from dist/ (see the module's docstring)."""
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    wheel = REPO / "dist" / f"pulumi_genauth-{version}-py3-none-any.whl"
    tarball = REPO / "dist" / f"{PLUGIN}-v{version}-linux-amd64.tar.gz"
    lock = REPO / "constraints" / "lock.txt"
    tools = REPO / ".venv-dist" / "bin"
    for needed in (wheel, tarball, tools / "pex", tools / "shiv"):
        if not needed.exists():
            raise SystemExit(f"no {needed}: run make dist first")
    pex = [str(tools / "pex"), str(wheel), f"--constraints={lock}", *PLATFORMS, "-c", PLUGIN]
    shebang = "--python-shebang=/usr/bin/env python3"
    made = {name: into / name for name in ("venv", "dist", "shiv", "pex-zipapp", "pex-venv")}
    made["pex-venv-loose"] = into / "pex-venv-loose"
    for folder in made.values():
        folder.mkdir(parents=True)
    steps = [
        [python, "-m", "venv", str(made["venv"] / "venv")],
        [str(made["venv"] / "venv/bin/pip"), "install", "-q", "-c", str(lock), str(wheel)],
        ["tar", "-xzf", str(tarball), "-C", str(made["dist"])],
        [str(tools / "shiv"), "-c", PLUGIN, "-p", "/usr/bin/env python3", "--compile-pyc",
         "-o", str(made["shiv"] / PLUGIN), str(wheel), f"--constraint={lock}"],
        [*pex, shebang, "-o", str(made["pex-zipapp"] / PLUGIN)],
        [*pex, "--venv", "--sh-boot", "-o", str(made["pex-venv"] / PLUGIN)],
        [*pex, "--venv", "--sh-boot", "--layout=loose", "-o", str(made["pex-venv-loose"] / "app")],
    ]  # fmt: skip
    for step in steps:
        print(f"build: {' '.join(step)[:160]}", file=sys.stderr)
        subprocess.run(step, check=True, stdout=subprocess.DEVNULL)
    (made["venv"] / PLUGIN).symlink_to(f"venv/bin/{PLUGIN}")
    (made["pex-venv-loose"] / PLUGIN).write_text(LAUNCHER)
    (made["pex-venv-loose"] / PLUGIN).chmod(0o755)
    return [Candidate(name, folder) for name, folder in made.items()]


def files_of(root: Path) -> dict[Path, tuple[int, int]]:
    """Every file under ``root`` (not following links) with its size and modification time."""
    found: dict[Path, tuple[int, int]] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def exec_to_port(executable: Path, env: dict[str, str]) -> float:
    """Seconds from starting the plugin to the port line on its stdout; then stop it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(executable), ENGINE_ADDRESS],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        if not line.strip().isdigit():
            raise SystemExit(f"{executable}: no port on stdout (got {line!r})")
        return elapsed
    finally:
        process.kill()
        process.communicate(timeout=PORT_TIMEOUT_SECONDS)


def tar_gz_size(folder: Path) -> int:
    """Bytes of the folder packed as the plugin tarball is (its contents at the root)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.iterdir()):
            tar.add(path, arcname=path.name)
    return buffer.tell()


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def written(before: dict[Path, tuple[int, int]], root: Path, label: str) -> str:
    """Files created or changed under ``root`` since ``before``, in one phrase."""
    after = files_of(root)
    changed = [path for path, state in after.items() if before.get(path) != state]
    if not changed:
        return f"nothing in {label}"
    tops = sorted({"/".join(path.relative_to(root).parts[:2]) for path in changed})
    size = sum(after[path][0] for path in changed)
    return f"{len(changed)} files, {mib(size)} in {label} ({', '.join(tops)[:50]})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("candidates", nargs="*", metavar="NAME=FOLDER")
    parser.add_argument("--build", type=Path, metavar="DIR", help="make the candidates in DIR")
    parser.add_argument("--python", default="/usr/bin/python3", help="the python3 on PATH")
    parser.add_argument("--runs", type=int, default=20, help="warm runs of each candidate")
    args = parser.parse_args()
    python = Path(args.python).resolve()
    candidates = build(args.build, str(python)) if args.build else []
    candidates += [
        Candidate(name, Path(folder).resolve())
        for name, _, folder in (spec.partition("=") for spec in args.candidates)
    ]
    minor = subprocess.run(
        [str(python), "-c", "import sys; print(sys.version_info[1])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="plugin-bundle-") as scratch:
        python_dir = Path(scratch) / "python"
        python_dir.mkdir()
        # Bundles that look for python3.X (pex's /bin/sh boot) find the same one.
        for name in ("python3", f"python3.{minor}"):
            (python_dir / name).symlink_to(python)
        rows = []
        for candidate in candidates:
            home = Path(scratch) / f"home-{candidate.name}"
            home.mkdir()
            env = {"PATH": f"{python_dir}:/usr/bin:/bin", "HOME": str(home)}
            folder_before = files_of(candidate.folder)
            first = exec_to_port(candidate.executable, env)
            writes = "; ".join(
                [
                    written({}, home, "HOME"),
                    written(folder_before, candidate.folder, "the plugin folder"),
                ]
            )
            size = sum(size for size, _ in files_of(candidate.folder).values())
            rows.append((candidate, env, first, writes, size, tar_gz_size(candidate.folder)))
        for _ in range(args.runs):
            for candidate, env, *_ in rows:
                candidate.warm.append(exec_to_port(candidate.executable, env))
    print(f"exec -> port, ms ({args.runs} warm runs each in turn, Python 3.{minor} as python3)")
    print(f"{'candidate':<15} {'median':>6} {'min':>5} {'max':>5} {'1st run':>7}"
          f" {'on disk':>10} {'tar.gz':>9}  first run wrote")  # fmt: skip
    for candidate, _, first, writes, size, packed in rows:
        warm = [seconds * 1000 for seconds in candidate.warm]
        print(
            f"{candidate.name:<15} {statistics.median(warm):>6.0f} {min(warm):>5.0f}"
            f" {max(warm):>5.0f} {first * 1000:>7.0f} {mib(size):>10} {mib(packed):>9}"
            f"  {writes}"
        )


if __name__ == "__main__":
    main()
