"""HTTP only: connection settings, server URLs (what is shown vs. sent), the async client over an httpx
transport, errors translated, answers decoded as JSON.

Imports ``support`` and ``errors`` only, and never pandas (checked by the import contract).
"""
