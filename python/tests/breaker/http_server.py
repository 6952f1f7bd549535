"""A real HTTP server on 127.0.0.1 that fails on command, for the transport tests.

``FlakyHTTPServer`` answers every request with ``status`` (200 until told
otherwise), or, when ``drop`` is set, closes the connection without a word.
It counts the requests that reached it in ``hits``: a request the breaker
rejected never does. HTTP/1.0, so no connection (and no handler thread)
outlives its request.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class FlakyHTTPServer:
    def __init__(self) -> None:
        self.status = 200
        self.drop = False
        self.hits = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FlakyHTTPServer:
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with flaky._lock:
                    flaky.hits += 1
                    status, drop = flaky.status, flaky.drop
                if drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                body = f"status {status}\n".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="flaky-http"
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
