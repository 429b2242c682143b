"""Shared test setup: headless Qt and the preset paths."""

import os

import pytest

# Without a display Qt aborts the process unless it renders offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _isolated_settings(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Settings, recent files and autosaves of the tests never touch the user's."""
    folder = tmp_path_factory.mktemp("config")
    os.environ["BACKPROP_LENS_CONFIG_DIR"] = str(folder)
    return folder
