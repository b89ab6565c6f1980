"""External data connectors (外部数据): sources outside the bank (tax, courts, registration, news, the credit
reference report) delivering events about customers, mapped to observations that the warning rules read at once
(real-time monitoring). ``sources`` says what each source sends and how it maps; ``provider`` talks to its
endpoint (timeouts, retries with backoff, a circuit breaker); ``intake`` keeps each event with its provenance and
stores its observation; ``polling`` pulls a source page by page from where it got to; ``fake_provider`` is the
local stand-in the tests and the demo run, faults included."""
