"""Snapshot → tables: the declared table shapes (schema), the node table parsed from ``/object_info``,
the dropdown offers (edges), the model catalogue, the hardware rows and the model files the server's workflow
templates name.

Imports ``snapshot``, ``rules`` and ``support``.
"""
