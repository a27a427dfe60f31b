"""``python -m olist_segmentation.report``: see :mod:`olist_segmentation.report.cli`."""

import sys

from olist_segmentation.report.cli import main

sys.exit(main())
