"""Snapshot → tables: the declared table shapes (schema), the node table parsed from ``/object_info``,
the dropdown offers (edges), the model catalogue and the hardware rows.

Imports ``snapshot``, ``rules`` and ``support``.
"""
