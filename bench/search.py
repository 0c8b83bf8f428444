"""Benchmark of the search box (`make bench-search`).

Loads the province of `bench/pages.py` (its `fill`: 10,000,000 complaints and 1,000,000
incidents written from `bench/vocabulary.py`, the search indexes rebuilt after; no deadlines),
then searches the complaint list by phone, by number and by two-character Chinese words of
known frequency, as a page and as its API twin, through Django's test client.

    python bench/search.py                 # load (about an hour on two cores) and measure
    python bench/search.py --load-only     # load only
    python bench/search.py --reuse         # measure the data of the last load
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=1095, help="history the records span")
    parser.add_argument("--repeat", type=int, default=40, help="calls of each case per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last load")
    parser.add_argument("--load-only", action="store_true", help="load, do not measure")
    args = parser.parse_args()
    setup_django()
    load = None
    if not args.reuse:
        from bench.pages import fill

        print("loading …", flush=True)
        start = time.perf_counter()
        fill(args.incidents, args.complaints, args.days, deadlines=False)
        load = time.perf_counter() - start
        print(f"  load: {load / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
