"""Inference rules as data: the CSV tables in this folder and their cached, read-only loaders.

Imports nothing from comfyframe; ``tables``, ``inference`` and ``pipelines`` read it.
"""
