"""Capture: which routes to ask a server, bounded fan-out, paging (history, assets), refresh from a
previous snapshot, progress bars, and the raw answers kept as a :class:`Snapshot` (save/load).

Imports ``http`` and ``support``.
"""
