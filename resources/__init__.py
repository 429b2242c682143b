"""Data shipped with Backprop Lens: preset network files and icons."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_PRESET = "step-by-step-2-2-2.json"


def presets_dir() -> Path:
    """Folder of the preset network files, from a source tree, editable install or wheel."""
    return Path(str(resources.files(__name__).joinpath("presets")))


def preset_path(name: str = DEFAULT_PRESET) -> Path:
    return presets_dir() / name


def preset_paths() -> list[Path]:
    return sorted(presets_dir().glob("*.json"))


def is_preset(path: str | Path) -> bool:
    """Whether ``path`` is one of the shipped examples (never to be written)."""
    try:
        return Path(path).resolve().parent == presets_dir().resolve()
    except (OSError, ValueError):
        return False
