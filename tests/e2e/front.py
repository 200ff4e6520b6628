"""The front a deployment puts before a multi-process Odoo, for browsers.

With ``--workers``, Odoo serves HTTP on ``--http-port`` and its websocket
(the bus: notifications, the check-in screen's live updates) on
``--gevent-port`` only; a reverse proxy sends ``/websocket`` to the latter
(the README's nginx example, and Odoo's deployment guide). A browser that
reached the HTTP port directly would have its websocket refused, with an
ERROR in the server's log.

``Front`` does that routing on loopback: it reads the first request line of
each new connection and pipes the connection, bytes unchanged, to the
gevent port when the path starts with ``/websocket``, to the HTTP port
otherwise. Browsers open a connection of its own for a websocket, so the
first request decides for the connection.
"""

import contextlib
import socket
import threading

import run as runner

MAX_REQUEST_LINE = 65536


class Front:
    def __init__(self, http_port, gevent_port):
        self.http_port = http_port
        self.gevent_port = gevent_port
        self.port = runner.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._route, args=(client,), daemon=True).start()

    def _route(self, client):
        data = b""
        with contextlib.suppress(OSError):
            while b"\r\n" not in data and len(data) < MAX_REQUEST_LINE:
                chunk = client.recv(4096)
                if not chunk:
                    break
                data += chunk
        parts = data.split(b"\r\n", 1)[0].split(b" ")
        path = parts[1] if len(parts) > 1 else b""
        port = self.gevent_port if path.startswith(b"/websocket") else self.http_port
        try:
            upstream = socket.create_connection(("127.0.0.1", port))
            upstream.sendall(data)
        except OSError:
            client.close()
            return
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)

    def close(self):
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.close()


def _pipe(source, target):
    """Copy until the source ends, then end the target's side too."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
    with contextlib.suppress(OSError):
        source.close()
