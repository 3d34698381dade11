"""Renders that survive being killed: after a SIGKILL at any step, reports/<cycle>/ holds the previous
complete report (or nothing, on a first run), never a mix; the next run cleans up and succeeds."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from cipslib.render import render

from .conftest import ROOT

PARAMS = ROOT / "params" / "2024.yaml"


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _kill_when(out, formats, condition, timeout=180):
    proc = subprocess.Popen([sys.executable, "-m", "cipslib", "render", str(PARAMS), "--out", str(out), "--quiet",
                             "--format", formats], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            temps = list(out.glob(".2024-render-*"))
            if temps and condition(temps[0]):
                break
            if proc.poll() is not None:
                pytest.fail("the render finished before the moment to kill it")
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    folder = render(PARAMS, formats=["html", "pdf"], out=out, progress=False)
    return out, _digest(folder)


@pytest.mark.parametrize(("moment", "formats", "condition"), [
    ("during execution", "html", lambda tmp: any(tmp.glob("*.ipynb"))),
    ("during PDF", "html,pdf", lambda tmp: any(tmp.glob("*.html"))),
])
def test_kill_keeps_the_previous_report(previous, moment, formats, condition):
    out, before = previous
    _kill_when(out, formats, condition)
    assert _digest(out / "2024") == before, moment


def test_kill_on_a_first_run_leaves_no_report(tmp_path):
    _kill_when(tmp_path, "html", lambda tmp: any(tmp.glob("*.ipynb")))
    assert not (tmp_path / "2024").exists()


def test_next_run_after_kills_succeeds_and_cleans_up(previous):
    out, before = previous
    _kill_when(out, "html", lambda tmp: any(tmp.glob("*.ipynb")))
    assert list(out.glob(".2024-render-*"))                      # the killed run left its temporary folder
    folder = render(PARAMS, formats=["html", "pdf"], out=out, progress=False)
    assert not list(out.glob(".2024-*"))
    after = _digest(folder)
    assert set(after) == set(before) and after["findings.json"] == before["findings.json"]


def test_interrupted_publish_is_recovered(previous, tmp_path):
    """A kill between the two renames of the publish leaves `.2024.previous` and no `2024`: restored."""
    from cipslib.render import recover

    out, _ = previous
    (tmp_path / ".2024.previous").mkdir()
    (tmp_path / ".2024.previous" / "findings.json").write_text("{}", encoding="utf-8")
    recover(tmp_path, "2024")
    assert (tmp_path / "2024" / "findings.json").exists() and not (tmp_path / ".2024.previous").exists()
