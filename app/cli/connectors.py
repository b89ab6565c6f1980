"""``flask connectors ...``: pull the external data sources now, and serve the fake provider (for the demo and a
try-out without a real source)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import click
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer
from app.services.connectors import fake_provider, polling
from app.services.connectors.sources import SOURCES
from app.services.monitoring.portfolio_inputs import watched

connectors_cli = click.Group(
    "connectors", help="External data sources (外部数据): pull now, or serve a fake provider."
)


@connectors_cli.command("poll")
@click.argument("source", required=False, type=click.Choice(sorted(SOURCES)))
def poll(source: str | None) -> None:
    """Pull SOURCE (every configured source without it) from where it got to; one JSON line per source."""
    keys = [source] if source else polling.configured()
    if not keys:
        raise click.ClickException("no source has an endpoint: set CREDIT_CONNECTOR_<SOURCE>_URL")
    for key in keys:
        click.echo(json.dumps(asdict(polling.poll(key)), ensure_ascii=False))


@connectors_cli.command("fake-provider")
@click.option("--port", default=5099, show_default=True, help="Served on 127.0.0.1 at this port.")
def serve_fake_provider(port: int) -> None:
    """Serve tax and court events for the customers with a live facility (the demo's) until stopped."""
    codes = list(
        db.session.scalars(select(Customer.uscc).where(Customer.id.in_(watched())).order_by(Customer.id))
    )
    served = fake_provider.Served(fake_provider.demo_feed(codes, local_today()), port)
    click.echo(f"fake provider at {served.url}: {len(codes)} customers' tax and court events")
    click.echo(
        f"point the app at it: CREDIT_CONNECTOR_TAX_URL={served.url} CREDIT_CONNECTOR_COURT_URL={served.url}"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        served.stop()
