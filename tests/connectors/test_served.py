"""`make run`'s gunicorn starts the sync scheduler in its serving process, and only there."""

from __future__ import annotations

import fcntl

import pytest

from tests.live_server import live_server


@pytest.mark.server
def test_gunicorn_runs_exactly_one_scheduler(tmp_path):
    with live_server(tmp_path) as server:
        with open(tmp_path / "scheduler.lock", "w") as lock, pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by the serving process
        assert server.process.poll() is None
    assert "sync scheduler started" in (tmp_path / "server.log").read_text()
