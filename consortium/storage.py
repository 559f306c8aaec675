"""Uploaded files follow the database transaction they were written in.

- A file is written to a temporary name beside its target and linked into place only once it is
  complete, so a full disk leaves no partial file; it raises StorageFull, whose Chinese message
  the forms and the API show.
- Inside ``files_follow_transaction()`` (the footing's saves: consortium.views, consortium.api),
  every file written is deleted again when the transaction does not commit — an exception, a
  rollback asked for, or a commit that failed because the database went away.
- What a killed process still leaves behind (a temporary file, a file whose row never committed)
  is found by ``manage.py clean_orphan_files``.
"""

import contextvars
import errno
import logging
import os
import tempfile
from contextlib import contextmanager

from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils.translation import gettext as _

log = logging.getLogger("consortium")
TEMP_PREFIX = ".upload-"
_written = contextvars.ContextVar("portal_written_files", default=None)


class StorageFull(OSError):
    """The disk (or the quota) is full: nothing of the file was kept."""

    def __init__(self):
        super().__init__(
            errno.ENOSPC, _("服务器存储空间不足，文件未保存，其他内容也未保存。请稍后重试或联系联合体秘书处。")
        )

    def __str__(self):
        return self.strerror


class TransactionalFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that never leaves a partial file and reports what it wrote to the footing."""

    def _write(self, fh, content) -> None:
        for chunk in content.chunks():
            fh.write(chunk)
        fh.flush()

    def _save(self, name, content):
        full = self.path(name)
        directory = os.path.dirname(full)
        os.makedirs(directory, exist_ok=True, mode=self.directory_permissions_mode or 0o777)
        fd, temp = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=".part")
        try:
            try:
                with os.fdopen(fd, "wb") as fh:
                    if hasattr(content, "seek"):
                        content.seek(0)
                    self._write(fh, content)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    log.error("upload not stored, disk full: %s", name)
                    raise StorageFull() from exc
                raise
            os.chmod(temp, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(temp, full)  # fails rather than overwrite a file someone else wrote meanwhile
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full = self.path(name)
        finally:
            try:
                os.unlink(temp)
            except FileNotFoundError:
                pass
        written = _written.get()
        if written is not None:
            written.append(full)
        return str(name).replace("\\", "/")


@contextmanager
def files_follow_transaction():
    """transaction.atomic() whose newly written files are deleted unless it commits."""
    written: list[str] = []
    token = _written.set(written)
    committed = False
    try:
        with transaction.atomic():
            yield
            rolled_back = transaction.get_rollback()
        # Only here has the commit itself succeeded (it fails when the database went away).
        committed = not rolled_back
    finally:
        _written.reset(token)
        if not committed:
            for path in written:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
