"""Production settings plus the floor's URL, for `make loadtest` (bench/loadtest.py)."""

from studyhub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
