"""The work ``load_day.py``'s simulated staff find waiting, added after the demo: cases at the officer's
review of the proposal (复核授信方案) and cases at the approver's sign-off (审批), driven through the services as
the demo drives its own (``demo._drive``), so each carries its customer, statements, decisions and audit trail.

Run by ``load_day.py`` in a process of its own (the load test's process runs gevent)::

    .venv/bin/python bench/load_day_seed.py --review 300 --approval 200

with the bench's settings in the environment. Prints how many of each it made and how long it took.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

# Far above the demo's own case numbers, so every added case has a customer (name, credit code) of its own.
FIRST_INDEX = 10_000
OFFICERS = ("officer", "officer2", "officer3")


def seed(review: int, approval: int, seed: int = 20261207) -> None:
    from app import create_app
    from app.services.admin import demo
    from app.services.monitoring import realtime

    app = create_app()
    rng = random.Random(seed)
    with app.app_context(), realtime.off():
        officers = [demo._user(name) for name in OFFICERS]
        plan = [("review", i) for i in range(review)] + [("approval", review + i) for i in range(approval)]
        started = time.perf_counter()
        for number, (stage, offset) in enumerate(plan, 1):
            index = FIRST_INDEX + offset
            demo._drive(index, stage, rng, officers[index % len(officers)])
            if number % 100 == 0:
                print(
                    f"  {number} of {len(plan)} cases added ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
        print(
            f"{review} cases waiting at the officer's review, {approval} at the approver's sign-off "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--review", type=int, default=300, help="cases waiting at the officer's review")
    parser.add_argument("--approval", type=int, default=200, help="cases waiting at an approver's sign-off")
    args = parser.parse_args()
    seed(args.review, args.approval)


if __name__ == "__main__":
    main()
