"""Probe kinds. A probe takes a target's settings and returns a frozen result.

Nothing in this package imports ``monitor``: probes know nothing of
scheduling, storage, alerts or Prometheus.
"""
