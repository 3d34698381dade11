"""Atomic publish: a render writes into a temporary folder beside ``reports/<cycle>/`` and moves it
into place only when every file succeeded, keeping the previous report until then.

Concurrent renders into one reports folder (a scheduled job and an analyst) are safe: each works
in its own temporary folder, named with its process id; cleaning up removes only folders whose
process is gone; recovering and publishing happen under an exclusive lock on the reports folder,
so both renders publish complete reports, one after the other.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import RenderError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def _publish(tmp: Path, final: Path) -> None:
    """Move a complete report folder into place, keeping the previous one until the new one is
    there."""
    old = final.parent / f".{final.name}.previous"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)


@contextmanager
def _folder_lock(folder: Path):
    """Hold an exclusive lock on the reports folder (``flock`` on the folder itself, so nothing is
    left behind) while a render recovers and publishes; without ``fcntl`` (Windows) there is no
    lock."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _temp_prefix(name: str) -> str:
    """Temporary folders carry the process id of their render: ``.<name>-render-<pid>-<random>``."""
    return f".{name}-render-{os.getpid()}-"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, run by another user
        return True
    return True


def recover(out_root: Path, cycle: str) -> None:
    """Undo what an interrupted publish left: restore the previous report if the new one never
    arrived, and remove the temporary folders of renders whose process is gone (a render still
    running keeps its own). Call it with the folder lock held."""
    final = out_root / cycle
    old = out_root / f".{cycle}.previous"
    if old.exists():
        if final.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, final)
    for leftover in out_root.glob(f".{cycle}-render-*"):
        pid = leftover.name.removeprefix(f".{cycle}-render-").split("-")[0]
        if not (pid.isdigit() and _process_alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)


def _temporary_folder(out_root: Path, name: str) -> Path:
    """A new temporary folder for the render of ``name`` in ``out_root`` (made if need be), once
    what interrupted renders left there is cleaned up (:func:`recover`, under the folder lock).
    Raises :class:`~.errors.RenderError` when ``out_root`` cannot be written to."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out_root, prefix=".cips-write-", delete=True)
        probe.close()
    except OSError as exc:
        raise RenderError(
            f"cannot write to the output folder {out_root}: {exc.strerror}", bad_input=True
        ) from None
    with _folder_lock(out_root):
        recover(out_root, name)
    return Path(tempfile.mkdtemp(dir=out_root, prefix=_temp_prefix(name)))
