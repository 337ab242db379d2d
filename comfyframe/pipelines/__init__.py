"""What the server can run: generators with the parts they need (recipes; the server's templates for families the
recipes do not know), a job's peak memory (ComfyUI's own estimate), and ranking for ``best_for``.

Imports ``inference``, ``tables``, ``rules`` and ``support``.
"""
