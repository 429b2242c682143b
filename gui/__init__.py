"""Backprop Lens user interface (PySide6 + pyqtgraph).

Importing this package must not import Qt: ``gui.cli`` serves the headless
``trace`` and ``train`` commands.
"""
