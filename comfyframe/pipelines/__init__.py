"""What the server can run: generators with the parts they need (recipes; the server's templates for families the
recipes do not know), a job's peak memory (ComfyUI's own estimate), and ranking for ``best_for``: each server's
budget (``_budget``) and, when nothing fits, why (``_nothing_fits``).

Imports ``inference``, ``tables``, ``rules`` and ``support``.
"""
