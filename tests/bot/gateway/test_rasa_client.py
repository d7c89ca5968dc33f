"""The Rasa client over real sockets: a pooled connection that the server drops before replying
is not the end of the message; it is sent once more, on a connection of its own."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from bot.gateway.rasa_client import RasaClient


class DroppingRasa:
    """A Rasa REST endpoint over a real socket. It answers the first request on each connection
    and keeps the connection open; a second request on that connection is read, then the
    connection is closed (FIN) or reset (RST) before any reply, as by a worker that died."""

    def __init__(self, drop: str) -> None:
        self.drop = drop
        self.answered: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        for served in range(2):
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                if not line:
                    return
                head += line
            length = int(
                next(
                    h.split(b":")[1]
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length")
                )
            )
            message = json.loads(reader.read(length))["message"]
            if served == 1:
                if self.drop == "resets":
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                connection.close()
                return
            self.answered.append(message)
            body = json.dumps([{"recipient_id": "p1", "text": f"answer to {message}"}]).encode()
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )

    def close(self) -> None:
        self._server.close()
        for connection in self._connections:
            connection.close()


@pytest.fixture(params=["closes", "resets"])
def rasa(request) -> Iterator[DroppingRasa]:
    server = DroppingRasa(request.param)
    yield server
    server.close()


async def test_message_dropped_on_a_pooled_connection_is_answered_on_a_fresh_one(rasa):
    client = RasaClient(rasa.url, "http://127.0.0.1:9", "token", 5.0)
    try:
        assert await client.send_message("p1", "one") == [
            {"recipient_id": "p1", "text": "answer to one"}
        ]
        # Goes out on the pooled connection, which the server drops; then on a fresh one.
        assert await client.send_message("p1", "two") == [
            {"recipient_id": "p1", "text": "answer to two"}
        ]
    finally:
        await client.close()
    assert rasa.answered == ["one", "two"]
