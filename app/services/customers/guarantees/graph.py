"""The guarantee network as a graph, and what is found in it: guarantee circles (担保圈) and long guarantee chains
(担保链). Pure computation over arrays, no database: ``circles`` reads the book and hands the pairs here.

The guarantees in force form a directed graph, guarantor → borrower; the guarantees between one pair are one edge
carrying their sum. A **circle** is a strongly connected component of two or more firms: each one guarantees,
through the others, its own guarantors, so one default can pull them all down. Two firms are a mutual guarantee
(互保), three or more a circular one (联保). The components are found by ``scipy.sparse.csgraph`` (a compiled
linear-time algorithm over a sparse matrix: a book of a million firms in about a second), never by listing simple
cycles, whose number grows exponentially with the book.

A **long chain**: with each circle collapsed to one step (the condensation, a DAG), a path with more steps than the
policy accepts. For each step the longest chain ending at it and the longest starting from it are counted level by
level in topological order (Kahn's order: the steps nothing points at first; each edge is read once, in numpy), so
every firm on a long chain is found; the chains listed are the longest through such firms, longest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Circle:
    members: tuple[int, ...]  # customer ids, ascending
    amount: Decimal  # the guarantees among the members, in CNY

    @property
    def kind(self) -> str:
        return "mutual" if len(self.members) == 2 else "circular"


@dataclass(frozen=True)
class Chain:
    steps: tuple[tuple[int, ...], ...]  # from the first guarantor to the last borrower; a circle is one step


@dataclass(frozen=True)
class Network:
    """The firms (customer ids; a firm's place in ``firms`` is its node) and one edge per guarantor → borrower
    pair, its guarantees summed in cents."""

    firms: np.ndarray
    guarantors: np.ndarray  # node of each pair's guarantor
    borrowers: np.ndarray  # node of each pair's borrower
    cents: np.ndarray

    @property
    def size(self) -> int:
        return len(self.firms)


def network_of(pairs: Iterable[tuple[int, int, Decimal | int]]) -> Network:
    """The network of ``(guarantor, borrower, amount in CNY)`` rows; rows of one pair are summed."""
    rows = [(g, b, int(Decimal(a) / CENT)) for g, b, a in pairs]
    return network_of_arrays(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.int64),
    )


def network_of_arrays(guarantors: np.ndarray, borrowers: np.ndarray, cents: np.ndarray) -> Network:
    """The network of guarantor and borrower customer ids with the amounts in cents, one entry per guarantee."""
    firms, nodes = np.unique(np.concatenate([guarantors, borrowers]), return_inverse=True)
    tails, heads = nodes[: len(guarantors)], nodes[len(guarantors) :]
    pair = tails * max(len(firms), 1) + heads
    unique, index = np.unique(pair, return_inverse=True)
    summed = np.zeros(len(unique), dtype=np.int64)
    np.add.at(summed, index, cents)
    count = max(len(firms), 1)
    return Network(firms, unique // count, unique % count, summed)


def components(network: Network) -> np.ndarray:
    """The strongly connected component of each node (a label per node)."""
    if network.size == 0:
        return np.zeros(0, dtype=np.int64)
    matrix = coo_array(
        (np.ones(len(network.guarantors)), (network.guarantors, network.borrowers)),
        shape=(network.size, network.size),
    ).tocsr()
    _count, labels = connected_components(matrix, directed=True, connection="strong")
    return labels.astype(np.int64)


def circles_in(network: Network, labels: np.ndarray | None = None) -> list[Circle]:
    """The circles, the largest first."""
    labels = components(network) if labels is None else labels
    if network.size == 0:
        return []
    sizes = np.bincount(labels)
    inner = labels[network.guarantors] == labels[network.borrowers]
    amounts = np.zeros(len(sizes), dtype=np.int64)
    np.add.at(amounts, labels[network.guarantors[inner]], network.cents[inner])
    in_circle = np.flatnonzero(sizes[labels] > 1)
    order = in_circle[np.argsort(labels[in_circle], kind="stable")]
    found = [
        Circle(
            tuple(sorted(int(f) for f in network.firms[group])),
            Decimal(int(amounts[labels[group[0]]])) * CENT,
        )
        for group in np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
        if len(group)
    ]
    return sorted(found, key=lambda c: (-len(c.members), -c.amount, c.members))


def _longest_ending(count: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """For each node of a DAG (edges tails → heads), the steps of the longest path ending at it (1: nothing
    before it), level by level in Kahn's order: a node is taken once every edge into it has been read."""
    order = np.argsort(tails, kind="stable")
    tails, heads = tails[order], heads[order]
    starts = np.searchsorted(tails, np.arange(count + 1))
    waiting = np.bincount(heads, minlength=count)
    steps = np.ones(count, dtype=np.int64)
    frontier = np.flatnonzero(waiting == 0)
    while frontier.size:
        first, sizes = starts[frontier], starts[frontier + 1] - starts[frontier]
        edges = np.repeat(first - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
        if not edges.size:
            break
        np.maximum.at(steps, heads[edges], steps[tails[edges]] + 1)
        reached, times = np.unique(heads[edges], return_counts=True)
        waiting[reached] -= times
        frontier = reached[waiting[reached] == 0]
    return steps


@dataclass(frozen=True)
class Condensation:
    """The network with each circle collapsed to one step (a DAG: ``count`` steps, one edge per pair of steps,
    ``tails`` → ``heads``), each firm's step (``labels``), and for each step the steps of the longest chain ending
    at it (``before``) and starting from it (``after``): what the chains are read from, counted once a scan."""

    labels: np.ndarray
    count: int
    tails: np.ndarray
    heads: np.ndarray
    before: np.ndarray
    after: np.ndarray

    @property
    def through(self) -> np.ndarray:
        """For each step, the steps of the longest chain through it."""
        return self.before + self.after - 1


def condense(network: Network, labels: np.ndarray | None = None) -> Condensation:
    """The condensation of a network that holds at least one firm (``labels``: its components, when known)."""
    labels = components(network) if labels is None else labels
    count = int(labels.max()) + 1
    tails, heads = labels[network.guarantors], labels[network.borrowers]
    across = tails != heads
    pairs = np.unique(tails[across] * count + heads[across])
    tails, heads = pairs // count, pairs % count
    before, after = _longest_ending(count, tails, heads), _longest_ending(count, heads, tails)
    return Condensation(labels, count, tails, heads, before, after)


def on_long_chains(
    network: Network, longest_accepted: int, condensed: Condensation | None = None
) -> dict[int, int]:
    """Every firm on a chain longer than ``longest_accepted`` steps, with the steps of the longest chain through
    it (its circle counting as one step): what the warning rules read, whatever ``chains_in``'s list keeps."""
    if network.size == 0:
        return {}
    condensed = condense(network) if condensed is None else condensed
    through = condensed.through[condensed.labels]
    on = np.flatnonzero(through > longest_accepted)
    return dict(zip(network.firms[on].tolist(), through[on].tolist(), strict=True))


def chains_in(
    network: Network,
    longest_accepted: int,
    limit: int | None = None,
    labels: np.ndarray | None = None,
    condensed: Condensation | None = None,
) -> list[Chain]:
    """The chains longer than ``longest_accepted`` steps, longest first: every firm on such a chain is on a listed
    one (the longest through it), unless ``limit`` stops the list first."""
    if network.size == 0:
        return []
    c = condense(network, labels) if condensed is None else condensed
    labels, tails, heads, before, after, through = c.labels, c.tails, c.heads, c.before, c.after, c.through
    previous, following = np.full(c.count, -1), np.full(c.count, -1)
    on_before = before[tails] + 1 == before[heads]
    previous[heads[on_before]] = tails[on_before]
    on_after = after[heads] + 1 == after[tails]
    following[tails[on_after]] = heads[on_after]
    long = np.flatnonzero(through > longest_accepted)
    listed: set[int] = set()
    paths: list[list[int]] = []
    for node in long[np.lexsort((before[long], -through[long]))].tolist():
        if node in listed:
            continue
        path, step = [node], previous[node]
        while step >= 0:
            path.append(int(step))
            step = previous[step]
        path.reverse()
        step = following[node]
        while step >= 0:
            path.append(int(step))
            step = following[step]
        listed.update(path)
        paths.append(path)
        if limit is not None and len(paths) >= limit:
            break
    members = _members(network, labels, {n for path in paths for n in path})
    chains = [Chain(tuple(members[n] for n in path)) for path in paths]
    return sorted(chains, key=lambda c: (-len(c.steps), c.steps))


def _members(network: Network, labels: np.ndarray, wanted: set[int]) -> dict[int, tuple[int, ...]]:
    """The firms of each component in ``wanted``, in one pass over the nodes."""
    nodes = np.flatnonzero(np.isin(labels, np.fromiter(wanted, dtype=np.int64, count=len(wanted))))
    found: dict[int, list[int]] = {}
    for node in nodes.tolist():
        found.setdefault(int(labels[node]), []).append(int(network.firms[node]))
    return {label: tuple(sorted(firms)) for label, firms in found.items()}
