"""Tasks run side by side in forked processes give what they give one by one."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from cipslib.parallel import side_by_side


def test_results_come_back_in_order_from_other_processes():
    here = os.getpid()
    tasks = [lambda k=k: (k, os.getpid()) for k in range(7)]
    results = side_by_side(tasks, workers=3)
    assert [k for k, _ in results] == list(range(7))
    assert {pid for _, pid in results[::3]} == {here}  # the first share runs here
    assert all(pid != here for _, pid in results[1::3] + results[2::3])


def test_a_child_sees_the_data_of_this_process():
    data = np.arange(1_000_000, dtype=float)
    sums = side_by_side([lambda: data[:10].sum(), lambda: data.sum()], workers=2)
    assert sums == [45.0, data.sum()]


def test_a_failing_task_raises_here_as_it_would_alone():
    def fails():
        raise ValueError("bad input in the second task")

    with pytest.raises(ValueError, match="second task"):
        side_by_side([lambda: 1, fails], workers=2)


def test_a_result_that_does_not_pickle_is_computed_here():
    here = os.getpid()
    results = side_by_side([lambda: 1, lambda: lambda: os.getpid()], workers=2)
    assert results[0] == 1 and results[1]() == here


def test_warnings_of_a_child_are_raised_here():
    def warns():
        warnings.warn("a warning from the child", UserWarning, stacklevel=1)
        return os.getpid()

    with pytest.warns(UserWarning, match="from the child"):
        pid = side_by_side([lambda: None, warns], workers=2)[1]
    assert pid != os.getpid()


def test_one_worker_runs_every_task_here():
    assert side_by_side([os.getpid, os.getpid], workers=1) == [os.getpid()] * 2


def test_a_share_that_cannot_be_forked_runs_here(monkeypatch):
    def no_fork():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert side_by_side([os.getpid, os.getpid], workers=2) == [os.getpid()] * 2
