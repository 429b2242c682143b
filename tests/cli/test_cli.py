"""The headless ``backprop-lens trace`` and ``train`` commands (spec, "Command line").

Most tests call cli.main in-process (fast); a few run the installed command
in a real process, where exit status, stderr and imported modules are the real ones.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cli import main
from engine.fileformat import load_network
from resources import preset_path

PRESET = str(preset_path("step-by-step-2-2-2.json"))
SCRIPT = Path(sys.executable).with_name("backprop-lens")

SEED_LOSS = 0.298371108760
SEED_W2_AFTER = [[0.358916479718, 0.408666186076], [0.511301270239, 0.561370121108]]
SEED_W1_AFTER = [[0.149780716133, 0.199561432266], [0.249751143632, 0.299502287265]]


def _strict_json(text: str) -> Any:
    """JSON as the spec has it: NaN and Infinity are not numbers."""

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in the output")

    return json.loads(text, parse_constant=refuse)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _preset_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(Path(PRESET).read_text(encoding="utf-8"))
    return doc


def _exploding_doc() -> dict[str, Any]:
    """One linear neuron, ½ (y − t)², rate 1000: y grows ×1999 per iteration."""
    return {
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


def _exploding_by_hand() -> int:
    """Index of the first iteration whose loss or new parameters are not finite."""
    w, b = 1.0, 0.0
    for i in range(10_000):
        y = w + b
        loss = 0.5 * y * y
        w, b = w - 1000.0 * y, b - 1000.0 * y
        if not (math.isfinite(loss) and math.isfinite(w) and math.isfinite(b)):
            return i
    raise AssertionError("never diverged")


def _seed_loss(weights: list[Any], biases: list[Any]) -> float:
    """½ Σ (y − t)² of the seed 003 sample for given parameters, written out."""
    a = np.array([0.05, 0.10])
    for w, b in zip(weights, biases, strict=True):
        a = 1.0 / (1.0 + np.exp(-(np.array(w) @ a + np.array(b))))
    return float(0.5 * np.sum((a - np.array([0.01, 0.99])) ** 2))


# -- trace -------------------------------------------------------------------------


def test_trace_of_the_seed_003_preset_prints_the_tutorial_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "trace", PRESET)
    assert code == 0
    assert err == ""
    doc = _strict_json(out)
    assert out.endswith("\n") and out.count("\n") == 1  # one JSON object
    [entry] = doc["iterations"]
    assert entry["index"] == 0
    assert entry["loss"] == pytest.approx(SEED_LOSS, abs=1e-12)
    input_layer, hidden, output = entry["layers"]
    assert input_layer == {"a": [[0.05, 0.10]]}
    assert hidden["z"][0] == pytest.approx([0.3775, 0.3925], abs=1e-9)
    assert hidden["a"][0] == pytest.approx([0.593269992, 0.596884378], abs=1e-9)
    assert output["z"][0] == pytest.approx([1.105905967, 1.224921404], abs=1e-9)
    assert output["a"][0] == pytest.approx([0.75136507, 0.772928465], abs=1e-8)
    assert output["delta"][0] == pytest.approx([0.13849856185, -0.03809823661], abs=1e-9)
    assert hidden["delta"][0] == pytest.approx([0.008771354, 0.00995425455], abs=1e-9)
    assert output["grad_weights"][0] == pytest.approx([0.082167041, 0.082667628], abs=1e-9)
    assert output["grad_weights"][1] == pytest.approx([-0.022602541, -0.022740242], abs=1e-9)
    assert hidden["grad_weights"][0] == pytest.approx([0.000438568, 0.0008771354], abs=1e-9)
    assert hidden["grad_weights"][1] == pytest.approx([0.0004977127, 0.000995425455], abs=1e-9)
    assert output["grad_biases"] == pytest.approx([0.13849856185, -0.03809823661], abs=1e-9)
    w1, w2 = entry["weights_after"]
    np.testing.assert_allclose(w1, SEED_W1_AFTER, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w2, SEED_W2_AFTER, rtol=0, atol=1e-12)
    b1, b2 = entry["biases_after"]
    assert b1 == pytest.approx([0.35 - 0.5 * 0.008771354, 0.35 - 0.5 * 0.00995425455], abs=1e-9)
    assert b2 == pytest.approx([0.60 - 0.5 * 0.13849856185, 0.60 + 0.5 * 0.03809823661], abs=1e-9)
    assert "diverged" not in entry


def test_trace_values_have_one_row_per_sample_and_the_weights_shapes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = _preset_doc()
    doc["layers"] = [
        {"size": 2},
        {"size": 3, "activation": "tanh"},
        {"size": 4, "activation": "relu"},
        {"size": 2, "activation": "sigmoid"},
    ]
    rng = np.random.default_rng(0)
    doc["weights"] = [rng.uniform(-1, 1, (o, i)).tolist() for i, o in ((2, 3), (3, 4), (4, 2))]
    doc["biases"] = [[0.1] * 3, [0.1] * 4, [0.1] * 2]
    doc["data"] = {
        "inputs": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
        "targets": [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]],
    }
    doc["optimizer"]["batch_size"] = 2
    code, out, _ = _run(capsys, "trace", _write(tmp_path / "deep.json", doc), "--iterations", "2")
    assert code == 0
    first, second = _strict_json(out)["iterations"]
    # Batches of 2 from 3 rows: rows 0, 1 then rows 2, 0.
    assert first["layers"][0]["a"] == [[0.1, 0.2], [0.3, 0.4]]
    assert second["layers"][0]["a"] == [[0.5, 0.6], [0.1, 0.2]]
    sizes = (2, 3, 4, 2)
    for entry in (first, second):
        assert set(entry["layers"][0]) == {"a"}
        for l in (1, 2, 3):
            layer = entry["layers"][l]
            for key in ("z", "a", "delta"):
                assert np.shape(layer[key]) == (2, sizes[l]), key
            assert np.shape(layer["grad_weights"]) == (sizes[l], sizes[l - 1])
            assert np.shape(layer["grad_biases"]) == (sizes[l],)
            assert np.shape(entry["weights_after"][l - 1]) == (sizes[l], sizes[l - 1])
            assert np.shape(entry["biases_after"][l - 1]) == (sizes[l],)


def test_trace_iterations_chain_each_from_the_previous_update(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "trace", PRESET, "--iterations", "4")
    assert code == 0
    entries = _strict_json(out)["iterations"]
    assert [e["index"] for e in entries] == [0, 1, 2, 3]
    for before, after in zip(entries[:-1], entries[1:], strict=True):
        # The loss printed for an iteration is the loss of the previous one's new parameters.
        expected = _seed_loss(before["weights_after"], before["biases_after"])
        assert after["loss"] == pytest.approx(expected, rel=1e-12)
        assert after["loss"] < before["loss"]
        w1 = np.array(before["weights_after"][0])
        b1 = np.array(before["biases_after"][0])
        z = w1 @ np.array([0.05, 0.10]) + b1
        assert after["layers"][1]["z"][0] == pytest.approx(z.tolist(), rel=1e-12)


def test_trace_of_a_diverging_network_ends_with_the_diverged_iteration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path / "explodes.json", _exploding_doc())
    code, out, err = _run(capsys, "trace", path, "--iterations", "1000")
    assert code == 0
    assert err == ""
    entries = _strict_json(out)["iterations"]
    expected_at = _exploding_by_hand()
    assert len(entries) == expected_at + 1
    assert entries[-1]["index"] == expected_at
    assert entries[-1]["diverged"] is True
    assert all("diverged" not in e for e in entries[:-1])
    # ½ y² overflowed; JSON has no Infinity, so the loss is printed as null.
    assert entries[-1]["loss"] is None
    assert all(math.isfinite(e["loss"]) for e in entries[:-1])


def test_trace_stops_at_the_requested_count_before_divergence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path / "explodes.json", _exploding_doc())
    code, out, _ = _run(capsys, "trace", path, "--iterations", "3")
    assert code == 0
    entries = _strict_json(out)["iterations"]
    # y = w + b with w, b −= 1000 y each: y becomes y (1 − 2000); loss ½ y².
    assert [e["loss"] for e in entries] == pytest.approx([0.5, 0.5 * 1999.0**2, 0.5 * 1999.0**4])


# -- errors ------------------------------------------------------------------------


def _bad_file(tmp_path: Path) -> str:
    doc = _preset_doc()
    doc["weights"][1][0] = [0.4, 0.45, 0.47]
    return _write(tmp_path / "bad.json", doc)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["trace", "{missing}"], "cannot read the file: No such file or directory"),
        (["trace", "{bad}"], "weights[1][0]: expected 2 numbers, got 3"),
        (["train", "{bad}", "--iterations", "5"], "weights[1][0]: expected 2 numbers, got 3"),
        (["trace", "{notjson}"], "not valid JSON: Expecting value (line 1, column 1)"),
        (["trace"], "the following arguments are required: FILE"),
        (["trace", "{preset}", "--iterations", "0"], "argument --iterations"),
        (["trace", "{preset}", "--iterations", "many"], "argument --iterations"),
        (["trace", "{preset}", "--iterations", "-2"], "argument --iterations"),
        (["trace", "{preset}", "--bogus"], "unrecognized arguments: --bogus"),
        (["train", "{preset}"], "the following arguments are required: --iterations"),
        (["train", "{preset}", "--iterations", "0"], "argument --iterations"),
    ],
    ids=[
        "missing file",
        "malformed file",
        "malformed file for train",
        "not json",
        "no file",
        "zero iterations",
        "iterations not a number",
        "negative iterations",
        "unknown option",
        "train without iterations",
        "train zero iterations",
    ],
)
def test_bad_file_or_arguments_exit_2_with_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    (tmp_path / "notjson.json").write_text("hello", encoding="utf-8")
    names = {
        "missing": str(tmp_path / "missing.json"),
        "bad": _bad_file(tmp_path),
        "notjson": str(tmp_path / "notjson.json"),
        "preset": PRESET,
    }
    code, out, err = _run(capsys, *(arg.format(**names) for arg in argv))
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.endswith("\n") and err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_a_bad_file_in_a_real_process_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), "trace", _bad_file(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.rstrip("\n").endswith("weights[1][0]: expected 2 numbers, got 3")
    assert "Traceback" not in result.stderr


# -- real processes ----------------------------------------------------------------


def test_installed_command_traces_the_preset(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), "trace", PRESET], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    [entry] = _strict_json(result.stdout)["iterations"]
    assert entry["loss"] == pytest.approx(SEED_LOSS, abs=1e-12)
    np.testing.assert_allclose(entry["weights_after"][1], SEED_W2_AFTER, rtol=0, atol=1e-12)


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"backprop-lens {metadata.version('backprop-lens')}\n", "")


@pytest.mark.parametrize("package", ["cli", "gui"])
def test_python_dash_m_prints_the_version(tmp_path: Path, package: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", package, "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"backprop-lens {metadata.version('backprop-lens')}\n"


def test_python_dash_m_gui_trains_the_preset(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gui", "train", PRESET, "--iterations", "3"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no progress bar
    summary = _strict_json(result.stdout)
    assert summary["iterations"] == 3
    assert summary["loss_first"] == pytest.approx(SEED_LOSS, abs=1e-12)


def test_trace_and_train_do_not_import_qt(tmp_path: Path) -> None:
    out = tmp_path / "trained.json"
    program = (
        "import sys\n"
        "from cli import main\n"
        f"assert main(['trace', {PRESET!r}, '--iterations', '2']) == 0\n"
        f"assert main(['train', {PRESET!r}, '--iterations', '5', '--out', {str(out)!r}]) == 0\n"
        "qt_packages = ('PySide6', 'shiboken6', 'pyqtgraph')\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in qt_packages)\n"
        "print(qt, file=sys.stderr)\n"
        "sys.exit(1 if qt else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"
    assert out.exists()


# -- train -------------------------------------------------------------------------


def test_train_prints_a_summary_of_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "train", PRESET, "--iterations", "50")
    assert code == 0
    assert err == ""  # capsys' stderr is not a terminal: no progress bar
    summary = _strict_json(out)
    assert list(summary) == ["iterations", "loss_first", "loss_last", "diverged"]
    assert summary["iterations"] == 50
    assert summary["loss_first"] == pytest.approx(SEED_LOSS, abs=1e-12)
    assert summary["loss_last"] < summary["loss_first"]
    assert summary["diverged"] is False


def test_train_writes_the_trained_network_that_loads_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "trained.json"
    code, out, _ = _run(capsys, "train", PRESET, "--iterations", "1", "--out", str(out_path))
    assert code == 0
    trained = load_network(out_path)
    np.testing.assert_allclose(trained.weights[0], SEED_W1_AFTER, rtol=0, atol=1e-12)
    np.testing.assert_allclose(trained.weights[1], SEED_W2_AFTER, rtol=0, atol=1e-12)
    assert trained.name == "Step-by-step example 2-2-2"
    assert trained.layers == load_network(PRESET).layers
    assert (
        _seed_loss([w.tolist() for w in trained.weights], [b.tolist() for b in trained.biases])
        < SEED_LOSS
    )


def test_training_the_output_further_continues_the_loss_curve(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    halfway = tmp_path / "halfway.json"
    _run(capsys, "train", PRESET, "--iterations", "20", "--out", str(halfway))
    code, out, _ = _run(capsys, "train", str(halfway), "--iterations", "20")
    assert code == 0
    continued = _strict_json(out)
    code, out, _ = _run(capsys, "train", PRESET, "--iterations", "40")
    straight = _strict_json(out)
    code, out, _ = _run(capsys, "train", PRESET, "--iterations", "21")
    twenty_first = _strict_json(out)
    # Iteration 21's loss is the loss of the parameters after 20 updates.
    assert continued["loss_first"] == twenty_first["loss_last"]
    assert continued["loss_last"] == pytest.approx(straight["loss_last"], rel=1e-13)
    assert continued["loss_first"] < twenty_first["loss_first"]


def test_train_of_a_diverging_network_reports_it_and_saves_the_last_finite_weights(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "last-finite.json"
    path = _write(tmp_path / "explodes.json", _exploding_doc())
    code, out, err = _run(capsys, "train", path, "--iterations", "1000", "--out", str(out_path))
    assert code == 0
    assert err == ""
    summary = _strict_json(out)
    expected_at = _exploding_by_hand()
    assert summary["diverged"] is True
    assert summary["diverged_at"] == expected_at
    assert summary["iterations"] == expected_at + 1
    assert summary["loss_first"] == 0.5
    assert load_network(out_path).parameters_finite()


def test_train_to_a_missing_folder_fails_before_training(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "folder" / "out.json"
    code, out, err = _run(capsys, "train", PRESET, "--iterations", "5", "--out", str(target))
    assert code == 2
    assert out == ""
    assert err.startswith("error: --out: ") and err.count("\n") == 1
    assert "does not exist" in err
    assert not target.parent.exists()


def test_train_onto_a_folder_fails_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, out, err = _run(capsys, "train", PRESET, "--iterations", "5", "--out", str(folder))
    assert code == 2
    assert out == ""
    assert err.startswith("error: --out: cannot write ") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == [folder]  # no temporary file left beside it
    assert list(folder.iterdir()) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_train_shows_a_progress_bar_only_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", PRESET, "--iterations", "400"]) == 0
    assert "400/400" in terminal.getvalue()
    assert _strict_json(capsys.readouterr().out)["iterations"] == 400


def test_train_without_a_terminal_writes_nothing_on_stderr(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), "train", PRESET, "--iterations", "2000"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "TERM": "xterm"},
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert _strict_json(result.stdout)["iterations"] == 2000
