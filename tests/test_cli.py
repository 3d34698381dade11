"""The cips command: clear output, exit code 2 on bad input, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


def cips(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "cipslib", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.slow
def test_check_demo_params():
    r = cips("check", "params/2024.yaml", "params/2025.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "official 448, private 477" in r.stdout and "official 4199" in r.stdout
    assert "officials analysed by role: manager 85%, non_manager 15%" in r.stdout
    assert "identifier columns dropped: comment, email, ip_address, submitted_at" in r.stdout
    assert "retained" in r.stdout
    assert "weighting: raked to the population margins" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_check_bad_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,group\nA,1\nB,7\n")
    r = cips("check", str(bad), "--cycle", "2025")
    assert r.returncode == 2
    assert "bad.csv" in r.stderr and "row 3, column 'group'" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr and r.stdout == ""


def test_check_missing_file_exits_2(tmp_path):
    r = cips("check", str(tmp_path / "none.sav"), "--cycle", "2025")
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


@pytest.mark.slow
def test_demo_data_verify():
    r = cips("demo-data", "--verify")
    assert r.returncode == 0 and "identical" in r.stdout
