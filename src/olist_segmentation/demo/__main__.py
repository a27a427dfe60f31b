"""``python -m olist_segmentation.demo --out DIR [--customers N] [--seed 42] [--gzip]``."""

import sys

from olist_segmentation.demo.cli import main

sys.exit(main())
