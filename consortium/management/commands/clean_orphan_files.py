"""Lists and removes uploaded files that no record refers to, older than a day.

Such files come from a process killed between writing a file and committing its row, or a
temporary upload file left by one killed mid-write. The trainee-import working files under
imports/ have their own clean-up (training.tasks.discard_stale_trainee_previews) and are left
alone here.
"""

import os
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models

SKIPPED_DIRS = ("imports",)


def referenced_names() -> set[str]:
    """Every name stored in a FileField of any model (the media-relative path)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                values = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                names.update(v for v in values.iterator(chunk_size=2000) if v)
    return names


def orphans(root: Path, min_age_seconds: float):
    referenced = referenced_names()
    now = time.time()
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:1] and rel_dir.parts[0] in SKIPPED_DIRS:
            dirnames[:] = []
            continue
        for filename in filenames:
            path = Path(dirpath) / filename
            name = (rel_dir / filename).as_posix()
            if name in referenced:
                continue
            stat = path.stat()
            if now - stat.st_mtime >= min_age_seconds:
                yield path, name, stat


class Command(BaseCommand):
    help = "列出并删除没有任何记录引用、且超过指定时间的上传文件。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="只处理早于这么多小时的文件（默认 24）")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, hours, dry_run, **options):
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            self.stdout.write("0 orphan files")
            return
        count = size = 0
        for path, name, stat in orphans(root, hours * 3600):
            count += 1
            size += stat.st_size
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name} ({stat.st_size} bytes)")
            if not dry_run:
                path.unlink(missing_ok=True)
        self.stdout.write(f"{count} orphan files, {size} bytes{' (dry run)' if dry_run else ''}")
