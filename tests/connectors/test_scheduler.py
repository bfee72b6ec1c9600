"""Scheduling: stable job ids, coalesce, one instance, stale ids removed, one scheduler only."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bridge.connections.scheduler import SyncScheduler
from bridge.errors import ConflictError
from tests.platform_catalogs import woo_products
from tests.platforms import WOO_KEYS, FakeWooCommerce


def _scheduler(services, tmp_path: Path) -> tuple[SyncScheduler, BackgroundScheduler]:
    apscheduler = BackgroundScheduler(timezone="UTC")
    sync_scheduler = SyncScheduler(
        services.connectors.scheduled, services.syncs.run_scheduled, tmp_path / "scheduler.lock", scheduler=apscheduler
    )
    return sync_scheduler, apscheduler


def test_nothing_is_scheduled_or_started_unless_asked(services):
    assert not services.sync_scheduler.running
    assert services.sync_scheduler.jobs() == []


def test_reconcile_declares_one_job_per_scheduled_connector(merchant, services, tmp_path):
    hourly = merchant.connect("woocommerce", "https://a.example", WOO_KEYS, schedule={"interval_minutes": 60})
    nightly = merchant.connect("woocommerce", "https://b.example", WOO_KEYS, schedule={"cron": "0 3 * * *"})
    merchant.connect("woocommerce", "https://c.example", WOO_KEYS)  # no schedule
    merchant.connect("woocommerce", "https://d.example", WOO_KEYS, schedule={"interval_minutes": 5}, enabled=False)
    sync_scheduler, apscheduler = _scheduler(services, tmp_path)
    apscheduler.add_job(print, "interval", minutes=1, id=f"sync:{merchant.account.account_id}:deleted-connector")
    assert sync_scheduler.reconcile() == {"added": 2, "removed": 1}
    jobs = {job.id: job for job in sync_scheduler.jobs()}
    account = merchant.account.account_id
    assert set(jobs) == {f"sync:{account}:{hourly['id']}", f"sync:{account}:{nightly['id']}"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
    assert isinstance(jobs[f"sync:{account}:{hourly['id']}"].trigger, IntervalTrigger)
    assert isinstance(jobs[f"sync:{account}:{nightly['id']}"].trigger, CronTrigger)
    assert sync_scheduler.reconcile() == {"added": 0, "removed": 0}  # unchanged schedules are left alone
    merchant.client.patch(f"/v1/connectors/{hourly['id']}", headers=merchant.account.headers, json={"schedule": None})
    assert sync_scheduler.reconcile() == {"added": 0, "removed": 1}


def test_a_second_scheduler_on_the_same_data_dir_is_refused(services, tmp_path):
    first, _ = _scheduler(services, tmp_path)
    second, _ = _scheduler(services, tmp_path)
    first.start()
    try:
        assert first.running
        with pytest.raises(ConflictError, match="exactly one per deployment"):
            second.start()
    finally:
        first.shutdown()
    assert not first.running


def test_scheduled_runs_are_full_first_then_incremental(merchant, services, server):
    FakeWooCommerce(server, woo_products(5))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS, schedule={"interval_minutes": 30})
    first = services.syncs.run_scheduled(connector["id"])
    second = services.syncs.run_scheduled(connector["id"])
    runs = {
        run["id"]: run
        for run in merchant.client.get(f"/v1/connectors/{connector['id']}/runs", headers=merchant.account.headers).json[
            "runs"
        ]
    }
    assert (runs[first]["mode"], runs[first]["trigger"], runs[first]["created"]) == ("full", "schedule", 5)
    assert (runs[second]["mode"], runs[second]["status"]) == ("incremental", "succeeded")


def test_cli_sync_prints_the_run(merchant, app, server):
    FakeWooCommerce(server, woo_products(4))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS)
    result = app.test_cli_runner().invoke(args=["bridge", "sync", connector["id"], "--mode", "full"])
    assert result.exit_code == 0, result.output
    assert "succeeded; seen 4, created 4" in result.output


def _finished(services, merchant, connector_id: str) -> bool:
    runs = services.connectors.runs(merchant.account.account_id, connector_id, 1, 1)["runs"]
    return bool(runs) and runs[0].status != "running"


def test_a_due_job_runs_the_sync_in_the_scheduler_thread(merchant, services, server, tmp_path):
    FakeWooCommerce(server, woo_products(3))
    connector = merchant.connect("woocommerce", server.url_for(""), WOO_KEYS, schedule={"interval_minutes": 5})
    entered: list[str] = []

    @contextmanager
    def context():
        entered.append("context")  # the CLI passes app.app_context here
        yield

    apscheduler = BackgroundScheduler(timezone="UTC")
    sync_scheduler = SyncScheduler(
        services.connectors.scheduled,
        services.syncs.run_scheduled,
        tmp_path / "scheduler.lock",
        scheduler=apscheduler,
        context=context,
    )
    sync_scheduler.start()
    try:
        [job] = sync_scheduler.jobs()
        job.modify(next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _finished(services, merchant, connector["id"]):
            time.sleep(0.1)  # waiting for the scheduler's thread to run the job
    finally:
        sync_scheduler.shutdown()
    assert len(merchant.products()) == 3 and entered == ["context"]
    runs = merchant.client.get(f"/v1/connectors/{connector['id']}/runs", headers=merchant.account.headers).json
    assert runs["runs"][0]["trigger"] == "schedule"
