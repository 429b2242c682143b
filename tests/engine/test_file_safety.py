"""Files that load can be saved again and drawn; the loader never hangs or blows up;
saving never loses work or leaves litter (issue 8: D4, D5, D10, D12, D13, D19).

Every case goes through the real loader (load_network on a file on disk) or the
real saver (save_network), as the window's Open/Save and the command line do.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from engine import fileio
from engine.fileformat import MAX_FILE_BYTES, NetworkFileError, load_network, save_network
from resources import preset_path

XOR = preset_path("xor-2-4-1.json")
ROOT = Path(__file__).resolve().parents[2]


def _xor_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(XOR.read_text(encoding="utf-8"))
    return doc


def _write_text(path: Path, text: str) -> Path:
    # surrogatepass: the file holds what a JSON "\ud800" escape decodes to, as json does.
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def _refused(path: Path) -> str:
    with pytest.raises(NetworkFileError) as caught:
        load_network(path)
    return str(caught.value)


# -- D4: whatever opens can be saved ------------------------------------------------


@pytest.mark.parametrize(
    ("where", "fragment", "expected"),
    [
        ("layout", '"layout": {"zoom": 1e999}', "layout.zoom: expected a finite number, got inf"),
        (
            "layout position",
            '"layout": {"positions": {"h1": [1e999, 0]}}',
            "layout.positions.h1[0]: expected a finite number, got inf",
        ),
        (
            "unknown key",
            '"layout": {}, "note": [1e400]',
            "note[0]: expected a finite number, got inf",
        ),
        (
            "unknown key, negative",
            '"layout": {}, "x-teacher": {"score": -1e999}',
            "x-teacher.score: expected a finite number, got -inf",
        ),
    ],
)
def test_infinity_from_1e999_outside_the_numbers_is_refused_at_open_with_its_key_path(
    tmp_path: Path, where: str, fragment: str, expected: str
) -> None:
    text = XOR.read_text(encoding="utf-8").replace('"layout": {}', fragment)
    assert _refused(_write_text(tmp_path / "net.json", text)) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected_path"),
    [
        ('"XOR 2-4-1"', '"XOR \\ud800"', "name"),
        ('"x1"', '"\\udfff"', "layers[0].labels[0]"),
        ('"layout": {}', '"layout": {"note": "a\\ud83d"}', "layout.note"),
        ('"layout": {}', '"layout": {}, "x-notes": ["\\ud800"]', "x-notes[0]"),
        ('"layout": {}', '"layout": {"\\ud800": 1}', 'layout["\\ud800"]'),
    ],
    ids=["name", "label", "layout text", "unknown key text", "layout key"],
)
def test_a_lone_surrogate_in_any_text_is_refused_at_open(
    tmp_path: Path, old: str, new: str, expected_path: str
) -> None:
    text = XOR.read_text(encoding="utf-8").replace(old, new, 1)
    message = _refused(_write_text(tmp_path / "net.json", text))
    assert message.startswith(expected_path + ": ")
    assert "lone UTF-16 surrogate" in message
    message.encode("ascii")  # printable on any terminal


def test_a_lone_surrogate_in_the_description_is_refused_at_open(tmp_path: Path) -> None:
    doc = _xor_doc()
    text = json.dumps(doc).replace('"description": "', '"description": "\\ud800', 1)
    message = _refused(_write_text(tmp_path / "net.json", text))
    assert (
        message == "description: not valid text: a lone UTF-16 surrogate (\\ud800) at character 1"
    )


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_a_deep_layout_is_refused_at_open_not_at_save(tmp_path: Path) -> None:
    # 950 deep in the issue (see tests/cli); under pytest's deeper stack json itself
    # gives up earlier, so 300 here.
    text = XOR.read_text(encoding="utf-8").replace('"layout": {}', f'"layout": {_nested(300)}')
    message = _refused(_write_text(tmp_path / "net.json", text))
    assert message.endswith(": nested more than 64 levels deep")
    assert message.startswith("layout.a.a.a")
    assert len(message) < 300


def test_a_950_deep_layout_is_refused_at_open_in_a_fresh_process(tmp_path: Path) -> None:
    text = XOR.read_text(encoding="utf-8").replace('"layout": {}', f'"layout": {_nested(950)}')
    path = _write_text(tmp_path / "net.json", text)
    code = (
        "import sys; from engine.fileformat import load_network, NetworkFileError\n"
        "try:\n    load_network(sys.argv[1])\nexcept NetworkFileError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.stdout.endswith(": nested more than 64 levels deep\n")
    assert result.stderr == ""


def test_nesting_up_to_the_limit_opens_and_saves_again(tmp_path: Path) -> None:
    # The document is level 0, "layout" level 1: 63 more objects fit.
    text = XOR.read_text(encoding="utf-8").replace('"layout": {}', f'"layout": {_nested(63)}')
    network = load_network(_write_text(tmp_path / "net.json", text))
    save_network(network, tmp_path / "again.json")
    assert load_network(tmp_path / "again.json").layout == network.layout


def test_big_integers_and_plain_values_in_unknown_keys_are_kept_and_saved(tmp_path: Path) -> None:
    doc = _xor_doc()
    doc["x-kept"] = {"big": 10**400, "list": [1, 2.5, None, True, "ok ✓"], "empty": {}}
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    save_network(load_network(path), tmp_path / "again.json")
    assert (
        json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))["x-kept"]
        == (doc["x-kept"])
    )


def test_saving_a_label_json_cannot_encode_is_refused_before_touching_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "net.json"
    path.write_text("old contents", encoding="utf-8")
    network = load_network(XOR)
    broken = network.replace(name="bad \ud800")
    with pytest.raises(NetworkFileError, match="cannot save: .*not valid text"):
        save_network(broken, path)
    deep: dict[str, Any] = {}
    for _ in range(900):
        deep = {"a": deep}
    with pytest.raises(NetworkFileError, match="cannot save: layout.a.a.*nested more than 64"):
        save_network(network.replace(layout=deep), path)
    assert path.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


# -- D5: the layout the diagram reads is drawable ----------------------------------


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ('{"0:0": {"x": 1, "y": 2}}', "layout.positions.0:0: expected [x, y], got an object"),
        ('{"0:0": [1' + "0" * 400 + ", 0]}", "layout.positions.0:0[0]: expected a finite number, "),
        ('{"0:0": [1, 2, 3]}', "layout.positions.0:0: expected [x, y], got 3 items"),
        ('{"0:0": [1]}', "layout.positions.0:0: expected [x, y], got 1 items"),
        ('{"0:0": ["1", 2]}', 'layout.positions.0:0[0]: expected a number, got "1"'),
        ('{"0:0": [true, 2]}', "layout.positions.0:0[0]: expected a number, got true"),
        ('{"1:2": [0, 2e6]}', "layout.positions.1:2[1]: expected a number from −1e+06 to "),
        ('{"0:0": 5}', "layout.positions.0:0: expected [x, y], got 5"),
        ("[[1, 2]]", "layout.positions: expected an object, got a list"),
    ],
    ids=[
        "object",
        "400-digit int",
        "three numbers",
        "one number",
        "text",
        "bool",
        "too far",
        "number",
        "list",
    ],
)
def test_an_odd_layout_position_is_refused_at_open_with_its_key_path(
    tmp_path: Path, positions: str, expected: str
) -> None:
    text = XOR.read_text(encoding="utf-8").replace(
        '"layout": {}', f'"layout": {{"positions": {positions}}}'
    )
    assert _refused(_write_text(tmp_path / "net.json", text)).startswith(expected)


def test_layout_positions_within_a_million_load_as_written(tmp_path: Path) -> None:
    doc = _xor_doc()
    doc["layout"] = {"positions": {"0:0": [-1e6, 1e6], "1:3": [12.5, -7]}, "zoom": 2}
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_network(path).layout["positions"] == doc["layout"]["positions"]


# -- D10: only regular files of a sane size are read --------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_at_once_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    # In a child process with a timeout: the old loader blocked forever here.
    code = (
        "import sys; from engine.fileformat import load_network, NetworkFileError\n"
        "try:\n    load_network(sys.argv[1])\nexcept NetworkFileError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(fifo)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert result.stdout == "cannot read the file: it is a FIFO (named pipe), not a network file\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_without_reading_it() -> None:
    assert _refused(Path("/dev/zero")) == (
        "cannot read the file: it is a device, not a network file"
    )


def test_a_file_larger_than_64_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    assert _refused(path) == (
        "cannot read the file: it is larger than 64 MB (network files are at most that size)"
    )


def test_a_nul_in_the_file_name_is_a_clear_error(tmp_path: Path) -> None:
    assert _refused(tmp_path / "a\0b.json") == (
        "cannot read the file: the file name contains a NUL character"
    )
    with pytest.raises(NetworkFileError) as caught:
        save_network(load_network(XOR), tmp_path / "a\0b.json")
    assert str(caught.value) == "cannot save: the file name contains a NUL character"


# -- D19: BOM and long values ----------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted_and_not_written_back(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + XOR.read_bytes())
    network = load_network(path)
    assert network.name == "XOR 2-4-1"
    save_network(network, path)
    assert path.read_bytes()[:1] == b"{"


def test_an_error_quotes_at_most_200_characters_of_the_offending_value(tmp_path: Path) -> None:
    doc = _xor_doc()
    doc["layers"][1]["activation"] = "Ω" * 60_000
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    message = _refused(path)
    assert message.startswith('layers[1].activation: unknown activation "ΩΩΩ')
    assert "Ω…" in message
    assert len(message) < 350


def test_a_huge_unknown_key_name_is_cut_in_the_message(tmp_path: Path) -> None:
    doc = _xor_doc()
    doc["loss"]["k" * 50_000] = 1
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    message = _refused(path)
    assert "…" in message and "unknown key" in message
    assert len(message) < 400


def test_a_4000_digit_integer_is_described_not_echoed(tmp_path: Path) -> None:
    doc = _xor_doc()
    doc["layers"][1]["size"] = -(10**4000)
    path = tmp_path / "digits.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _refused(path) == "layers[1].size: expected a whole number ≥ 1, got a 4001-digit integer"


# -- D12: temporary files of killed saves ----------------------------------------------

_KILLED_SAVE = textwrap.dedent(
    """
    import os, sys, time
    from engine.fileformat import load_network, save_network
    def hang(*args):
        print("writing", flush=True)
        time.sleep(60)
    os.replace = hang  # the process is killed between writing and renaming
    save_network(load_network(sys.argv[1]), sys.argv[2])
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill -9")
def test_the_temporary_file_of_a_killed_save_is_removed_by_the_next_save(tmp_path: Path) -> None:
    target = tmp_path / "net.json"
    save_network(load_network(XOR), target)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SAVE, str(XOR), str(target)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
    finally:
        child.kill()
        child.wait(timeout=30)
    stale = [p.name for p in tmp_path.iterdir() if p.name != "net.json"]
    assert len(stale) == 1 and stale[0].startswith(".net.json.") and stale[0].endswith(".tmp")
    # Look-alikes that are not this file's temporaries stay.
    keep = [".net.json.notours.tmp", ".other.json.abcd1234.tmp", "net.json.abcd1234.tmp"]
    for name in keep:
        (tmp_path / name).write_text("keep", encoding="utf-8")

    save_network(load_network(XOR), target)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["net.json", *keep])
    assert load_network(target).name == "XOR 2-4-1"


@pytest.mark.skipif(fileio.fcntl is None, reason="flock is POSIX")
def test_a_temporary_file_of_a_save_still_running_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "net.json"
    running = tmp_path / ".net.json.abcd_123.tmp"
    running.write_text("half written", encoding="utf-8")
    with running.open("rb") as handle:
        fileio.fcntl.flock(handle.fileno(), fileio.fcntl.LOCK_EX)  # as a live save holds it
        save_network(load_network(XOR), target)
        assert running.exists()
    save_network(load_network(XOR), target)
    assert not running.exists()


# -- D13: symlinks, read-only files ----------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
def test_saving_onto_a_symlink_writes_through_to_the_real_file(tmp_path: Path) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    real = folder / "real.json"
    real.write_bytes(XOR.read_bytes())
    link = tmp_path / "lecture.json"
    link.symlink_to(os.path.relpath(real, tmp_path))
    changed = load_network(link).replace(name="trained")

    save_network(changed, link)

    assert link.is_symlink()
    assert load_network(real).name == "trained"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture.json", "real"]
    assert sorted(p.name for p in folder.iterdir()) == ["real.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_bytes(XOR.read_bytes())
    path.chmod(0o444)
    try:
        with pytest.raises(NetworkFileError) as caught:
            save_network(load_network(XOR).replace(name="trained"), path)
        assert str(caught.value) == f"cannot save: {path} is read-only"
        assert path.read_bytes() == XOR.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
        assert [p.name for p in tmp_path.iterdir()] == ["net.json"]
    finally:
        path.chmod(0o644)


def test_saving_what_loading_would_refuse_is_refused_with_its_key_path(tmp_path: Path) -> None:
    # A network built in code, not through edits: the file would not open again.
    path = tmp_path / "net.json"
    path.write_text("old contents", encoding="utf-8")
    network = load_network(XOR)
    far = network.replace(layout={"positions": {"1:0": [5e6, 0.0]}})
    with pytest.raises(NetworkFileError) as caught:
        save_network(far, path)
    assert str(caught.value).startswith("cannot save: layout.positions.1:0[0]: expected a number")
    from engine.losses import LossSpec

    negative = network.replace(loss=LossSpec(kind="binary_cross_entropy"), targets=[[-1.0]] * 4)
    with pytest.raises(NetworkFileError) as caught:
        save_network(negative, path)
    assert str(caught.value) == (
        "cannot save: data.targets[0][0]: binary cross-entropy needs targets in [0, 1], got -1.0"
    )
    assert path.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_running_out_of_memory_while_reading_is_a_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(json, "loads", exhausted)
    assert _refused(XOR) == "cannot read the file: not enough memory"
