"""``trace``, ``train`` and ``explain`` work where PySide6 cannot be imported.

Each runs twice in a fresh process: normally (``python -m cli``), and behind a
meta-path finder that makes importing PySide6, shiboken6 or pyqtgraph raise
ImportError, as on a machine without them. Exit status, stdout, stderr and the
written file must be the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resources import preset_path

PRESET = str(preset_path("step-by-step-2-2-2.json"))
XOR = str(preset_path("xor-2-2-1.json"))
REPO = Path(__file__).resolve().parents[2]

BLOCK_QT = """
import sys

class BlockQt:
    BLOCKED = ("PySide6", "shiboken6", "pyqtgraph")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise ImportError(f"{name} is blocked by the test (no Qt here)")
        return None

sys.meta_path.insert(0, BlockQt())
"""
RUN_CLI = BLOCK_QT + "from cli import main\nsys.exit(main(sys.argv[1:]))\n"


def _run(blocked: bool, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    python = [sys.executable, "-c", RUN_CLI] if blocked else [sys.executable, "-m", "cli"]
    return subprocess.run([*python, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_the_blocker_makes_importing_qt_fail(tmp_path: Path) -> None:
    probe = BLOCK_QT + (
        "for name in ('PySide6.QtCore', 'PySide6', 'shiboken6', 'pyqtgraph'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        print('blocked', name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "blocked PySide6.QtCore",
        "blocked PySide6",
        "blocked shiboken6",
        "blocked pyqtgraph",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("trace", PRESET, "--iterations", "3"),
        ("trace", XOR, "--iterations", "2"),
        ("explain", PRESET, "--step", "backward-1"),
        ("trace", str(REPO / "no-such-file.json")),  # the error line too
    ],
    ids=["trace", "trace-xor", "explain", "trace-missing-file"],
)
def test_a_headless_command_prints_the_same_without_qt(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    normal = _run(False, *args, cwd=tmp_path)
    blocked = _run(True, *args, cwd=tmp_path)
    assert normal.stdout or normal.stderr
    assert (blocked.returncode, blocked.stdout, blocked.stderr) == (
        normal.returncode,
        normal.stdout,
        normal.stderr,
    )


def test_train_saves_the_same_network_without_qt(tmp_path: Path) -> None:
    results = []
    for blocked in (False, True):
        out = tmp_path / f"trained-{blocked}.json"
        result = _run(
            blocked, "train", PRESET, "--iterations", "200", "--out", str(out), cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        results.append((result.stdout, result.stderr, out.read_bytes()))
    assert results[0][0].startswith('{"iterations": 200, ')
    assert results[1] == results[0]


def test_export_needs_qt_and_says_so_in_one_line(tmp_path: Path) -> None:
    """The window and export are the commands that import Qt; blocked, export fails cleanly."""
    result = _run(True, "export", PRESET, "--out", str(tmp_path / "slides"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: internal error: ImportError: PySide6")
    assert len(result.stderr.splitlines()) == 1
