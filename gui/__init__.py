"""Backprop Lens user interface (PySide6 + pyqtgraph).

Importing this package itself imports no Qt (the ``cli`` package imports gui
modules only when the window or ``export`` runs).
"""
