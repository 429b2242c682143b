"""Backprop Lens engine: pure NumPy, never imports Qt."""
