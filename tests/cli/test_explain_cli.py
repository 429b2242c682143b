"""``backprop-lens explain``: the derivation of one iteration, headless.

Expected numbers are the seed 003 tutorial's (to their printed precision) and
the 12-digit values of shared/seeds/README.md, never the command's own output.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli import main
from resources import preset_path

PRESET = str(preset_path("step-by-step-2-2-2.json"))

# One number of each step of seed 003, as the page prints them.
SEED_003 = [
    "0.3775",
    "0.593269992",
    "1.105905967",
    "0.75136507",
    "0.274811083",
    "0.298371109",
    "0.74136507",
    "0.186815602",
    "0.082167041",
    "0.13849856",
    "-0.03809824",
    "0.036350307",
    "0.241300709",
    "0.000438568",
    "0.008771354",
    "0.35891648",
    "0.51130127",
    "0.149780716",
    "0.29950229",
]
# shared/seeds/README.md: W1 after one update, which iteration 1 starts from.
README_W1_AFTER = ["0.149780716133", "0.199561432266", "0.249751143632", "0.299502287265"]

_NUMBER = re.compile(r"[−-]?\d+\.\d+")


def _numbers(text: str) -> list[float]:
    return [float(m.replace("−", "-")) for m in _NUMBER.findall(text)]


def _shows(numbers: list[float], printed: str) -> bool:
    tolerance = 1.5 * 10.0 ** -len(printed.split(".")[1])
    return any(abs(n - float(printed)) <= tolerance for n in numbers)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_explain_prints_every_step_of_seed_003(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    code, out, err = _run(capsys, "explain", PRESET, "--format", fmt, "--digits", "12")
    assert (code, err) == (0, "")
    numbers = _numbers(out)
    assert [p for p in SEED_003 if not _shows(numbers, p)] == []
    for heading in ("Forward 1", "Forward 2", "Loss", "Backward 2", "Backward 1", "Update"):
        assert heading in out


def test_explain_text_is_the_tutorial_layout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "explain", PRESET)
    assert code == 0
    assert (
        "∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5\n"
        "       = 0.74136507 × 0.186815602 × 0.593269992\n"
        "       = 0.0821670406\n"
    ) in out
    assert "E = E_o1 + E_o2\n  = 0.274811083 + 0.0235600256\n  = 0.298371109\n" in out


def test_explain_digits_sets_the_significant_digits(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "explain", PRESET, "--digits", "4", "--step", "backward-2")
    assert "= 0.7414 × 0.1868 × 0.5933\n" in out
    assert "0.74136507" not in out


def test_explain_iteration_is_zero_based_and_chains_the_updates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys, "explain", PRESET, "--iteration", "1", "--step", "forward-1", "--digits", "12"
    )
    assert code == 0
    # Read as the window counts (its second iteration is "Iteration 2"), with trace's index.
    assert "iteration 2 (index 1)" in out.splitlines()[0]
    numbers = _numbers(out)
    assert [p for p in README_W1_AFTER if not _shows(numbers, p)] == []
    assert "0.15 × 0.05" not in out  # iteration 0's w1 is gone


def test_explain_vector_notation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "explain", PRESET, "--notation", "vector", "--digits", "12")
    assert code == 0
    assert "dW[2] = dZ[2]·A[1]ᵀ" in out
    numbers = _numbers(out)
    assert [p for p in ("0.082167041", "0.000438568", "0.35891648") if not _shows(numbers, p)] == []


def test_explain_latex_is_a_standalone_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(capsys, "explain", PRESET, "--format", "latex")
    assert code == 0
    assert out.startswith("\\documentclass{article}")
    assert "\\usepackage{amsmath}" in out and "\\begin{align*}" in out
    assert out.rstrip().endswith("\\end{document}")
    assert out.isascii()
    assert out.count("\\begin{") == out.count("\\end{")
    unescaped = out.replace("\\{", "").replace("\\}", "")
    assert unescaped.count("{") == unescaped.count("}")
    if shutil.which("pdflatex") is None:
        return  # the structure above is what can be checked without TeX
    (tmp_path / "explain.tex").write_text(out, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "explain.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "explain.pdf").exists()


def _exploding(tmp_path: Path) -> str:
    """One linear neuron, ½ (y − t)², rate 1000: y grows ×1999 per iteration."""
    doc: dict[str, Any] = {
        "format": "backprop-lens.network",
        "version": 1,
        "name": "explodes",
        "layers": [{"size": 1}, {"size": 1, "activation": "linear"}],
        "weights": [[[1.0]]],
        "biases": [[0.0]],
        "loss": {"kind": "squared_error"},
        "optimizer": {"kind": "sgd", "learning_rate": 1000.0},
        "data": {"inputs": [[1.0]], "targets": [[0.0]]},
    }
    path = tmp_path / "explodes.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _diverges_at() -> int:
    """By hand: the first iteration whose loss or new parameters are not finite."""
    w, b = 1.0, 0.0
    for i in range(1000):
        y = w + b
        loss = 0.5 * y * y
        w, b = w - 1000.0 * y, b - 1000.0 * y
        if not all(abs(v) < float("inf") for v in (loss, w, b)):
            return i
    raise AssertionError("never diverged")


def test_explain_after_divergence_names_the_iteration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _exploding(tmp_path)
    at = _diverges_at()
    code, out, err = _run(capsys, "explain", path, "--iteration", str(at + 3))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert f"iteration {at + 1} (index {at})" in err
    # The iteration that diverges is itself explained, and says so.
    code, out, err = _run(capsys, "explain", path, "--iteration", str(at))
    assert code == 0 and "diverged" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["explain"],
        ["explain", PRESET, "--iteration", "-1"],
        ["explain", PRESET, "--iteration", "x"],
        ["explain", PRESET, "--digits", "0"],
        ["explain", PRESET, "--format", "rtf"],
        ["explain", PRESET, "--notation", "tensor"],
        ["explain", PRESET, "--step", "backward-3"],
        ["explain", "no-such-file.json"],
    ],
)
def test_explain_bad_input_is_one_error_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_explain_help_says_iterations_are_zero_based(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    out = capsys.readouterr().out
    assert "0-based" in out


def test_explain_counts_iterations_from_one_as_the_window_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "explain", PRESET, "--step", "loss")
    assert code == 0
    title = out.splitlines()[0]
    assert title.endswith("iteration 1 (index 0), step loss")
    assert "iteration 0" not in out


def test_explain_does_not_import_qt(tmp_path: Path) -> None:
    program = (
        "import sys, io\n"
        "from cli import main\n"
        "sys.stdout = io.StringIO()\n"
        f"code = main(['explain', {PRESET!r}, '--format', 'latex'])\n"
        "sys.stdout = sys.__stdout__\n"
        "qt_packages = ('PySide6', 'shiboken6', 'pyqtgraph')\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in qt_packages)\n"
        "print(code, qt, file=sys.stderr)\n"
        "sys.exit(1 if qt or code else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "0 []"
