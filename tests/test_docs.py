"""The documentation keeps in step with the code.

- docs/network-file.md names every key the loader accepts (read from
  engine/fileformat.py itself, and from what it writes for every preset and a
  network using every optional key), every value of a closed set (activations,
  loss kinds, reductions), the limits, and every subcommand, option and choice
  of the ``backprop-lens`` command (read from its ``--help``, so no Qt window
  starts); its examples are what the code prints.
- Every relative link of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md
  points to a file inside the repository (and an anchor to a heading there).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import resources
from engine import edits, filechecks, fileformat, fileio, network
from engine.activations import ACTIVATION_NAMES
from engine.fileformat import load_network, network_to_dict, parse_network
from engine.losses import LOSS_KINDS, REDUCTIONS
from engine.network import OptimizerSpec

REPO = Path(__file__).resolve().parents[1]
FORMAT_DOC = REPO / "docs" / "network-file.md"
DOCS = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "docs").glob("*.md"))
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)

# Every key of format 1 as of this writing: a floor, so that an extraction from the
# code that silently finds nothing fails instead of passing.
FORMAT_1_KEYS = {
    "format", "version", "name", "description", "layers", "size", "activation", "labels",
    "weights", "biases", "loss", "kind", "scale", "outputs", "batch", "optimizer",
    "learning_rate", "momentum", "batch_size", "data", "inputs", "targets", "layout",
    "positions",
}  # fmt: skip


# -- reading the documents -------------------------------------------------------------


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block."""
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def prose(text: str) -> str:
    """The text outside fenced code blocks."""
    return FENCE.sub("", text)


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", prose(text))


def flat(text: str) -> str:
    """Whitespace collapsed, so a phrase wrapped across lines is still found."""
    return " ".join(text.split())


def word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


@pytest.fixture(scope="module")
def format_doc() -> str:
    return FORMAT_DOC.read_text(encoding="utf-8")


# -- (a) every key the loader accepts is documented --------------------------------------


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.Tuple, ast.List)):
        return {s for s in map(_string, node.elts) if s is not None}
    return set()


def fileformat_source_names() -> tuple[set[str], set[str]]:
    """(keys, closed-set values) that engine/fileformat.py reads and writes.

    Keys: KNOWN_KEYS, the allowed keys of ``_no_unknown_keys``, ``_require(obj, "k")``,
    ``obj.get("k")``, ``"k" in obj``, ``obj["k"]`` and the keys of dict literals (what
    saving writes). Values: the literal choices of ``_choice``. Only this module: its
    neighbours hold strings that are not keys (``"\\0" in name``)."""
    tree = ast.parse(Path(fileformat.__file__).read_text(encoding="utf-8"))
    keys: set[str] = set(fileformat.KNOWN_KEYS)
    values: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            args = node.args
            if name == "_no_unknown_keys" and len(args) >= 2:
                keys |= _strings(args[1])
            elif name == "_require" and len(args) >= 2 and _string(args[1]):
                keys.add(str(_string(args[1])))
            elif name == "get" and isinstance(func, ast.Attribute) and args and _string(args[0]):
                keys.add(str(_string(args[0])))
            elif name == "_choice" and len(args) >= 2:
                values |= _strings(args[1])
        elif isinstance(node, ast.Compare) and _string(node.left) is not None:
            if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                keys.add(str(_string(node.left)))
        elif isinstance(node, ast.Subscript) and _string(node.slice) is not None:
            keys.add(str(_string(node.slice)))
        elif isinstance(node, ast.Dict):
            keys |= {s for s in map(_string, node.keys) if s is not None}
    return keys, values


def network_using_every_optional_key() -> network.Network:
    base = load_network(resources.preset_path())
    return base.replace(
        description=base.description or "every optional key",
        optimizer=OptimizerSpec(learning_rate=0.5, momentum=0.9, batch_size=1),
        layout={"positions": {"0:0": [0.0, -60.0], "0:1": [0.0, 60.0]}},
    )


def _key_names(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            if f"{path}.{key}" != ".layout.positions":  # its keys are neurons, not format keys
                yield from _key_names(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from _key_names(child, path)


def saved_keys() -> set[str]:
    """Every key name in what saving writes for every preset and a network using every
    optional key (unknown keys a file brought along excluded)."""
    names: set[str] = set()
    for net in [load_network(p) for p in resources.preset_paths()] + [
        network_using_every_optional_key()
    ]:
        doc = network_to_dict(net)
        for key in net.extra:
            doc.pop(key, None)
        names |= set(_key_names(doc, ""))
    return names


def accepted_keys() -> set[str]:
    return fileformat_source_names()[0] | saved_keys()


def test_key_extraction_finds_every_key_of_format_1() -> None:
    assert accepted_keys() >= FORMAT_1_KEYS


@pytest.mark.parametrize("key", sorted(accepted_keys()))
def test_every_key_the_loader_accepts_is_documented(format_doc: str, key: str) -> None:
    spans = code_spans(format_doc)
    assert any(word(key).search(span) for span in spans), (
        f"docs/network-file.md never names the key {key!r} in `code`: document it"
    )


def closed_values() -> list[str]:
    values = set(fileformat_source_names()[1])
    values |= set(ACTIVATION_NAMES) | set(LOSS_KINDS) | set(REDUCTIONS) | {fileformat.FORMAT}
    return sorted(values)


@pytest.mark.parametrize("value", closed_values())
def test_every_allowed_value_is_documented(format_doc: str, value: str) -> None:
    assert any(word(value).search(span) for span in code_spans(format_doc)), (
        f"docs/network-file.md never names the value {value!r} in `code`"
    )


def limits() -> list[tuple[str, str]]:
    """(constant, how the document writes its value)."""
    return [
        ("fileio.MAX_FILE_BYTES", f"{fileio.MAX_FILE_BYTES // 2**20} MB"),
        ("filechecks.MAX_KEPT_DEPTH", f"{filechecks.MAX_KEPT_DEPTH} levels"),
        ("filechecks.MAX_ECHO", f"{filechecks.MAX_ECHO} characters"),
        ("fileformat.MAX_BATCH_SIZE", f"{fileformat.MAX_BATCH_SIZE:,}"),
        ("fileformat.MAX_POSITION", f"{int(fileformat.MAX_POSITION):,}"),
        ("network.MAX_BATCH_VALUES", f"{network.MAX_BATCH_VALUES:,}"),
        ("edits.MAX_NEURONS_PER_LAYER", f"{edits.MAX_NEURONS_PER_LAYER} neurons"),
        ("edits.MAX_LAYERS", f"{edits.MAX_LAYERS} layers"),
        ("edits.MAX_ROWS", f"{edits.MAX_ROWS:,} data rows"),
        ("edits.MAX_NAME_CHARS", f"name of {edits.MAX_NAME_CHARS} characters"),
        ("edits.MAX_DESCRIPTION_CHARS", f"{edits.MAX_DESCRIPTION_CHARS:,} characters"),
    ]


@pytest.mark.parametrize(("constant", "text"), limits(), ids=[c for c, _ in limits()])
def test_every_limit_is_documented_with_its_value(
    format_doc: str, constant: str, text: str
) -> None:
    assert text in flat(format_doc), f"docs/network-file.md should say {text!r} ({constant})"


# -- the examples are what the code prints -------------------------------------------------


def console_script() -> tuple[ModuleType, Any]:
    """The module and function of the ``backprop-lens`` console script, as pyproject names
    them (so this keeps working wherever the command line lives)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^backprop-lens\s*=\s*"([\w.]+):(\w+)"', text, re.MULTILINE)
    assert match, "pyproject.toml declares no backprop-lens console script"
    module = importlib.import_module(match.group(1))
    return module, getattr(module, match.group(2))


def run_command(arguments: Sequence[str]) -> tuple[int, str]:
    """Exit status and stdout of ``backprop-lens ARGUMENTS``, in this process."""
    _, main = console_script()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            status = main(list(arguments))
        except SystemExit as exit_:  # --help
            status = exit_.code if isinstance(exit_.code, int) else 0
    return int(status or 0), out.getvalue()


def json_examples(text: str) -> list[Any]:
    """The complete JSON objects shown (not fragments such as a "layout" entry)."""
    bodies = [body for language, body in fenced_blocks(text) if language == "json"]
    return [json.loads(body) for body in bodies if body.lstrip().startswith("{")]


def network_examples(text: str) -> list[str]:
    return [
        body
        for language, body in fenced_blocks(text)
        if language == "json" and f'"{fileformat.FORMAT}"' in body
    ]


def test_every_network_file_example_loads(format_doc: str) -> None:
    examples = network_examples(format_doc)
    assert examples
    for body in examples:
        parse_network(body)


@pytest.fixture
def minimal_file(format_doc: str, tmp_path: Path) -> Path:
    path = tmp_path / "net.json"
    path.write_text(network_examples(format_doc)[0], encoding="utf-8")
    return path


def test_trace_example_is_what_trace_prints(format_doc: str, minimal_file: Path) -> None:
    shown = [e for e in json_examples(format_doc) if isinstance(e.get("iterations"), list)]
    assert len(shown) == 1
    status, out = run_command(["trace", str(minimal_file)])
    assert status == 0
    assert json.loads(out) == shown[0]


def test_train_example_is_what_train_prints(format_doc: str, minimal_file: Path) -> None:
    shown = [e for e in json_examples(format_doc) if isinstance(e.get("iterations"), int)]
    assert len(shown) == 1
    iterations = str(shown[0]["iterations"])
    status, out = run_command(["train", str(minimal_file), "--iterations", iterations])
    assert status == 0
    assert json.loads(out) == shown[0]


# -- (c) every subcommand, option and choice of the command line is documented ----------


def help_text(*command: str) -> str:
    status, out = run_command([*command, "--help"])
    assert status == 0 and out.startswith("usage:"), out
    return out


def subcommands() -> list[str]:
    module, _ = console_script()
    names = getattr(module, "SUBCOMMANDS", None)
    if names is None:  # argparse subparsers list their names as {a,b,c} in the usage
        usage = help_text().split("\n\n", 1)[0]
        groups = re.findall(r"\{([\w,-]+)\}", usage)
        names = groups[-1].split(",") if groups else []
    assert names, "cannot find the subcommands: update subcommands() in tests/test_docs.py"
    return list(names)


def commands() -> list[tuple[str, ...]]:
    return [(), *((name,) for name in subcommands())]


def options_and_choices(text: str) -> tuple[set[str], set[str]]:
    options = set(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", text)) - {"-h", "--help"}
    usage = text.split("\n\n", 1)[0]
    choices = {c for group in re.findall(r"\{([^{}]+)\}", usage) for c in group.split(",")}
    return options, choices - set(subcommands())


def command_id(command: tuple[str, ...]) -> str:
    return " ".join(("backprop-lens", *command))


@pytest.mark.parametrize("command", commands(), ids=command_id)
def test_every_option_of_the_command_line_is_documented(
    format_doc: str, command: tuple[str, ...]
) -> None:
    text = flat(format_doc)
    if command:
        assert f"backprop-lens {command[0]}" in text, f"{command[0]} is not documented"
    options, choices = options_and_choices(help_text(*command))
    assert options or not command
    missing = sorted(o for o in options if not word(o).search(text))
    assert missing == [], f"{command_id(command)}: options not in docs/network-file.md"
    missing = sorted(c for c in choices if not word(c).search(text))
    assert missing == [], f"{command_id(command)}: choices not in docs/network-file.md"


# -- (b) relative links resolve inside the repository ------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", prose(path.read_text("utf-8")), re.M):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[str]:
    """Targets of inline links, images and reference definitions outside code."""
    body = re.sub(r"`[^`\n]+`", "", prose(text))
    inline = re.findall(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", body)
    defined = re.findall(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", body, re.MULTILINE)
    return inline + defined


def broken_links(name: str) -> list[str]:
    source = REPO / name
    problems = []
    for target in links(source.read_text(encoding="utf-8")):
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target):
            continue  # https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (source.parent / file_part).resolve() if file_part else source
        if not linked.is_relative_to(REPO):
            problems.append(f"{target}: outside the repository")
        elif not linked.exists():
            problems.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{target}: no heading #{anchor} in {linked.name}")
    return problems


LINKING_FILES = [
    "README.md",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
    *DOCS,
]


@pytest.mark.parametrize("name", LINKING_FILES)
def test_relative_links_resolve_inside_the_repository(name: str) -> None:
    assert broken_links(name) == []


def test_docs_exist() -> None:
    assert {"docs/network-file.md", "docs/architecture.md"} <= set(DOCS)
