"""An HTTP server on 127.0.0.1 (a free port) in a background thread: what the local API stand-ins share."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    """Serves `handler` (a BaseHTTPRequestHandler subclass) with `state` as its class attribute `state`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], state: object):
        self.state = state
        bound = type("Handler", (handler,), {"state": state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        # A short poll interval lets shutdown() return quickly at the end of every test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
