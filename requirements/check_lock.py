"""Fail when a lock file no longer covers pyproject.toml's requirements (run `make lock`).

    python requirements/check_lock.py requirements/lock.txt dev [spark ...]

Every requirement of [project].dependencies and of the named extras must have a pin
(`name==version`) in the lock that satisfies it. A dependency added to pyproject.toml (for example
by a merge) without `make lock` stops `make venv` here with one line naming it, instead of an
environment that silently lacks it. Runs before the venv exists, on any Python 3.11: `packaging`
comes from pip when it is not installed on its own.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # a bare interpreter: pip vendors packaging
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;#\\]+)")


def pins(lock: Path) -> dict[str, Version]:
    found = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[canonicalize_name(match["name"])] = Version(match["version"])
    return found


def requirements(pyproject: Path, extras: list[str]) -> list[tuple[str, Requirement]]:
    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = [("dependencies", Requirement(text)) for text in project.get("dependencies", [])]
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"error: pyproject.toml has no extra {extra!r}")
        wanted += [(f"extra {extra}", Requirement(text)) for text in optional[extra]]
    return wanted


def problems(lock: Path, pyproject: Path, extras: list[str]) -> list[str]:
    pinned = pins(lock)
    found = []
    for origin, requirement in requirements(pyproject, extras):
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue  # not for this platform / Python
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            found.append(f"{requirement} ({origin}) has no pin")
        elif not requirement.specifier.contains(version, prereleases=True):
            found.append(f"{requirement} ({origin}) is pinned at {version}")
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    lock, extras = Path(argv[0]), argv[1:]
    if not lock.exists():
        print(f"error: {lock} is missing: run `make lock`", file=sys.stderr)
        return 1
    found = problems(lock, Path("pyproject.toml"), extras)
    if found:
        print(
            f"error: {lock} is out of date with pyproject.toml: {'; '.join(found)}. "
            "Run `make lock` and commit requirements/.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
