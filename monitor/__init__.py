"""Pantau daemon: configuration, scheduling, state, export, storage and alerts."""

__version__ = "0.1.0"
