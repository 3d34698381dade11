"""Writing files so that a reader never sees half of one: :func:`atomic_write`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` on a temporary path in ``path``'s folder, then move the finished
    file into place in one step; on an error the temporary file is removed and ``path`` stays as it
    was.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = atomic_write(Path(tmp) / "a.txt", lambda p: p.write_text("done"))
    ...     out.read_text(), sorted(f.name for f in Path(tmp).iterdir())
    ('done', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".cips-") as tmp:
        tmp_path = Path(tmp) / path.name
        write(tmp_path)
        os.replace(tmp_path, path)
    return path
