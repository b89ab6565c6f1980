"""The bounded cache the audit's readers keep a deployed version's words in."""

from __future__ import annotations

from app.services.shared.bounded_cache import BoundedCache


def test_a_value_is_made_once_and_the_one_used_longest_ago_is_let_go() -> None:
    made: list[str] = []
    cache: BoundedCache[str, str] = BoundedCache(2)

    def value(key: str) -> str:
        return cache.get(key, lambda: made.append(key) or key.upper())

    assert (value("a"), value("b"), value("a")) == ("A", "B", "A") and made == ["a", "b"]
    value("c")  # "b" was used longest ago: it goes, "a" stays
    assert len(cache) == 2 and value("a") == "A" and made == ["a", "b", "c"]
    assert value("b") == "B" and made == ["a", "b", "c", "b"]


def test_a_value_that_is_none_is_kept_too() -> None:
    made: list[int] = []
    cache: BoundedCache[int, None] = BoundedCache(4)
    cache.get(1, lambda: made.append(1))
    cache.get(1, lambda: made.append(1))
    assert made == [1]
