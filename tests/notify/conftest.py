"""Fixtures of the notification tests: a real SMTP server (aiosmtpd), a real HTTP receiver for the
SMS / WeChat Work adapters (de-duplicating on the Idempotency-Key, as a provider relay does), and
orders moved through the real work-order services."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notify.reference import install_reference_data
from workorders import services as wo


@pytest.fixture(autouse=True)
def _notify_defaults(db: Any, settings: Any) -> None:
    install_reference_data()
    settings.NOTIFY_KICK_ON_COMMIT = False  # tests deliver explicitly (one test checks the kick)
    settings.NOTIFY_SMS_URL = ""
    settings.NOTIFY_WECOM_URL = ""
    settings.NOTIFY_EMAIL_ENABLED = False
    settings.PUBLIC_BASE_URL = "https://service.example.cn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- SMTP -------------------------------------------------------------------------------------


class MailBox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted"

    def parsed(self) -> list[Any]:
        return [message_from_bytes(envelope.content) for envelope in self.messages]


def header_text(value: str) -> str:
    return str(make_header(decode_header(value)))


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[MailBox]:
    box = MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.NOTIFY_EMAIL_ENABLED = True
    settings.NOTIFY_EMAIL_FROM = "service@example.cn"
    try:
        yield box
    finally:
        controller.stop()


# --- HTTP receiver (SMS gateway / WeChat Work relay) -------------------------------------------


class Receiver:
    """A provider endpoint: accepts each Idempotency-Key once and answers a repeat with the same id."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.accepted: dict[str, str] = {}
        self.replays: list[str] = []
        self.status = 200
        self.delay = 0.0
        self.answer: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        payload = json.loads(handler.rfile.read(length) or b"{}")
        key = handler.headers.get("Idempotency-Key", "")
        with self.lock:
            self.requests.append({"path": handler.path, "headers": dict(handler.headers), "json": payload})
        if self.delay:
            time.sleep(self.delay)
        if self.status != 200:
            self._reply(handler, self.status, {"error": "provider unavailable"})
            return
        with self.lock:
            if key in self.accepted:
                self.replays.append(key)
            else:
                self.accepted[key] = f"prov-{len(self.accepted) + 1}"
            provider_id = self.accepted[key]
        self._reply(handler, 200, {"message_id": provider_id, "msgid": provider_id, "errcode": 0, **self.answer})

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client (a killed worker, or one that timed out) is gone


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state.handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- orders ------------------------------------------------------------------------------------


def new_order(agent: Any, customer: Any, **extra: Any) -> Any:
    return wo.workorder_create(
        acting_user=agent,
        customer=customer,
        service_type="repair",
        channel="phone",
        description="电动车无法启动",
        **extra,
    )


def accepted_order(agent: Any, customer: Any) -> Any:
    order = new_order(agent, customer)
    return wo.workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})


@pytest.fixture
def admin_user_(org: Any) -> Any:
    from core.testing import make_user

    return make_user("admin", org.hq, username="admin1")
