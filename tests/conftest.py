"""Shared test setup: headless Qt and the preset paths."""

import os

# Without a display Qt aborts the process unless it renders offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
