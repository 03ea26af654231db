"""bench/gpu-check, run here with the CPU standing in for the GPU: one table, a row per check, nothing failed;
and its --download: wheels pinned as requirements.txt resolves, that agree with each other."""

import email.parser
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

pytest.importorskip("diffusers")

from studio.backends.families import FAMILIES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def test_the_gpu_check_documents_itself():
    usage = subprocess.run([REPO / "bench" / "gpu-check", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--wheels DIR" in usage and "--download DIR" in usage and "--rife-weights FILE" in usage
    assert usage.splitlines()[-1] == "Exit status: 0 when no check failed (skipped ones do not count), 1 otherwise."


def test_a_package_that_does_not_import_stops_the_gpu_check_in_one_line():
    hide = "import sys; sys.modules['pydantic_settings'] = None; from studio.bench.gpu import main; sys.exit(main([]))"
    result = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, cwd=REPO)
    pins = (REPO / "requirements.txt").read_text().splitlines()
    pin = next(line for line in pins if line.startswith("pydantic-settings=="))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", (
        f"gpu-check cannot start: pydantic-settings is not installed; requirements.txt pins {pin}. Fix: on a machine"
        " with PyPI run bench/gpu-check --download DIR, then bench/gpu-check --wheels DIR here\n"))


def test_the_gpu_check_runs_every_check_on_the_cpu():
    script = REPO / "bench" / "gpu-check"
    result = subprocess.run([script, "--cpu", "--quick"], capture_output=True, text=True, timeout=480,
                            env=os.environ | {"PYTHON": sys.executable})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "| check | setting | result | seconds | peak VRAM GB | note |"
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[2] for line in lines[2:]}
    assert {f"{name} tiny" for name in FAMILIES} <= set(rows)
    assert all(rows[f"{name} tiny"] == "ok" for name in FAMILIES)  # every family generated on the CPU stand-in
    assert rows["flow + Ken Burns 1080x1920"] == rows["encoder 1080x1920"] == "ok"
    assert rows["RIFE 4.25 1080x1920"] in ("ok", "skipped")  # skipped only where scripts/get-rife could not fetch it
    assert "CPU (standing in for the GPU)" in result.stderr


# What pip prints when PyPI cannot be reached (then the download test is skipped, not failed).
NETWORK_ERRORS = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
                  "Name or service not known", "Network is unreachable", "ProxyError", "ConnectTimeoutError",
                  "Max retries exceeded", "ReadTimeoutError")
# Markers are evaluated for the GPU machine: CPython 3.12 on Linux x86_64.
TARGET = {"python_version": "3.12", "python_full_version": "3.12.0", "implementation_name": "cpython",
          "platform_python_implementation": "CPython", "sys_platform": "linux", "platform_system": "Linux",
          "platform_machine": "x86_64", "os_name": "posix", "extra": ""}


def _requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        fields = email.parser.BytesParser().parsebytes(archive.read(name), headersonly=True)
    return [Requirement(line) for line in fields.get_all("Requires-Dist") or []]


def test_the_downloaded_wheels_are_the_venvs_versions_agree_with_each_other_and_fit_the_budget(tmp_path):
    result = subprocess.run([REPO / "bench" / "gpu-check", "--download", tmp_path], capture_output=True, text=True,
                            timeout=600, env=os.environ | {"PYTHON": sys.executable, "PIP_RETRIES": "1"})
    if result.returncode != 0 and any(error in result.stderr for error in NETWORK_ERRORS):
        pytest.skip(f"PyPI cannot be reached: {result.stderr.strip().splitlines()[-1]}")
    assert result.returncode == 0, result.stderr[-3000:]
    wheels = {canonicalize_name(parse_wheel_filename(path.name)[0]): path for path in tmp_path.glob("*.whl")}
    versions = {name: str(parse_wheel_filename(path.name)[1]) for name, path in wheels.items()}
    assert {"diffusers", "pydantic", "pydantic-core", "pydantic-settings", "ruamel-yaml", "av"} <= set(wheels)
    assert not {"torch", "transformers", "numpy", "pillow"} & set(wheels)  # the GPU machine's own
    assert versions == {name: metadata.version(name) for name in wheels}  # as requirements.txt resolved here
    unmet = [f"{name} {versions[name]} requires {need}, got {need.name} {versions[canonicalize_name(need.name)]}"
             for name, path in wheels.items() for need in _requires(path)
             if canonicalize_name(need.name) in wheels and (need.marker is None or need.marker.evaluate(TARGET))
             and not need.specifier.contains(versions[canonicalize_name(need.name)], prereleases=True)]
    assert unmet == []  # pydantic's pydantic-core==X is the pydantic-core downloaded, and so on
    assert sum(path.stat().st_size for path in wheels.values()) < 64 * 2**20
