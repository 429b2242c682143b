"""Pictures for slides: `backprop-lens export`, `--screenshot` and starting without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

import resources
from cli import main

DEFAULT = str(resources.preset_path())
STEPS_2_2_2 = ["forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]


def test_export_writes_one_png_per_step_named_as_the_spec(qapp, tmp_path, capsys):  # type: ignore[no-untyped-def]
    assert main(["export", DEFAULT, "--out", str(tmp_path), "--size", "1280x720"]) == 0
    expected = [f"{k + 1:03d}-{key}.png" for k, key in enumerate(STEPS_2_2_2)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected + ["loss-curve.png"])
    images = [QImage(str(tmp_path / name)) for name in expected]
    assert all((image.width(), image.height()) == (2560, 1440) for image in images)  # at 2×
    # Every step shows something new.
    for before, after in zip(images, images[1:], strict=False):
        assert before != after
    assert capsys.readouterr().out == ""


def test_export_numbering_continues_across_iterations(qapp, tmp_path):  # type: ignore[no-untyped-def]
    assert main(["export", DEFAULT, "--out", str(tmp_path), "--iterations", "2"]) == 0
    names = sorted(p.name for p in tmp_path.glob("0*.png"))
    assert len(names) == 12
    assert names[6] == "007-forward-1.png"
    assert names[-1] == "012-update.png"


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_export_svg_and_pdf(qapp, tmp_path, fmt, magic):  # type: ignore[no-untyped-def]
    assert main(["export", DEFAULT, "--out", str(tmp_path), "--format", fmt]) == 0
    files = sorted(tmp_path.glob(f"*.{fmt}"))
    assert [f.name for f in files] == [
        f"{k + 1:03d}-{key}.{fmt}" for k, key in enumerate(STEPS_2_2_2)
    ]
    contents = [f.read_bytes() for f in files]
    assert all(c.startswith(magic) and len(c) > 5000 for c in contents)
    assert len(set(contents)) == len(contents)
    if fmt == "svg":
        assert b"0.593269992" in contents[0]  # the text stays text: h1 at forward 1


def test_export_of_a_bad_file_is_one_error_line(qapp, tmp_path, capsys):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-lens.network", "version": 2}')
    assert main(["export", str(bad), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("error: ")
    assert "version" in captured.err
    assert not (tmp_path / "out").exists()


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )


def test_screenshot_renders_the_window_at_a_step(tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = _run([DEFAULT, "--screenshot", str(out), "--step", "6"], env)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    assert "propagateSizeHints" not in result.stderr


def test_starting_without_a_display_says_so_in_one_line(tmp_path):  # type: ignore[no-untyped-def]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = _run([], env)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0]
    assert "backprop-lens export" in lines[0]
    assert "Traceback" not in result.stderr
