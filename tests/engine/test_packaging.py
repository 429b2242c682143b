"""The built wheel: runtime files only, presets that load, a ``backprop-lens`` that runs.

A wheel is built from a copy of the sources (so the repository gets no build/ or
egg-info), installed with ``pip --target`` and imported in a fresh process whose
working folder is outside the repository, and installed into a fresh venv whose
``bin/backprop-lens`` is run. Building and installing take a few seconds; every
process has a timeout so the module stays well under 20 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE_PRESETS = sorted(p.name for p in (REPO / "resources" / "presets").glob("*.json"))
PACKAGES = ("engine", "gui", "cli", "resources")  # everything the wheel may hold
TIMEOUT = 20

# Loads every preset and prints where the packages came from, one fact a line.
PROBE = """
import sys
import engine, resources
from engine.fileformat import load_network
paths = resources.preset_paths()
for path in paths:
    network = load_network(path)
    print("preset", path.name, network.weight_layer_count)
print("engine", engine.__file__)
print("resources", resources.__file__)
"""


def _setuptools_can_build() -> bool:
    # pyproject's `license = "MIT"` needs setuptools >= 77; pip must not fetch it.
    try:
        major = int(metadata.version("setuptools").split(".")[0])
    except metadata.PackageNotFoundError:
        return False
    return major >= 77


def _pip(*args: str, cwd: Path) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the packages, pyproject.toml and the README."""
    if not _setuptools_can_build():
        pytest.skip("setuptools >= 77 is not installed in this environment; cannot build offline")
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGES:
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    dist = root / "dist"
    _pip(
        "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), ".", cwd=source
    )
    [built] = dist.glob("backprop_lens-*.whl")
    shutil.rmtree(source)  # nothing may load from the copied tree
    return built


@pytest.fixture(scope="module")
def wheel_install(wheel: Path) -> Path:
    """A folder holding the packages as a wheel installs them."""
    target = wheel.parent.parent / "installed"
    _pip(
        "install", "--no-deps", "--no-index", "--target", str(target), str(wheel), cwd=target.parent
    )
    return target


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path) -> Path:
    """A new venv with the wheel installed by pip; its dependencies (NumPy) are borrowed
    from this environment's site-packages, appended after its own (no network)."""
    venv = wheel.parent.parent / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT
    )
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", "--no-deps", "--no-index", str(wheel), cwd=venv)
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    ).stdout.strip()
    # A path line, not a site dir: the editable install's .pth finder stays inactive.
    borrowed = sysconfig.get_paths()["purelib"]
    (Path(site_packages) / "borrowed-dependencies.pth").write_text(borrowed + "\n")
    return venv


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _probe(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, list[str]]:
    result = subprocess.run(
        [*args, "-c", PROBE], capture_output=True, text=True, cwd=cwd, env=env, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr
    facts: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" ")
        facts.setdefault(key, []).append(value)
    return facts


def _wheel_env(target: Path) -> dict[str, str]:
    # -S skips site-packages' .pth files, so the editable install's finder is not active;
    # site-packages itself stays on the path (after the wheel) for NumPy.
    site_packages = sysconfig.get_paths()["purelib"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(target), site_packages])
    return env


def test_every_preset_loads_from_an_installed_wheel(wheel_install: Path, tmp_path: Path) -> None:
    facts = _probe([sys.executable, "-S"], tmp_path, _wheel_env(wheel_install))
    assert Path(facts["engine"][0]).is_relative_to(wheel_install)
    assert Path(facts["resources"][0]).is_relative_to(wheel_install)
    assert sorted(line.split()[0] for line in facts["preset"]) == SOURCE_PRESETS
    assert "step-by-step-2-2-2.json 2" in facts["preset"]


@pytest.mark.parametrize("package", ["cli", "gui"])
def test_installed_wheel_runs_the_trace_command(
    wheel_install: Path, tmp_path: Path, package: str
) -> None:
    preset = wheel_install / "resources" / "presets" / "step-by-step-2-2-2.json"
    assert preset.is_file()
    result = subprocess.run(
        [sys.executable, "-S", "-m", package, "trace", str(preset)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_wheel_env(wheel_install),
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert '"loss": 0.29837110876' in result.stdout


def test_the_wheel_holds_the_runtime_files_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    dist_info = {t for t in top if t.endswith(".dist-info")}
    assert top - dist_info == set(PACKAGES)
    files = {name for name in names if not name.endswith("/") and name.split("/")[0] in PACKAGES}
    not_runtime = sorted(
        name
        for name in files
        if not name.endswith(".py")
        and not name.startswith(("resources/presets/", "resources/icons/"))
    )
    assert not_runtime == []  # no docs, screenshots, tests or caches
    source = {
        path.relative_to(REPO).as_posix()
        for name in PACKAGES
        for path in (REPO / name).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert {name for name in files if name.endswith(".py")} == source
    assert {f"resources/presets/{name}" for name in SOURCE_PRESETS} <= files


def test_a_fresh_venv_gets_a_backprop_lens_command_from_the_wheel(
    wheel: Path, fresh_venv: Path, tmp_path: Path
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, capture_output=True, text=True, cwd=tmp_path, env=_clean_env(), timeout=TIMEOUT
        )

    script = str(fresh_venv / "bin" / "backprop-lens")
    version = wheel.name.split("-")[1]  # backprop_lens-0.1.0-py3-none-any.whl
    result = run(script, "--version")
    assert (result.returncode, result.stdout) == (0, f"backprop-lens {version}\n"), result.stderr
    result = run(script, "trace", str(REPO / "resources" / "presets" / "step-by-step-2-2-2.json"))
    assert result.returncode == 0, result.stderr
    assert '"loss": 0.29837110876' in result.stdout
    where = "import cli, engine, gui, resources as r; print(cli.__file__, gui.__file__, r.__file__)"
    result = run(str(fresh_venv / "bin" / "python"), "-c", where)
    assert result.returncode == 0, result.stderr
    assert all(Path(path).is_relative_to(fresh_venv) for path in result.stdout.split())


def test_every_preset_loads_from_the_editable_install(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    facts = _probe([sys.executable], tmp_path, env)
    assert Path(facts["resources"][0]).is_relative_to(REPO)
    assert sorted(line.split()[0] for line in facts["preset"]) == SOURCE_PRESETS
