"""Commands for cron: `flask --app portal close-expired-proposals`, every hour."""
from __future__ import annotations

import click

from portal import db
from proposals import service


@click.command("close-expired-proposals")
def close_expired_command() -> None:
    """Mark open proposals whose support window ended below the threshold as expired."""
    with db.write_transaction():
        closed = service.close_expired()
    click.echo(f"Closed {closed} expired proposals.")
