"""Guarantee circles (担保圈) over a whole book: the scan the beat runs (``circles_kept.refresh_book``), end to end on
PostgreSQL, at 1M customers and 3M guarantees (goal: under a minute on this machine), and how it grows from a
tenth of that; beside it, the same detection with networkx (the library it used before), measured in the same run
on the smaller book.

Run from the repository root::

    .venv/bin/python bench/guarantee_circles.py [--customers 1000000] [--guarantees 3000000] [--circles 2000]

The database is ``--database-url``, else ``CREDIT_BENCH_DATABASE_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/bench``; each size is a schema of its own there
(``circles_<customers>``, DROPPED and created anew). Never the ``test`` database.

The book (seeded): firms in clusters of a few (geometric, mean 8: a town's suppliers, a trade's firms), the
guarantees drawn mostly within a cluster and a few between neighbouring clusters, all running one way (from a
lower firm to a higher, so that alone they form no circle), several guarantees often between one pair; then
``--circles`` rings of two to six firms planted in as many clusters, each closing a circle (with whatever lies
on the paths between its firms). This is the shape of a real network: mostly small trees and chains, a few
circles, no giant component. Loaded with ``COPY``.

For each size it prints the scan's parts — reading the guarantees in force (one grouped query), finding the
strongly connected components, the circles, the long chains — and the whole scan as the beat runs it (reading,
finding, keeping each member's row, the scan row, the audit), and checks that every planted ring was found in a
circle; and every firm on a chain longer than the policy (kept by the scan for the warning rules). Prints
figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Customer, Guarantee, GuaranteeChainMember  # noqa: E402
from app.services.customers.guarantees import circles, circles_kept, graph  # noqa: E402
from bench.customer_pages_seed import Loader, analyse  # noqa: E402
from bench.size_runs import close, fresh_app, masked, trigram_in_public  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
NOW, SIGNED = datetime(2026, 12, 1, 2, 0, 0), date(2026, 1, 5)
CHUNK = 200_000


def book(customers: int, guarantees: int, rings: int, seed: int = 20261206) -> tuple[np.ndarray, ...]:
    """Guarantor and borrower (customer ids from 1) of each guarantee, and the planted rings' first firms."""
    rng = np.random.default_rng(seed)
    sizes = rng.geometric(1 / 8, size=customers // 4)
    sizes = sizes[np.cumsum(sizes) <= customers]
    starts = np.concatenate([[0], np.cumsum(sizes)])[:-1]
    wanted, guarantees = guarantees, int(guarantees * 1.3)  # a firm drawn twice gives none: drawn more, cut
    inner = int(guarantees * 0.97)
    cluster = rng.choice(len(sizes), size=inner, p=sizes / sizes.sum())
    a = starts[cluster] + (rng.random(inner) * sizes[cluster]).astype(np.int64)
    b = starts[cluster] + (rng.random(inner) * sizes[cluster]).astype(np.int64)
    near = guarantees - inner
    c1 = rng.integers(0, len(sizes) - 50, size=near)
    c2 = c1 + rng.integers(1, 50, size=near)
    a2 = starts[c1] + (rng.random(near) * sizes[c1]).astype(np.int64)
    b2 = starts[c2] + (rng.random(near) * sizes[c2]).astype(np.int64)
    guarantor, borrower = np.concatenate([np.minimum(a, b), a2]), np.concatenate([np.maximum(a, b), b2])
    distinct = guarantor != borrower
    keep = rng.permutation(np.flatnonzero(distinct))[: wanted - rings * 4]
    guarantor, borrower = guarantor[keep], borrower[keep]
    ring_g, ring_b, firsts = [], [], []
    for c in rng.choice(np.flatnonzero(sizes >= 3), size=rings, replace=False):
        members = np.sort(
            rng.choice(sizes[c], size=min(int(rng.integers(2, 7)), int(sizes[c])), replace=False)
        )
        members = members + starts[c]
        ring_g += members.tolist()
        ring_b += np.roll(members, -1).tolist()
        firsts.append(int(members[0]) + 1)
    return (
        np.concatenate([guarantor, ring_g]) + 1,
        np.concatenate([borrower, ring_b]) + 1,
        np.array(firsts, dtype=np.int64),
    )


def load(customers: int, guarantor: np.ndarray, borrower: np.ndarray) -> None:
    """The customers (master data only) and the guarantees, in bulk."""
    put = Loader()
    for start in range(1, customers + 1, CHUNK):
        put(
            Customer,
            [
                {
                    "id": i,
                    "name": f"担保测试{i}号有限公司",
                    "uscc": f"G{i:017d}",
                    "industry": "manufacturing",
                    "size": "small",
                    "credit_record": "clean",
                    "listed": False,
                    "watchlist": False,
                    "live_limit": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(start, min(start + CHUNK, customers + 1))
            ],
        )
    amounts = np.random.default_rng(7).integers(1, 50, size=len(guarantor)) * 100_000
    for start in range(0, len(guarantor), CHUNK):
        put(
            Guarantee,
            [
                {
                    "id": k + 1,
                    "customer_id": int(borrower[k]),
                    "guarantor_id": int(guarantor[k]),
                    "kind": "guarantee",
                    "amount": int(amounts[k]),
                    "signed_on": SIGNED,
                    "status": "active",
                    "created_at": NOW,
                }
                for k in range(start, min(start + CHUNK, len(guarantor)))
            ],
        )
    db.session.commit()
    analyse()


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def with_networkx(network: graph.Network) -> float | None:
    """The circles found with networkx's strongly connected components over the same pairs (seconds), if the
    library is installed (it is not a dependency any more)."""
    try:
        import networkx as nx
    except ImportError:
        return None
    started = time.perf_counter()
    built = nx.DiGraph()
    built.add_edges_from(zip(network.guarantors.tolist(), network.borrowers.tolist(), strict=True))
    sum(1 for c in nx.strongly_connected_components(built) if len(c) > 1)
    return time.perf_counter() - started


def run(url: str, customers: int, guarantees: int, rings: int, compare: bool) -> None:
    app = fresh_app(url, f"circles_{customers}")
    with app.app_context():
        guarantor, borrower, firsts = book(customers, guarantees, rings)
        _, seconds = timed(lambda: load(customers, guarantor, borrower))
        print(f"\n{customers:,} customers, {len(guarantor):,} guarantees (loaded in {seconds:.1f} s)")
        network, read = timed(circles.active_network)
        labels, scc = timed(lambda: graph.components(network))
        found, circled = timed(lambda: graph.circles_in(network, labels))
        longest = circles.policy_length()
        condensed, condensing = timed(lambda: graph.condense(network, labels))
        chains, chained = timed(
            lambda: graph.chains_in(network, longest, circles_kept.CHAINS_KEPT, condensed=condensed)
        )
        print(
            f"  read the guarantees in force   {read:7.2f} s  ({network.size:,} firms, {len(network.guarantors):,} pairs)"
        )
        print(f"  strongly connected components  {scc:7.2f} s")
        print(
            f"  circles                        {circled:7.2f} s  ({len(found):,}; largest {len(found[0].members)} firms)"
        )
        print(f"  condensation, chain lengths    {condensing:7.2f} s  (counted once for both reads below)")
        print(
            f"  long chains (> {longest} steps)         {chained:7.2f} s  ({len(chains)} kept; longest {len(chains[0].steps)} steps)"
        )
        on, marked = timed(lambda: graph.on_long_chains(network, longest, condensed))
        print(f"  every firm on a long chain     {marked:7.2f} s  ({len(on):,} firms, for the warning rules)")
        members = {m for c in found for m in c.members}
        print(f"  planted rings found in a circle {sum(int(f) in members for f in firsts)} of {len(firsts)}")
        scan, whole = timed(circles_kept.refresh_book)
        print(
            f"  the beat's scan, end to end    {whole:7.2f} s  ({scan.members:,} firms kept in circles; goal < 60 s)"
        )
        again, steady = timed(circles_kept.refresh_book)
        print(f"  again, nothing changed         {steady:7.2f} s  (joined {again.joined}, left {again.left})")
        kept_on = db.session.scalar(select(func.count()).select_from(GuaranteeChainMember))
        print(f"  firms kept on a long chain     {kept_on:,}")
        if compare:
            before = with_networkx(network)
            if before is not None:
                ratio = before / max(scc + circled, 1e-9)
                print(f"  networkx, same circles         {before:7.2f} s  ({ratio:.0f}x the time of scipy's)")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of the process     {rss:7.0f} MB")
    close([], None)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CREDIT_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--guarantees", type=int, default=3_000_000)
    parser.add_argument("--circles", type=int, default=2000)
    args = parser.parse_args(argv)
    print(f"database {masked(args.database_url)}")
    trigram_in_public(args.database_url)
    tenth = (args.customers // 10, args.guarantees // 10, args.circles // 10)
    run(args.database_url, *tenth, compare=True)
    run(args.database_url, args.customers, args.guarantees, args.circles, compare=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
