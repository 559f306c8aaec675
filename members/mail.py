"""E-mail the portal sends outside its notices (invitations, replies to applicants).

``queue_mail`` is the one way to send such a message: it never blocks or fails the save that
asks for it; the message goes once the transaction commits.
"""

from django.core.mail import send_mail
from django.db import transaction


def queue_mail(recipients, subject, body):
    """Send ``subject``/``body`` to each address once the current transaction commits."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return 0

    def send():
        send_mail(str(subject), str(body), None, recipients, fail_silently=True)

    transaction.on_commit(send)
    return len(recipients)
