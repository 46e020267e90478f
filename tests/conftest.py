"""Shared pytest configuration: the network lab fixture for every test module."""

pytest_plugins = ["tests.lab.fixtures"]
