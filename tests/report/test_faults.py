"""Renders that survive being killed: after a SIGKILL at any step, reports/<cycle>/ holds the
previous complete report (or nothing, on a first run), never a mix; the next run cleans up and
succeeds."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from cipslib.report.render import render

from ..conftest import ROOT

PARAMS = ROOT / "params" / "2024.yaml"


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _render_process(out, formats, **popen) -> subprocess.Popen:
    """``cips render`` of the 2024 cycle into ``out``, quietly, as a separate process."""
    cmd = [sys.executable, "-m", "cipslib", "render", str(PARAMS), "--out", str(out), "--quiet"]
    return subprocess.Popen([*cmd, "--format", formats], **popen)


def _kill_when(out, formats, condition, timeout=180):
    proc = _render_process(
        out, formats, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
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


@pytest.mark.slow
@pytest.mark.parametrize(
    ("moment", "formats", "condition"),
    [
        ("during execution", "html", lambda tmp: any(tmp.glob("*.ipynb"))),
        ("during PDF", "html,pdf", lambda tmp: any(tmp.glob("*.html"))),
    ],
)
def test_kill_keeps_the_previous_report(previous, moment, formats, condition):
    out, before = previous
    _kill_when(out, formats, condition)
    assert _digest(out / "2024") == before, moment


@pytest.mark.slow
def test_kill_on_a_first_run_leaves_no_report(tmp_path):
    _kill_when(tmp_path, "html", lambda tmp: any(tmp.glob("*.ipynb")))
    assert not (tmp_path / "2024").exists()


@pytest.mark.slow
def test_next_run_after_kills_succeeds_and_cleans_up(previous):
    out, before = previous
    _kill_when(out, "html", lambda tmp: any(tmp.glob("*.ipynb")))
    assert list(out.glob(".2024-render-*"))  # the killed run left its temporary folder
    folder = render(PARAMS, formats=["html", "pdf"], out=out, progress=False)
    assert not list(out.glob(".2024-*"))
    after = _digest(folder)
    assert set(after) == set(before) and after["findings.json"] == before["findings.json"]


@pytest.mark.slow
def test_interrupted_publish_is_recovered(previous, tmp_path):
    """A kill between the two renames of the publish leaves `.2024.previous` and no `2024`:
    restored."""
    from cipslib.report.render import recover

    out, _ = previous
    (tmp_path / ".2024.previous").mkdir()
    (tmp_path / ".2024.previous" / "findings.json").write_text("{}", encoding="utf-8")
    recover(tmp_path, "2024")
    assert (tmp_path / "2024" / "findings.json").exists() and not (
        tmp_path / ".2024.previous"
    ).exists()


@pytest.mark.slow
def test_two_concurrent_renders_of_one_cycle_both_publish(tmp_path):
    """A scheduled job and an analyst render the same cycle into the same folder at once: neither
    removes the other's temporary folder, both publish a complete report, nothing is left behind."""
    out = tmp_path / "reports"
    out.mkdir()
    procs = [
        _render_process(out, "html", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    for proc, (stdout, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
        assert stdout == "" and stderr == ""
    assert sorted(p.name for p in out.iterdir()) == ["2024"]
    names = sorted(p.name for p in (out / "2024").iterdir())
    assert names == [
        "findings.json",
        "findings_report_2024.html",
        "findings_report_2024.ipynb",
        "kpis.csv",
        "kpis.xlsx",
        "tables.xlsx",
    ]


def test_a_stale_temporary_folder_is_removed_but_a_live_one_is_kept(tmp_path):
    from cipslib.report.render import recover

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".2024-render-{dead.pid}-abc"
    live = tmp_path / f".2024-render-{os.getpid()}-def"
    stale.mkdir()
    live.mkdir()
    recover(tmp_path, "2024")
    assert not stale.exists() and live.exists()
