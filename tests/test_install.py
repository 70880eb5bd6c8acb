"""Installed, not checked out: the sdist and the wheel carry the data, and the commands run.

The sdist is built from the checkout, the wheel from the sdist (as a user's installer would),
and the wheel is installed into a fresh venv in a temporary folder outside the repository.
To keep CI short that venv gets no packages of its own: a ``.pth`` file lends it the test
venv's dependencies (rdflib, pyoxigraph, ...), while ``nelmkg`` itself — code and data — comes
only from the wheel; a test proves the data root is inside the new venv.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from nelmkg import paths
from nelmkg.audit import run_audit
from nelmkg.graph.dataset import summary
from nelmkg.testing import live

pytestmark = pytest.mark.install
DATA = ("ontology", "kg", "shapes", "queries", "releases")
CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"


def tracked_data_files() -> list[str]:
    """The data files git tracks in the checkout: what the wheel must carry."""
    top = paths.checkout()
    assert top is not None, "these tests build from the checkout"
    out = subprocess.run(
        ["git", "ls-files", "--", *DATA], cwd=top, capture_output=True, text=True, check=True
    )
    return sorted(out.stdout.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Build the sdist from the checkout, then the wheel from the sdist."""
    out = tmp_path_factory.mktemp("dist")
    build = "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=paths.checkout(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sdist = out / done.stdout.strip().splitlines()[-1]
    wheels = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    done = subprocess.run([*pip, "-w", str(wheels), str(sdist)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = wheels.glob("nelmkg-*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A fresh venv outside the repository with the wheel installed (dependencies lent)."""
    home = tmp_path_factory.mktemp("installed")
    target = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "zz-lent-dependencies.pth").write_text("\n".join(sorted(lent)) + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    done = subprocess.run([*install, "--no-deps", str(built["wheel"])], capture_output=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return target


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A working folder outside the repository."""
    return tmp_path_factory.mktemp("work")


def clean_env() -> dict[str, str]:
    """The environment without anything that would point the program back at the checkout."""
    drop = {"NELMKG_ROOT", paths.REVIEW_ENV, "PYTHONPATH", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def nelmkg(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the installed console script ``nelmkg ARGS`` in ``cwd``."""
    command = [str(venv / "bin" / "nelmkg"), *args]
    return subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True)


def test_sdist_carries_the_data_folders(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = set(tracked_data_files()) - names
    assert not missing, f"not in the sdist: {sorted(missing)[:10]}"


def test_wheel_carries_exactly_the_tracked_data(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = wheel.namelist()
    packaged = sorted(n.removeprefix("nelmkg/data/") for n in names if n.startswith("nelmkg/data/"))
    assert packaged == tracked_data_files()
    for asset in ("nelmkg/web/templates/base.html", "nelmkg/web/static/sample-case.json"):
        assert asset in names


def test_installed_package_reads_its_own_data(venv, outside):
    probe = "import nelmkg, nelmkg.paths as p; print(nelmkg.__file__); print(p.root())"
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe],
        cwd=outside,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    module, root = done.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(root).is_relative_to(venv)
    assert Path(root).name == "data"


def test_installed_summary_counts_the_checkout_data(venv, outside, dataset):
    done = nelmkg(venv, outside, "summary", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == summary(dataset)


def test_installed_check_passes_and_says_quotes_were_not_verified(venv, outside):
    done = nelmkg(venv, outside, "check", "--no-reasoner")
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("quotes")]
    assert "SKIP" in line and "NOT verified" in line and paths.REVIEW_ENV in line


def test_installed_assess(venv, outside, case_entries):
    entry = next(e for e in case_entries if e["file"] == "case-01.json")
    case = outside / "case.json"
    case.write_bytes((CASES_DIR / entry["file"]).read_bytes())
    done = nelmkg(venv, outside, "assess", "--json", str(case))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for option, status in entry["options"].items():
        assert result["options"][option]["status"] == status, option


def test_installed_audit(venv, outside, data):
    done = nelmkg(venv, outside, "audit", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"] == run_audit(data, None).summary()


def test_installed_release_equals_the_checkout_release(venv, outside, tmp_path):
    done = nelmkg(venv, outside, "release")
    assert done.returncode == 0, done.stderr
    installed = outside / "release"
    assert (installed / "SHA256SUMS").is_file()
    for line in (installed / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((installed / name).read_bytes()).hexdigest() == digest, name
    here = subprocess.run(
        [sys.executable, "-m", "nelmkg.cli", "release", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert here.returncode == 0, here.stderr
    assert (installed / "SHA256SUMS").read_bytes() == (tmp_path / "SHA256SUMS").read_bytes()


def test_installed_serve_answers(venv, outside, tmp_path):
    port = live.free_port()
    command = [str(venv / "bin" / "nelmkg"), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    log = tmp_path / "serve.log"
    with live.running(command, port, env=clean_env(), log=log, cwd=outside) as server:
        query = (
            "ASK { <https://w3id.org/nelmkg/ontology> a <http://www.w3.org/2002/07/owl#Ontology> }"
        )
        url = f"{server.base}/sparql?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["boolean"] is True
