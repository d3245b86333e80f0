"""`make bench`: the figures the issues ask for, printed as a small table.

Runs against a throwaway SQLite database (or DATABASE_URL's server, in a database
named with a `bench_` prefix) so the demo data is never touched.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyhub.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

Row = tuple[str, str, str, str]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Return the wall times of `repeat` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_import() -> list[Row]:
    from lessons import importer

    data = (ROOT / "lessons" / "data" / "lecture-2020-organisation-line.txt").read_bytes()
    importer.parse_file(data, "warm-up.txt")
    times = timed(lambda: importer.parse_file(data, "lecture.txt"), 30)
    median = statistics.median(times)
    verdict = "ok" if median < 150 else "SLOW"
    return [
        ("import sample lecture (parse)", f"{median:.1f} ms median", "-", f"< 150 ms {verdict}")
    ]


def bench_pages() -> list[Row]:
    from django.test import Client

    from tests.conftest import make_user
    from tests.lessons.factories import make_lecture

    rows: list[Row] = []
    client = Client()
    client.force_login(make_user("bench-reader"))
    lecture = make_lecture(sections=200, terms=300)
    section = lecture.sections.order_by("position")[100]
    pages = [
        ("lecture page (200 sections, 300 terms)", lecture.get_absolute_url()),
        ("section page (200 sections, 300 terms)", section.get_absolute_url()),
    ]
    for label, url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Count now: every request starts by resetting the connection's query log.
        query_count = len(queries)
        assert response.status_code == 200, (url, response.status_code)
        times = timed(lambda url=url: client.get(url), 20)
        rows.append((label, f"{statistics.median(times):.1f} ms median", str(query_count), ""))
    return rows


def main() -> None:
    from django.test.utils import get_runner

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        from tests.groups.factories_sessions import measure_session_pages

        rows = [*bench_import(), *bench_pages(), *measure_session_pages()]
    finally:
        runner.teardown_databases(old_config)
    header: Row = ("measurement", "server time", "queries", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
