"""An exclusive lock held by one process for its whole life, for things only one process may run."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import TextIO


def hold_exclusive(path: Path) -> TextIO | None:
    """Lock ``path`` for as long as the returned handle stays open; ``None`` if another process
    holds it. The lock dies with the process, so a crash never leaves it behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held open for the life of the lock
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
