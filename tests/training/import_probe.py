"""Run one upload through training.services.stage_import in a fresh process and report time and memory.

    python tests/training/import_probe.py FILE NAME WARMUP_FILE

Used by test_import_guards.py: memory can only be measured in a process of its own. The
two database look-ups of stage_import (may this user change the session, which people are
already on it) are replaced so that no database is needed, and TraineeImport creation is
recorded instead of stored: everything else — size check, format sniffing, the copy of the
upload, reading and validating, the clean-up — is the service the upload page and API call.
Prints one JSON object: the refusal message and code, seconds, RSS before and peak RSS.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def stage(services, path: str, name: str):
    from django.core.files import File

    with open(path, "rb") as fh:
        try:
            services.stage_import(SimpleNamespace(pk=1), File(fh, name=name), by=None)
        except Exception as exc:  # the refusal, reported to the test
            return exc
    return None


def main() -> None:
    path, name, warmup = sys.argv[1:4]
    import django

    django.setup()
    from training import services

    stored = []
    services._check_can_change = lambda session, user: None
    services.existing_person_keys = lambda session: set()
    services.TraineeImport = SimpleNamespace(objects=SimpleNamespace(create=lambda **kw: stored.append(kw)))

    stage(services, warmup, name)  # loads every module the read needs, so they are not counted
    stored.clear()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (VmHWM) to the current RSS
        peak_field = "VmHWM"
    except OSError:
        peak_field = None
    before = status_kb("VmRSS")
    t0 = time.perf_counter()
    exc = stage(services, path, name)
    seconds = time.perf_counter() - t0
    peak = status_kb(peak_field) if peak_field else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    imports = services.imports_dir()
    print(
        json.dumps(
            {
                "refused": exc is not None,
                "kind": type(exc).__name__,
                "messages": getattr(exc, "messages", [str(exc)]) if exc is not None else [],
                "code": getattr(exc, "code", None),
                "seconds": seconds,
                "rss_before_kb": before,
                "peak_kb": peak,
                "growth_mb": (peak - before) / 1024,
                "stored": len(stored),
                "files_left": sorted(p.name for p in imports.iterdir()),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
