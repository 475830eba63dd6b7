"""The reverse proxy in front of Oxigraph's SPARQL server, what clients of ``kg serve`` reach.

Oxigraph's server has no limit on the size of a result: :class:`ProxyServer`
forwards every request to it (a :class:`Backend`, the private port it listens
on) and reads a query's response up to ``max_result_size`` bytes before
sending anything, so a larger one is refused with 507, never sent truncated.
While the server restarts (:func:`kg.serve.serve` starts it again after
SIGHUP or a crash) requests wait for it. Only the standard library is used.

>>> bind_address("::1", 7878), bind_address("127.0.0.1", 7878)
('[::1]:7878', '127.0.0.1:7878')
"""
from __future__ import annotations

import errno
import http.client
import logging
import socket
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kg.errors import Errors, KGError

__all__ = ["DEFAULT_MAX_RESULT_SIZE", "Backend", "ProxyServer", "bind_address", "bind_error", "listen_address"]

log = logging.getLogger(__name__)

DEFAULT_MAX_RESULT_SIZE = 50_000_000
"""Bytes of a query response above which the proxy refuses it with 507 (``--max-result-size``; 0: no limit)."""


def bind_address(host: str, port: int) -> str:
    """``host:port`` as a server's ``--bind`` and a URL write it (an IPv6 address in brackets)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def listen_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple]:
    """The address family and socket address to listen on ``host:port``; E062 if ``host`` does not resolve."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise KGError(Errors.E062.format(address=bind_address(host, port), detail=e)) from e
    family, _, _, _, address = infos[0]
    return family, address


def bind_error(host: str, port: int, error: OSError) -> KGError:
    """The coded error for failing to listen on ``host:port``: E061 when it is taken, else E062."""
    if error.errno == errno.EADDRINUSE:
        return KGError(Errors.E061.format(port=port, host=host))
    return KGError(Errors.E062.format(address=bind_address(host, port), detail=error.strerror or error))


_CHUNK = 64 * 1024
# Headers about one connection, not the message: never passed on (RFC 9110, 7.6.1). Expect: the
# proxy answers "100 Continue" itself.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect"}
)
# The query page's files, built into the server (yasgui.min.js is 1 MB): never capped, so the page works with any limit.
_QUERY_PAGE = frozenset({"/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg"})
_RELAY_ERRORS = (OSError, http.client.HTTPException)


class Backend:
    """Where the Oxigraph server behind the proxy listens: a port on 127.0.0.1, or none while it (re)starts."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._port: int | None = None

    def set_port(self, port: int | None) -> None:
        with self._changed:
            self._port = port
            self._changed.notify_all()

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        """An open connection to the server, waiting up to ``timeout`` seconds while it restarts.

        Raises ``ConnectionError`` if it is not back by then.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._port is not None, max(0.0, deadline - time.monotonic()))
                port = self._port
            if port is not None:
                connection = http.client.HTTPConnection("127.0.0.1", port)
                try:
                    connection.connect()
                    return connection
                except ConnectionRefusedError:
                    pass  # it has just stopped; serve() will publish the next port
            if time.monotonic() >= deadline:
                raise ConnectionError(f"it did not come back within {timeout:g} s")
            time.sleep(0.05)


class ProxyServer(ThreadingHTTPServer):
    """Listens on ``host:port`` and forwards every request to the :class:`Backend`, one thread per connection.

    A response to a query (any path but the query page's files) is read up
    to ``max_result_size`` bytes before anything is sent: a complete one goes
    out whole with its Content-Length; a longer one is refused with 507 and
    the server's connection is closed, which stops the query. So memory stays
    under the limit per request, and a client never gets a truncated result
    that looks complete. ``max_result_size`` 0 streams every response as it
    comes. Writes (PUT, DELETE, PATCH, POST to /update or /store) get 403
    here, as Oxigraph would answer them. Raises ``KGError`` (E061, E062)
    when ``host:port`` cannot be listened on.
    """

    daemon_threads = True

    def __init__(
        self,
        host: str,
        port: int,
        backend: Backend,
        *,
        max_result_size: int = DEFAULT_MAX_RESULT_SIZE,
        cors: bool = True,
        wait_s: float = 15.0,
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        self.backend = backend
        self.max_result_size = max_result_size
        self.cors = cors
        self.wait_s = wait_s
        self.tell = on_message or log.info
        self.address_family, address = listen_address(host, port)
        try:
            super().__init__(address, _ProxyHandler)
        except OSError as e:
            raise bind_error(host, port, e) from e

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's, which looks the host up in DNS
        self.server_name, self.server_port = self.socket.getsockname()[:2]  # the server_address just bound


class _ProxyHandler(BaseHTTPRequestHandler):
    """One client connection of :class:`ProxyServer`."""

    server: ProxyServer
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length or is chunked
    server_version = "kg-serve"
    timeout = 120  # seconds a client connection may stay idle (or stall) before it is closed

    def do_GET(self) -> None:
        try:
            self._forward()
        except _RELAY_ERRORS as e:
            # The client went away, or the server stopped in the middle of a streamed body: closing
            # the connection before the end of the body tells the client its copy is incomplete.
            log.debug("%s %s cut off: %s", self.command, self.path, e)
            self.close_connection = True

    do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = do_GET

    def _forward(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if self.command in ("PUT", "DELETE", "PATCH") or (
            self.command == "POST" and (path in ("/update", "/store") or path.startswith("/store/"))
        ):
            self._answer(403, "The server is read-only")  # Oxigraph's own words for the same refusal
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._answer(411, "Send the request with a Content-Length header (chunked request bodies are not supported).")
            return
        length = self.headers.get("Content-Length", "0").strip()
        if not length.isdigit():
            self._answer(400, f"Invalid Content-Length {length!r}.")
            return
        try:
            upstream = self.server.backend.connect(self.server.wait_s)
        except ConnectionError as e:
            self._answer(503, Errors.E068.format(detail=e), ("Retry-After", "1"))
            return
        try:
            self._relay(upstream, int(length), limit=0 if path in _QUERY_PAGE else self.server.max_result_size)
        finally:
            upstream.close()  # after a refusal, this is what stops Oxigraph producing the result

    def _relay(self, upstream: http.client.HTTPConnection, length: int, *, limit: int) -> None:
        """Pass the request on and answer with the server's response, or 507 if it is over ``limit`` bytes (0: none)."""
        try:
            self._send_request(upstream, length)
            response = upstream.getresponse()
            capped = bool(limit) and _has_body(self.command, response.status)
            body = _read_up_to(response, limit) if capped else None
        except _RELAY_ERRORS as e:
            self._answer(502, Errors.E068.format(detail=f"it stopped while answering: {str(e) or type(e).__name__}"))
            return
        if not capped:
            self._stream(response)
        elif body is None:
            self.server.tell(f"Refused a result over {limit:,} bytes to {self.client_address[0]} (HTTP 507)")
            self._answer(507, Errors.E067.format(limit=limit))
        else:
            self._start(response, {"Content-Length": str(len(body))})
            self.wfile.write(body)

    def _send_request(self, upstream: http.client.HTTPConnection, length: int) -> None:
        """The client's request line, headers (its Host too) and body, passed on as they come."""
        upstream.putrequest(self.command, self.path, skip_host="Host" in self.headers, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in _HOP_BY_HOP:
                upstream.putheader(name, value)
        upstream.endheaders()
        while length > 0:
            data = self.rfile.read(min(length, _CHUNK))
            if not data:
                raise ConnectionError("the client sent less than its Content-Length")
            upstream.send(data)
            length -= len(data)

    def _stream(self, response: http.client.HTTPResponse) -> None:
        """Relay the response as it comes: no limit applies, or it has no body."""
        if not _has_body(self.command, response.status):
            self._start(response, {})
            return
        if response.length is not None:
            framing = {"Content-Length": str(response.length)}
        elif self.request_version == "HTTP/1.0":
            framing = {"Connection": "close"}  # the end of the connection ends the body
        else:
            framing = {"Transfer-Encoding": "chunked"}
        self._start(response, framing)
        chunked = "Transfer-Encoding" in framing
        while chunk := response.read1(_CHUNK):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if response.length:
            raise http.client.IncompleteRead(b"", response.length)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _start(self, response: http.client.HTTPResponse, framing: dict[str, str]) -> None:
        """Send the server's status line and headers, with ``framing`` in place of its own body framing."""
        self.log_request(response.status)
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP and not (framing and name.lower() == "content-length"):
                self.send_header(name, value)
        for name, value in framing.items():
            self.send_header(name, value)
        self.end_headers()

    def _answer(self, status: int, message: str, *headers: tuple[str, str]) -> None:
        """A one-line plain-text answer from the proxy itself; the connection closes after it (a body may be unread)."""
        body = f"{message}\n".encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.server.cors:
            self.send_header("Access-Control-Allow-Origin", "*")  # so that a page on another origin can show it
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _has_body(method: str, status: int) -> bool:
    return method != "HEAD" and status >= 200 and status not in (204, 304)


def _read_up_to(response: http.client.HTTPResponse, limit: int) -> bytearray | None:
    """The whole body of ``response``, or ``None`` as soon as it is longer than ``limit`` bytes.

    Raises ``http.client.IncompleteRead`` if the server stops before the end of the body.
    """
    if response.length is not None and response.length > limit:
        return None  # announced too long: not read at all
    body = bytearray()
    while chunk := response.read1(min(_CHUNK, limit + 1 - len(body))):
        body += chunk
        if len(body) > limit:
            return None
    if response.length:  # a Content-Length body that ended early (a chunked one raises in read1)
        raise http.client.IncompleteRead(bytes(body), response.length)
    return body
