"""Apache Kafka's classpath: the jars of ``pom.xml``, resolved once into the user's cache.

``make setup`` runs this module (``python3.11 -m tests.services.kafka.jars`` from the
repository root, before the venv exists, hence the standard library only). The folder is
named after the pom's digest, so new pins resolve into a new folder and an unchanged pom
costs nothing; it is filled under another name and renamed when complete, so a folder
that exists is whole. Maven reaches Maven Central only (its default repository).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

POM = Path(__file__).with_name("pom.xml")
COMPLETE = ".complete"


class JarsMissing(RuntimeError):
    """The classpath is not resolved (``make setup`` resolves it)."""


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "twinbook"


def jars_dir(pom: Path = POM) -> Path:
    """Where the jars of ``pom`` are (or go): ``~/.cache/twinbook/kafka-<digest>``."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    return cache_root() / f"kafka-{digest}"


def classpath(pom: Path = POM) -> str:
    """The JVM's ``-cp`` for the resolved jars; :class:`JarsMissing` when not resolved."""
    folder = jars_dir(pom)
    if not (folder / COMPLETE).is_file():
        raise JarsMissing(
            f"Apache Kafka's jars are not in {folder}: `make setup` resolves them "
            f"(Java 17 and Maven, from Maven Central)"
        )
    return str(folder / "*")


def resolve(pom: Path = POM) -> Path:
    """Resolve the jars of ``pom`` unless they are there already; return their folder."""
    folder = jars_dir(pom)
    if (folder / COMPLETE).is_file():
        return folder
    mvn = shutil.which("mvn")
    if mvn is None:
        raise JarsMissing("mvn is not on PATH (make setup installs Debian's maven)")
    partial = folder.with_name(folder.name + f".partial{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-Dstyle.color=never",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={partial}",
            ],
            check=True,
            timeout=900,
        )
        (partial / COMPLETE).write_text(pom.read_text())
        try:
            os.replace(partial, folder)
        except OSError:
            # another setup (another clone) finished first: its folder is as good
            if not (folder / COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def main() -> int:
    folder = jars_dir()
    if (folder / COMPLETE).is_file():
        return 0
    print(f"setup: Apache Kafka's jars from Maven Central into {folder}", flush=True)
    try:
        resolve()
    except (JarsMissing, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"setup: Apache Kafka's jars were not resolved: {exc}", file=sys.stderr)
        return 1
    jars = sum(1 for p in folder.glob("*.jar"))
    print(f"setup: {jars} jars in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
