"""Settings for bench/rollup_and_dashboard.py: the portal's settings plus a bare 20 KB page."""

from consortium.settings import *  # noqa: F403
from consortium.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "kpi_bench_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
