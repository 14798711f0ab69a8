"""Commands for cron: `flask --app portal send-reminders`, every hour."""
from __future__ import annotations

import click

from events import service
from portal import db


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Remind confirmed families of events starting in 12 to 36 hours (each only once)."""
    with db.write_transaction():
        sent = service.send_reminders()
    click.echo(f"Sent {sent} reminders.")
