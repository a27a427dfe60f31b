"""Progress lines for long steps: on stderr, since dbt keeps its own stdout."""

from __future__ import annotations

import sys
from collections.abc import Callable


def stderr_progress(prefix: str) -> Callable[[str], None]:
    """A progress callback that prints ``[prefix] message`` on stderr, flushed at once."""

    def report(message: str) -> None:
        print(f"[{prefix}] {message}", file=sys.stderr, flush=True)

    return report
