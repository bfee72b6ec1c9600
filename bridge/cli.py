"""``flask bridge ...``: operator commands."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from bridge.connections.scheduler import SyncScheduler
from bridge.errors import BridgeError

bridge_cli = AppGroup("bridge", help="Bridge administration.")
db_cli = AppGroup("db", help="Database migrations.")
bridge_cli.add_command(db_cli)


def _services():
    return current_app.extensions["bridge"]


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    _services().db.upgrade()
    click.echo("database is at the latest migration")


@bridge_cli.command("create-account")
@click.option("--name", "client_name", required=True, help="Account (client) name.")
@click.option("--email", required=True, help="Owner's email address.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Owner's password.")
def create_account(client_name: str, email: str, password: str) -> None:
    """Create a verified account and print its credentials (the secret only this once)."""
    try:
        created = _services().accounts.register(client_name, email, password, verified=True)
    except BridgeError as exc:
        raise click.ClickException(_describe(exc)) from None
    click.echo(f"account_id:    {created.account.id}")
    click.echo(f"client_id:     {created.account.client_id}")
    click.echo(f"client_secret: {created.client_secret}")
    click.echo("Store the client secret now; it will not be shown again.")


@bridge_cli.command("regenerate-secret")
@click.option("--client-id", help="The account's client id.")
@click.option("--email", help="Or the owner's email.")
def regenerate_secret(client_id: str | None, email: str | None) -> None:
    """Replace an account's client secret; old tokens stop working."""
    if not client_id and not email:
        raise click.UsageError("give --client-id or --email")
    accounts = _services().accounts
    try:
        created = accounts.regenerate_secret(accounts.find_account(client_id=client_id, email=email).id)
    except BridgeError as exc:
        raise click.ClickException(_describe(exc)) from None
    click.echo(f"client_id:     {created.account.client_id}")
    click.echo(f"client_secret: {created.client_secret}")


@bridge_cli.command("reindex")
@click.option("--client-id", help="Only this account (default: every account).")
def reindex(client_id: str | None) -> None:
    """Rebuild all vectors from the database, e.g. after changing BRIDGE_CLIP_MODEL."""
    services = _services()
    accounts = [services.accounts.find_account(client_id=client_id)] if client_id else services.accounts.all_accounts()
    visual = services.embeddings.visual()
    click.echo(f"visual model: {visual.model_id} ({visual.space}); text model: {services.embeddings.text_model_id}")
    for account in accounts:
        total = services.catalog.count(account.id)
        with click.progressbar(length=total, label=f"{account.client_name} ({account.client_id})") as bar:
            done = failed = 0
            for done_now, failed_now in services.catalog.reindex(account.id):
                bar.update(done_now - done)
                done, failed = done_now, failed_now
        click.echo(f"{account.client_id}: {done - failed} products reindexed, {failed} failed")


def _describe(error: BridgeError) -> str:
    return f"{error.field}: {error.message}" if error.field else error.message


@bridge_cli.command("scheduler")
def scheduler() -> None:
    """Run the connector sync scheduler in the foreground (one per deployment).

    Use it when several processes serve (set BRIDGE_SCHEDULER=off for them); `make run`
    already runs one inside its single serving process.
    """
    services = _services()
    sync_scheduler = SyncScheduler(
        services.connectors.scheduled,
        services.syncs.run_scheduled,
        Path(services.config["DATA_DIR"]) / "scheduler.lock",
        context=current_app.app_context,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        sync_scheduler.start()
    except BridgeError as exc:
        raise click.ClickException(_describe(exc)) from None
    click.echo(f"sync scheduler running with {len(sync_scheduler.jobs())} connector jobs; Ctrl-C stops it")
    stop.wait()
    sync_scheduler.shutdown()
    services.syncs.wait_idle(timeout=30)


@bridge_cli.command("sync")
@click.argument("connector_id")
@click.option("--mode", type=click.Choice(["full", "incremental"]), default="full", show_default=True)
def sync(connector_id: str, mode: str) -> None:
    """Sync one connector now, in the foreground, and print the run's counts."""
    services = _services()
    try:
        run_id = services.syncs.run_now(connector_id, mode)
        row = services.connectors.find(connector_id)
        run = services.connectors.run(row.account_id, connector_id, run_id)
    except BridgeError as exc:
        raise click.ClickException(_describe(exc)) from None
    click.echo(
        f"run {run.id}: {run.status}; seen {run.seen}, created {run.created}, updated {run.updated}, "
        f"unchanged {run.unchanged}, deleted {run.deleted}, failed {run.failed}"
        + (f"; {run.error}" if run.error else "")
    )
