"""`make bench`: the nightly atomic build vs a DuckDB floor and a pandas notebook (olist_bench/).

    python bench/run_bench.py --scales real,1,10[,100] --out bench/RESULTS.md \
        --work /tmp/olist-bench

Each scale's measurements are also saved as JSON under ``WORK/results``: ``--reuse`` skips the
scales measured already and ``--report-only`` rewrites the report from them.
"""

import sys

from olist_bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
