"""A real SMTP server on the loopback for tests: Django sends through its SMTP backend to this server,
over a socket, as it would to a school's mail relay, and tests read what arrived.

    with SmtpServer() as smtp:
        ...  # point EMAIL_HOST / EMAIL_PORT at smtp.host / smtp.port
        message = smtp.wait_for("teacher@school.example")
        url = first_link(message)
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
WAIT_SECONDS = 15.0
_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope's recipients and the parsed text."""

    sender: str
    recipients: tuple[str, ...]
    to: str
    subject: str
    text: str


def _text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n") if part is not None else ""


class _Collector:
    """aiosmtpd handler: keeps every message; runs in the server's own thread."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        received = Received(
            sender=envelope.mail_from,
            recipients=tuple(address.lower() for address in envelope.rcpt_tos),
            to=str(parsed.get("To", "")),
            subject=str(parsed.get("Subject", "")),
            text=_text_body(parsed),
        )
        with self.arrived:
            self.messages.append(received)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port to check it is up, so it needs a real number
    # rather than 0; the gap between closing this socket and the server binding it is tiny.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """An SMTP server on 127.0.0.1 and a free port, collecting messages until stopped."""

    def __init__(self) -> None:
        self._collector = _Collector()
        self.host = HOST
        self.port = _free_port()
        # A fixed hostname: the default asks the resolver for this machine's name, which can stall.
        self._controller = Controller(
            self._collector, hostname=self.host, port=self.port, server_hostname="localhost"
        )

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def messages(self) -> list[Received]:
        with self._collector.arrived:
            return list(self._collector.messages)

    def messages_to(self, address: str, *, subject: str = "") -> list[Received]:
        """Messages to `address` (whose subject contains `subject`, if given), oldest first."""
        return [
            m
            for m in self.messages
            if address.lower() in m.recipients and subject.lower() in m.subject.lower()
        ]

    def wait_for(
        self, address: str, *, subject: str = "", count: int = 1, timeout: float = WAIT_SECONDS
    ) -> Received:
        """The `count`-th message to `address` (whose subject contains `subject`), once it has arrived."""
        deadline = time.monotonic() + timeout
        with self._collector.arrived:
            while True:
                found = self.messages_to(address, subject=subject)
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.recipients, m.subject) for m in self._collector.messages]
                    raise AssertionError(
                        f"Message {count} to {address} ({subject or 'any subject'}) did not arrive "
                        f"within {timeout:.0f}s; the server received: {seen}"
                    )
                self._collector.arrived.wait(left)


def first_link(message: Received) -> str:
    """The first http(s) link in the message's text."""
    found = _LINK.search(message.text)
    if found is None:
        raise AssertionError(f"No link in the message {message.subject!r}:\n{message.text}")
    return found.group(0).rstrip(".,;:)")
