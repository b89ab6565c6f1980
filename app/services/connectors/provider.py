"""One request to a source's endpoint, made robust by well-kept libraries: httpx (a timeout on every request),
tenacity (attempts with exponential backoff, for what may pass: a timeout, a refused connection, a 5xx or 429),
pybreaker (after ``CREDIT_CONNECTOR_BREAKER_FAILURES`` failed pulls in a row no request is made for
``CREDIT_CONNECTOR_BREAKER_RESET_SECONDS``, then one trial). The breaker is this process's (the poll job runs in
the worker); its state is written on the source's row after each pull for the health page."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pybreaker
from flask import current_app
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from app.language import Kept, kept

BACKOFF = wait_exponential(multiplier=0.5, max=8)  # 0.5 s, 1 s, 2 s ... between attempts
MAX_PAGE_BYTES = 8 * 1024 * 1024  # one page's answer, at most
_breakers: dict[tuple[str, int, int], pybreaker.CircuitBreaker] = {}


class ProviderError(Exception):
    """The source could not be read: said in words an administrator can act on (``message``, a kept message:
    stored, and shown later in the reader's language)."""

    def __init__(self, message: Kept) -> None:
        super().__init__(message)
        self.message = message


class _Transient(ProviderError):
    """A failure worth another attempt."""


@dataclass(frozen=True)
class Page:
    body: Any  # the decoded JSON
    request_id: str | None  # the provider's id of this response (X-Request-Id), for provenance


def get(source: str, path: str, params: dict[str, str]) -> Page:
    """GET ``path`` of ``source``'s configured endpoint with ``params``, as JSON; ProviderError when it cannot be
    had (pybreaker's CircuitBreakerError while the breaker is open)."""
    base = current_app.config["CONNECTOR_URLS"].get(source)
    if not base:
        raise ProviderError(
            kept("no endpoint is configured (%(setting)s)", setting=f"CREDIT_CONNECTOR_{source.upper()}_URL")
        )
    retrying = Retrying(
        stop=stop_after_attempt(max(1, current_app.config["CONNECTOR_RETRIES"])),
        wait=BACKOFF,
        retry=retry_if_exception(lambda exc: isinstance(exc, _Transient)),
        reraise=True,
    )
    timeout = current_app.config["CONNECTOR_TIMEOUT_SECONDS"]
    with httpx.Client(base_url=base, timeout=timeout) as client:
        return breaker(source).call(lambda: retrying(_once, client, path, params, timeout))


def breaker(source: str) -> pybreaker.CircuitBreaker:
    """This process's circuit breaker of ``source`` (made anew when its settings change)."""
    config = current_app.config
    key = (source, config["CONNECTOR_BREAKER_FAILURES"], config["CONNECTOR_BREAKER_RESET_SECONDS"])
    if key not in _breakers:
        _breakers[key] = pybreaker.CircuitBreaker(
            fail_max=max(1, key[1]), reset_timeout=max(1, key[2]), name=f"connector:{source}"
        )
    return _breakers[key]


def breaker_state(source: str) -> str:
    """closed | open | half-open"""
    return str(breaker(source).current_state)


def _once(client: httpx.Client, path: str, params: dict[str, str], timeout: float) -> Page:
    try:
        with client.stream("GET", path, params=params) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Transient(kept("the source answered HTTP %(status)s", status=response.status_code))
            if response.status_code != 200:
                raise ProviderError(kept("the source answered HTTP %(status)s", status=response.status_code))
            content, deadline = b"", time.monotonic() + 3 * timeout  # a drip-fed answer is cut off too
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > MAX_PAGE_BYTES:
                    raise ProviderError(
                        kept("the source's answer is larger than %(n)s bytes", n=f"{MAX_PAGE_BYTES:,}")
                    )
                if time.monotonic() > deadline:
                    raise _Transient(kept("no complete answer within %(seconds)s s", seconds=3 * timeout))
            request_id = response.headers.get("X-Request-Id")
    except httpx.TimeoutException as exc:
        raise _Transient(kept("no answer within %(seconds)s s", seconds=timeout)) from exc
    except httpx.TransportError as exc:
        raise _Transient(kept("could not reach the source (%(error)s)", error=type(exc).__name__)) from exc
    try:
        body = json.loads(content)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, or nested past any page's depth
        raise ProviderError(kept("the source's answer is not JSON")) from exc
    return Page(body, request_id[:100] if request_id else None)
