"""A real SMTP server for tests (aiosmtpd on a free loopback port), and Celery run in the test.

Fixtures for a test package: import them in its conftest.py (tests/members, tests/training).
"""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from members.tasks import send_notification_emails


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An SMTP server on a loopback port (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def body(self, index=0):
        return self.messages[index][1].get_content()

    def subject(self, index=0):
        # The header as decoded from its RFC 2047 words (folding may leave a leading blank).
        return str(self.messages[index][1]["Subject"]).strip()


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    inbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.PORTAL_BASE_URL = "https://portal.example.cn"
    yield inbox
    inbox.stop()


@pytest.fixture
def eager(monkeypatch):
    """Tasks run in the test's thread (on PostgreSQL+Redis too); monkeypatch restores the mode."""
    monkeypatch.setattr(send_notification_emails.app.conf, "task_always_eager", True)
