"""Installs come from the lock files: every dependency pyproject.toml names is pinned there by
version and hash, the image's lock agrees with the development lock, and the environment these
tests run in is exactly the locked set (`make install` installs from requirements/dev.txt)."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.services import ROOT

LOCKS = ROOT / "requirements"


def pins(lock: Path) -> dict[str, tuple[str, Marker | None, int]]:
    """name -> (version, marker, number of hashes) for every package in a lock file."""
    found: dict[str, tuple[str, Marker | None, int]] = {}
    entries = re.split(r"\n(?=\S)", lock.read_text())
    for entry in entries:
        if entry.startswith("#") or not entry.strip():
            continue
        head = entry.split("\\", 1)[0].strip()
        requirement = Requirement(head)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{lock.name}: {head} is not pinned"
        found[canonicalize_name(requirement.name)] = (
            specifier.version,
            requirement.marker,
            entry.count("--hash=sha256:"),
        )
    return found


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    groups = {"runtime": [Requirement(r) for r in project["project"]["dependencies"]]}
    for extra, requirements in project["project"]["optional-dependencies"].items():
        groups[extra] = [Requirement(r) for r in requirements]
    groups["build"] = [Requirement(r) for r in project["build-system"]["requires"]]
    return groups


@pytest.mark.parametrize("lock", ["runtime.txt", "dev.txt"])
def test_every_locked_package_is_pinned_with_hashes(lock):
    locked = pins(LOCKS / lock)
    assert len(locked) > 50
    unhashed = [name for name, (_, _, hashes) in locked.items() if hashes == 0]
    assert unhashed == []


def test_every_declared_dependency_is_locked_at_a_version_it_allows():
    runtime, dev = pins(LOCKS / "runtime.txt"), pins(LOCKS / "dev.txt")
    for group, requirements in declared().items():
        locks = [dev] if group in ("dev", "bench") else [runtime, dev]
        for requirement in requirements:
            for locked in locks:
                name = canonicalize_name(requirement.name)
                assert name in locked, f"{requirement} ({group}) is missing from a lock file"
                version = locked[name][0]
                assert requirement.specifier.contains(version, prereleases=True), (
                    f"{requirement} ({group}) is locked at {version}: run `make lock`"
                )


def test_the_image_lock_and_the_development_lock_agree():
    runtime, dev = pins(LOCKS / "runtime.txt"), pins(LOCKS / "dev.txt")
    differing = {
        name: (version, dev[name][0])
        for name, (version, _, _) in runtime.items()
        if name in dev and dev[name][0] != version
    }
    assert differing == {}
    assert set(runtime) <= set(dev)


def test_this_environment_is_the_locked_set():
    """What `make install` put here is what requirements/dev.txt says, package by package."""
    wrong = {}
    for name, (version, marker, _) in pins(LOCKS / "dev.txt").items():
        if marker is not None and not marker.evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert wrong == {}
