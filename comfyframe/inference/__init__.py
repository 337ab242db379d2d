"""What each model file is: kind, family, variant, precision, capabilities, VRAM, applied as vectorized
column operations over the rule tables, and what the server's own workflow templates say; text columns in
Arrow and regex passes; ``explain``.

Imports ``tables``, ``rules`` and ``support``.
"""
