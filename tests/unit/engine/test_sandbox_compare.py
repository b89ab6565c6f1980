"""One comparison, search, sort or set in C may look at far more than its result: ``[s] * n == [t] * n``
with two equal megabyte strings compares n megabytes. Each is weighed first (characters and items, a value
held many times counted each time) and refused past ``LIMITS.compared``, naming the limit and the line;
ordinary comparisons, lookups and sorts still run, and a chained comparison still evaluates each operand
once and stops early."""

from __future__ import annotations

import pytest

from app.engine.sandbox import ScriptLimitExceeded, evaluate, run_script
from app.engine.sandbox.compare import weight
from app.engine.sandbox.limits import LIMITS

HEAVY = "s = 'a' * 10**6\nt = 'a' * 10**6\n"  # two equal strings, distinct objects: each compare is a memcmp
ATTACKS = {
    "list equality": "x = [s] * 10**6 == [t] * 10**6",
    "in a list": "x = t in [s] * 10**6",
    "not in a tuple": "x = t not in (s,) * 10**6",
    "list.count": "x = ([s, t] * 500000).count(t)",
    "list.index": "x = ([s] * 999999 + [1]).index(1)",
    "list.remove": "x = [s] * 999999 + [1]\nx.remove(1)",
    "unbound list.count": "x = list.count([s] * 10**6, t)",
    "tuple.count": "x = ((s, t) * 500000).count(t)",
    "tuple.index": "x = ((s,) * 999999 + (1,)).index(1)",
    "sorted": "x = sorted([s, t] * 500000)",
    "sorted by a key": "x = sorted(range(10**6), key=lambda i: s if i % 2 else t)",
    "list.sort": "x = [s, t] * 500000\nx.sort()",
    "min of a list": "x = min([s, t] * 500000)",
    "max of a generator": "x = max(s if i % 2 else t for i in range(10**6))",
    "max of a C iterator": "x = max(reversed([s, t] * 500000))",
    "set()": "x = set([s, t] * 500000)",
    "set display": "x = {*([s, t] * 500000)}",
    "dict()": "x = dict(zip([s, t] * 500000, range(10**6)))",
    "dict.fromkeys": "x = dict.fromkeys([s, t] * 500000)",
    "fromkeys of a dict": "x = {}.fromkeys([s, t] * 500000)",
    "set.update": "x = set()\nx.update([s, t] * 500000)",
    "set.union": "x = set().union([s, t] * 500000)",
    "set.issubset": "x = {s}.issubset([t] * 10**6)",
    "set.symmetric_difference_update": "x = {1}\nx.symmetric_difference_update([s, t] * 500000)",
    "dict.update": "x = {}\nx.update(zip([s, t] * 500000, range(10**6)))",
    "dict equality": "a = dict.fromkeys(range(10**5), s)\nb = dict.fromkeys(range(10**5), t)\nx = a == b",
    "dict items equality": "a = dict.fromkeys(range(10**5), s)\nb = dict.fromkeys(range(10**5), t)\n"
    "x = a.items() == b.items()",
    "in dict values": "a = dict.fromkeys(range(10**6), s)\nx = t in a.values()",
    "set operator": "a = {(s, i) for i in range(10**4)}\nb = {(t, i) for i in range(10**4)}\nx = a | b",
    "set operator in place": "a = {(s, i) for i in range(10**4)}\nb = {(t, i) for i in range(10**4)}\na -= b",
    "dict merge display": "a = {(s, i): 0 for i in range(10**4)}\nb = {(t, i): 0 for i in range(10**4)}\n"
    "x = {**a, **b}",
    "long decimals": "d = Decimal('1' * 900000)\ne = Decimal('1' * 900000)\nx = [d] * 10**5 == [e] * 10**5",
    "tuples in a set display": "a = (s,) * 10**6\nb = (t,) * 10**6\nx = {a, b}",
    "tuple keys in a dict display": "a = (s,) * 10**6\nx = {a: 1}",
    "tuple stored as a key": "x = {}\nx[(s,) * 10**6] = 1",
    "tuple looked up": "x = {}\ny = x[(t,) * 10**6]",
    "set.add": "x = set()\nx.add((s,) * 10**6)",
    "dict.setdefault": "x = {}\nx.setdefault((s,) * 10**6)",
    "set comprehension": "x = {(s,) * 10**6 for i in range(2)}",
    "dict comprehension": "x = {(t,) * 10**6: i for i in range(2)}",
    "big integers": "a = [[2**9999] * 1000] * 1000\nb = [[2**9999] * 1000] * 1000\nx = a == b",
}


@pytest.mark.parametrize("source", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_comparison_over_values_held_many_times_is_refused_before_it_runs(source: str) -> None:
    with pytest.raises(ScriptLimitExceeded) as caught:
        run_script(HEAVY + source, {})
    assert caught.value.line is not None and caught.value.line >= 3
    assert f"more than {LIMITS.compared:,} characters and items" in caught.value.message
    assert "a value held many times counts each time" in caught.value.message


HALF = "s = 'a' * 500000\nt = 'a' * 500000\n"  # each call below looks at half a megabyte, a million times
CALLED_FROM_C = {
    "map of a string method": "x = list(map(s.startswith, [t] * 10**6))",
    "map of a dict lookup": "d = {s: 1}\nx = list(map(d.get, [t] * 10**6))",
    "map of a guard": "x = list(map(max, [[s, t]] * 10**6))",
    "filter of a set method": "x = list(filter({s}.issuperset, [[t]] * 10**6))",
    "map of str.count": "x = sum(map(s.count, [t] * 10**6))",
    "max by a method key": "x = max([t] * 10**6, key=s.startswith)",
    "zip consumed by dict": "x = dict(zip(map(s.count, [t] * 10**6), range(10**6)))",
}


@pytest.mark.parametrize("source", CALLED_FROM_C.values(), ids=CALLED_FROM_C.keys())
def test_a_function_called_from_c_for_each_of_many_items_ends_on_the_deadline(source: str) -> None:
    """``map``, ``filter``, ``zip``... and a ``key`` are called from C, item after item: each item costs a step
    and the deadline is looked at, as for a loop's item (before, one of these ran for minutes in one call)."""
    with pytest.raises(ScriptLimitExceeded) as caught:
        run_script(HALF + source, {})
    assert caught.value.line == source.count("\n") + 3 and (
        "longer than" in caught.value.message or "steps" in caught.value.message
    )


# deep enough that a hash with no check would recurse far past the limit, shallow enough that building it stays well
# inside the 2 s budget on a loaded machine (200,000 levels ran out of time there before the hash was reached)
DEEP = "t = ()\nfor i in range(50000):\n    t = (t,)\n"
NESTED = {
    "looked up in a set literal": "x = t in {1}",
    "looked up in a dict": "d = {}\nx = t in d",
    "a dict key": "d = {t: 1}",
    "dict.get": "x = {}.get(t)",
    "set.add": "x = set()\nx.add(t)",
    "set()": "x = set([t])",
    "a list compared": "x = [t] == [t]",
}


@pytest.mark.parametrize("source", NESTED.values(), ids=NESTED.keys())
def test_a_value_nested_too_deep_to_hash_is_refused_not_a_crash(source: str) -> None:
    """A tuple's hash recurses in C with no check: 200,000 levels crashed the process (the web or the worker)."""
    with pytest.raises(ScriptLimitExceeded, match=f"nested more than {LIMITS.depth:,} levels"):
        run_script(DEEP + source, {})


def test_values_nested_as_deep_as_data_is_still_compare_and_hash_and_c_iterators_work() -> None:
    data: dict[str, object] = {}
    run_script(
        "t = ()\nfor i in range(50):\n    t = (t,)\nx = t in {t: 1}\ny = [t] == [t]\n"
        "z = list(map(str.upper, ['a', 'b']))\nw = dict(zip('ab', range(2)))\n"
        "v = list(enumerate(filter(None, [0, 1, 2])))\nu = list(reversed([1, 2]))\n",
        data,
    )
    assert data["x"] is True and data["y"] is True and data["z"] == ["A", "B"]
    assert data["w"] == {"a": 0, "b": 1} and data["v"] == [(0, 1), (1, 2)] and data["u"] == [2, 1]


def test_a_key_whose_hash_runs_through_a_billion_items_is_refused() -> None:
    """A tuple's hash is not kept: hashing a tuple of tuples runs through all they hold, each time."""
    nested = "a = (1,) * 1000\nb = (a,) * 1000\nc = (b,) * 1000\n"
    with pytest.raises(ScriptLimitExceeded, match="a key would look at more than"):
        run_script(nested + "x = {}.get(c)", {})
    c = (((1,) * 1000,) * 1000,) * 1000
    with pytest.raises(ScriptLimitExceeded, match="a comparison would look at more than"):
        evaluate("c in d", {"c": c, "d": {}})


def test_a_condition_or_cell_comparing_huge_shared_values_is_refused() -> None:
    s, t = "a" * 10**6, "a" * 10**6
    with pytest.raises(ScriptLimitExceeded, match="a comparison would look at more than"):
        evaluate("left == right", {"left": [s] * 1000, "right": [t] * 1000})
    with pytest.raises(ScriptLimitExceeded, match="a search would look at more than"):
        evaluate("name in names", {"name": t, "names": [s] * 1000})
    assert evaluate("name in names", {"name": t, "names": [s] * 10}) is True


def test_ordinary_comparisons_lookups_and_sorts_still_run() -> None:
    data: dict[str, object] = {}
    run_script(
        "a = list(range(10**5))\nb = list(range(10**5))\nsame = a == b\n"
        "d = dict.fromkeys(range(10**5), 1)\nfound = 0\n"
        "for k in range(10**5):\n    if k in d:\n        found += 1\n"
        "ordered = sorted(range(10**5, 0, -1))[:3]\n"
        "nested = {'x': {'y': [1, 2.5, {'z': 'w'}]}} == {'x': {'y': [1, 2.5, {'z': 'w'}]}}\n"
        "calls = []\n"
        "def f(v):\n    calls.append(v)\n    return v\n"
        "chained = 1 < f(2) < 3\nstopped = 3 < f(2) < f(5)\n"
        "picked = max(3, 1, 2) + min([4, 5]) + max([], default=7) + min(x for x in [9, 8])\n"
        "keyed = sorted(['b', 'a'], key=lambda v: v.upper())\n"
        "sets = ({1, 2} | {3}) - {2}\nsets |= {4}\n"
        "merged = {**{1: 2}, 3: 4}\nmerged.update({5: 6})\n"
        "spread = {*[1, 2, 2], *{3}}\n"
        "numbers = [3, 1, 2]\nnumbers.sort()\nplaces = numbers.index(2) + (1, 2).count(2) + 'abca'.count('a')\n"
        "keys = dict.fromkeys('ab')\nseen = 'b' in 'abc' and 2 in range(3) and 'x' not in ('A', 'B')\n",
        data,
    )
    assert data["same"] is True and data["found"] == 10**5 and data["ordered"] == [1, 2, 3]
    assert data["nested"] is True and data["chained"] is True and data["stopped"] is False
    assert data["calls"] == [2, 2]  # each operand once; the chain stopped before f(5)
    assert data["picked"] == 3 + 4 + 7 + 8 and data["keyed"] == ["a", "b"]
    assert data["sets"] == {1, 3, 4} and data["merged"] == {1: 2, 3: 4, 5: 6} and data["spread"] == {1, 2, 3}
    assert data["numbers"] == [1, 2, 3] and data["places"] == 1 + 1 + 2
    assert data["keys"] == {"a": None, "b": None} and data["seen"] is True


def test_weight_counts_a_value_each_time_it_is_held_and_stops_past_the_limit() -> None:
    s = "a" * 1000
    assert weight([s] * 10) == 10 + 10 * 1000
    assert weight({"k": [1, 2.0, None]}) == 1 + 1 + 1 + 3
    assert weight([s] * 10**5) > LIMITS.compared
    looped: list[object] = [1]
    looped.append(looped)
    assert weight(looped) > LIMITS.compared  # a list holding itself ends too


def test_a_comparison_with_a_literal_pays_for_no_guard() -> None:
    from app.engine.sandbox import compile_expression

    names = {"amount > 1000", "grade in ('A', 'B')", "x is None", "amount > limit"}
    loaded = {source: compile_expression(source).co_names for source in names}
    assert all("_compared_" not in loaded[s] for s in ("amount > 1000", "grade in ('A', 'B')", "x is None"))
    assert "_compared_" in loaded["amount > limit"]
