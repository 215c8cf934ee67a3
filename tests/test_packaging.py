"""The installed package carries every data file the code reads: the image installs the project
with ``pip install .`` (not editable), so a definition file or template left out of
``package-data`` is missing there only — the workflow definition was, once."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "models", "workflows", "tasks", "cli", "web", "migrations", "locales")


def test_the_wheel_holds_every_data_file_of_the_packages(tmp_path: Path) -> None:
    # Built from a copy, as the image builds it: a build/ directory left in the checkout would
    # hand setuptools files from an earlier build.
    source = tmp_path / "source"
    source.mkdir()
    for name in (*PACKAGES, "pyproject.toml", "README.md", "worker.py"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name)  # type: ignore[operator]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    data = [
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc", ".mo")
        and "__pycache__" not in path.parts
    ]
    assert data, "no data files found"
    assert [name for name in data if name not in packed] == []
