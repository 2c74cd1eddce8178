"""A real SMTP server on loopback for the integration tests (aiosmtpd, in a thread of the test
process), which can be slow and records every message it accepts."""

from __future__ import annotations

import asyncio
import email
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Accepted:
    message_id: str
    recipients: tuple[str, ...]
    at: float  # time.time() when the server accepted it


class _AnyPortController(Controller):
    """aiosmtpd's controller on a port the kernel picks (port 0)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class RecordingSMTP:
    """Waits `delay` seconds before accepting each message (a slow relay), then records it
    and calls `on_accept(accepted)` in the server's thread before the reply goes out: what
    happens there happens after the server has taken the message."""

    def __init__(
        self, delay: float = 0.0, on_accept: Callable[[Accepted], None] | None = None
    ) -> None:
        self.delay = delay
        self.on_accept = on_accept
        self.accepted: list[Accepted] = []
        self._lock = threading.Lock()
        self._controller = _AnyPortController(self, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> RecordingSMTP:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        accepted = Accepted(message["Message-ID"], tuple(envelope.rcpt_tos), time.time())
        with self._lock:
            self.accepted.append(accepted)
        if self.on_accept is not None:
            self.on_accept(accepted)
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(accepted.message_id for accepted in self.accepted)

    def duplicates(self) -> dict[str, int]:
        """Message-IDs accepted more than once, with how many copies beyond the first."""
        return {mid: count - 1 for mid, count in self.message_ids().items() if count > 1}
