"""Stored files go with their records: a deleted agreement or attachment leaves no file behind."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Agreement, AgreementAttachment


def _remove_after_commit(fieldfile):
    if fieldfile and fieldfile.name:
        storage, name = fieldfile.storage, fieldfile.name
        transaction.on_commit(lambda: storage.delete(name))


@receiver(post_delete, sender=Agreement)
def remove_agreement_scan(sender, instance, **kwargs):
    _remove_after_commit(instance.scan)


@receiver(post_delete, sender=AgreementAttachment)
def remove_attachment_file(sender, instance, **kwargs):
    _remove_after_commit(instance.file)
