"""Files written without following links: a new file beside the target, renamed over it.

An output folder may already hold a symbolic link where comfyframe writes (``out/models.csv -> victim``).
Opening the path would write server-controlled text through the link into whatever it points at; a rename
replaces the link itself.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def replace_file(path: Path, write: Callable[[Any], None], *, text: bool) -> None:
    """Call ``write`` with a new file beside ``path`` (a text file with ``text``, else binary), then rename it
    over ``path``: a link already at ``path`` is replaced, never written through; on failure nothing changes."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as an ordinary new file (mkstemp makes it private)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
