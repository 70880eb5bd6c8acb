"""Build step: copy the data folders into the wheel as ``nelmkg/data/`` (package resources).

The top-level folders ``ontology/ kg/ shapes/ queries/ releases/`` are the edited source; a
built wheel carries a copy of them inside the package, where :mod:`nelmkg.paths` finds it
through ``importlib.resources``. Nothing is copied for an editable install (it reads the
folders in place) and nothing is kept in git twice. ``pyproject.toml`` names this class in
``[tool.setuptools.cmdclass]``; the sdist carries the folders (``MANIFEST.in``), so a wheel
built from the sdist gets them too.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py as _build_py

# Keep in step with nelmkg.paths.DATA_FOLDERS (this module cannot import the package).
DATA_FOLDERS = ("ontology", "kg", "shapes", "queries", "releases")
TARGET = Path("nelmkg") / "data"


def data_files(top: Path) -> list[Path]:
    """Return every file of the data folders under ``top`` (hidden files and caches left out)."""
    found = []
    for folder in DATA_FOLDERS:
        for path in sorted((top / folder).rglob("*")):
            parts = path.relative_to(top).parts
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
                found.append(path)
    return found


class build_py(_build_py):  # noqa: N801 - setuptools names its commands in lower case
    """``build_py`` that also copies the data folders into ``<build_lib>/nelmkg/data``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders directly
        top = Path.cwd()
        files = data_files(top)
        if not any(p.parts[len(top.parts)] == "ontology" for p in files):
            raise SystemExit("nelmkg_build: no ontology/ beside pyproject.toml; cannot build")
        for path in files:
            target = Path(self.build_lib) / TARGET / path.relative_to(top)
            self.mkpath(str(target.parent))
            self.copy_file(str(path), str(target), preserve_mode=False)
