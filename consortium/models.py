"""What the footing itself records: each create submitted once (web forms and the API)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionChannel(models.TextChoices):
    WEB = "web", _("网页表单")
    API = "api", _("接口")


class SubmissionKey(models.Model):
    """A create submitted with a one-time key (a form's hidden key, an API Idempotency-Key) and what it made.

    The key row is written in the same transaction as the record, first: a second submission with
    the same key waits on the unique index for the first to commit, then finds the row and is
    answered with the record the first one made instead of making another.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=SubmissionChannel.choices)
    key = models.CharField(_("提交键"), max_length=100)
    # API: the hash of the method, path and body, so a different request with the same key is told apart.
    fingerprint = models.CharField(_("请求摘要"), max_length=64, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("提交记录")
        verbose_name_plural = _("提交记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel", "key"], name="submission_key_unique"),
        ]

    def __str__(self):
        return f"{self.channel}:{self.key}"
