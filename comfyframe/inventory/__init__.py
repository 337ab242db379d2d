"""Inventory over time: usage from ``/history`` and ``/queue``, unused models, duplicate groups.

Imports ``tables``, ``snapshot`` and ``support``.
"""
