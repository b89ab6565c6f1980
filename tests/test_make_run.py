"""``make run PORT=8080`` serves on that port and the links in e-mails point there; the README says so."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dry_run(*args: str, env: dict[str, str] | None = None) -> str:
    """The commands ``make serve`` would run, without running them."""
    return subprocess.run(
        ["make", "-n", "serve", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    ).stdout


def test_another_port_moves_the_web_server_and_the_links():
    commands = dry_run("PORT=8080")
    assert "flask run --host 127.0.0.1 --port 8080" in commands
    assert (
        commands.count("CREDIT_PUBLIC_URL=http://127.0.0.1:8080 ") == 2
    )  # the web server and the worker's e-mails
    assert "Open http://127.0.0.1:8080/" in commands


def test_a_public_address_set_for_e_mails_is_kept():
    commands = dry_run("PORT=8080", env={"CREDIT_PUBLIC_URL": "https://credit.example.cn"})
    assert "--port 8080" in commands and "CREDIT_PUBLIC_URL=https://credit.example.cn " in commands


def test_the_readme_says_how():
    assert "make run PORT=8080" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_fake_provider_feeds_each_source_unless_a_real_one_is_set():
    commands = dry_run()
    assert "flask connectors fake-provider" in commands and "--port 5099 &" in commands
    for source in ("TAX", "COURT"):  # the worker pulls, the web shows
        assert commands.count(f"CREDIT_CONNECTOR_{source}_URL=http://127.0.0.1:5099 ") == 2
    one = dry_run(env={"CREDIT_CONNECTOR_TAX_URL": "https://tax.example.cn/api"})
    assert "fake-provider" in one and one.count("CREDIT_CONNECTOR_TAX_URL=https://tax.example.cn/api ") == 2
    assert one.count("CREDIT_CONNECTOR_COURT_URL=http://127.0.0.1:5099 ") == 2
    real = dry_run(
        env={
            "CREDIT_CONNECTOR_TAX_URL": "https://tax.example.cn/api",
            "CREDIT_CONNECTOR_COURT_URL": "https://c.cn",
        }
    )
    assert "fake-provider" not in real and real.count("CREDIT_CONNECTOR_COURT_URL=https://c.cn ") == 2
