"""The one exception the risk package raises for bad input."""

from __future__ import annotations


class RiskInputError(ValueError):
    """Input that a credit-risk calculation cannot use.

    ``field`` names the offending input (a statement line item such as
    ``"current_liabilities"``, or ``"uscc"``, ``"statements"``...) so that a
    form can highlight it; ``message`` says what is wrong with it.
    ``str(error)`` is ``"field: message"``. ``message_zh`` is the same reason in Chinese
    where a screen shows it to people (otherwise None).
    """

    def __init__(self, field: str, message: str, message_zh: str | None = None) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message
        self.message_zh = message_zh

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
