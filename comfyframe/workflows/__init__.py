"""Workflows: parse ComfyUI workflows (UI and API format), resolve their model references against the
servers' ``edges`` and ``models``, check any workflow, and the table of the servers' own templates.

Imports ``pipelines`` (the memory model and ranking), ``tables``, ``rules``, ``snapshot`` and below.
"""
