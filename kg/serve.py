"""A read-only SPARQL 1.1 endpoint over the store: ``kg serve`` runs Oxigraph's own server behind a small proxy.

The server is the ``oxigraph`` binary from the PyPI package ``oxigraph`` (same
engine and version series as pyoxigraph), run as ``oxigraph serve-read-only``
with ``--union-default-graph`` so that the endpoint answers exactly like
``kg query``: a query sees the union of all article graphs. It speaks the
SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``), picks
JSON, XML, CSV or TSV results (Turtle, JSON-LD, ... for CONSTRUCT) by the
Accept header, refuses SPARQL Update and Graph Store writes with 403, and
serves a YASGUI query page at ``/``.

The server listens on 127.0.0.1 on a private port. What clients reach, on
``--host``/``--port``, is :class:`ProxyServer`, a standard-library reverse
proxy that forwards every request to it and adds what Oxigraph lacks: a cap
on the size of a result (``--max-result-size``; a larger one is refused with
507, never sent truncated), and holding requests while the server restarts.
This module builds the command line, starts the process, waits until it
answers, starts it again if it dies, and forwards signals: SIGINT/SIGTERM stop
it, SIGHUP restarts it so it sees what ``kg build`` wrote since (a read-only
Oxigraph keeps the view of the store it opened with). See docs/serve.md.

>>> server_command("kg-store", "127.0.0.1", 41234, timeout_s=30, binary="oxigraph")
['oxigraph', 'serve-read-only', '--location', 'kg-store', '--bind', '127.0.0.1:41234', '--union-default-graph', '--cors', '--timeout-s', '30']
>>> parse_size("50MB"), parse_size("500 kb"), parse_size("2KiB"), parse_size("1048576"), parse_size("0")
(50000000, 500000, 2048, 1048576, 0)
>>> base_url("::1", 7878)
'http://[::1]:7878/'
>>> query_page_url("http://127.0.0.1:7878/", "ASK {}")
'http://127.0.0.1:7878/?query=ASK%20%7B%7D&endpoint=http%3A%2F%2F127.0.0.1%3A7878%2Fquery'
"""
from __future__ import annotations

import collections
import errno
import http.client
import logging
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import Errors, KGError
from kg.rdf.store import store_path

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RESULT_SIZE",
    "parse_size",
    "find_server",
    "server_command",
    "base_url",
    "query_page_url",
    "check_port",
    "wait_until_ready",
    "start_server",
    "stop_server",
    "Backend",
    "ProxyServer",
    "serve",
]

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
"""Seconds after which the server cancels a query (Oxigraph's ``--timeout-s``)."""
DEFAULT_MAX_RESULT_SIZE = 50_000_000
"""Bytes of a query response above which the proxy refuses it with 507 (``--max-result-size``; 0: no limit)."""

_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}
_CRASHES_ALLOWED = 5
_CRASH_WINDOW = 60.0
_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(text: str) -> int:
    """Bytes in ``text``: a whole number with an optional unit, B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB.

    Case and a space before the unit do not matter. Raises ``ValueError`` (E066) otherwise.
    """
    match = re.fullmatch(r"(\d+)\s*([a-z]*)", text.strip().lower())
    if not match or match[2] not in _SIZE_UNITS:
        raise ValueError(Errors.E066.format(value=text))
    return int(match[1]) * _SIZE_UNITS[match[2]]


def find_server() -> str:
    """Path of the ``oxigraph`` server binary: beside this Python (the venv's ``bin/``), else on ``PATH``.

    Raises ``KGError`` (E060) when neither has it.
    """
    scripts = Path(sys.executable).parent
    for name in ("oxigraph", "oxigraph.exe"):
        candidate = scripts / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise KGError(Errors.E060.format(where=scripts))


def server_command(
    store_dir: str | os.PathLike | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout_s: int | None = DEFAULT_TIMEOUT,
    cors: bool = True,
    binary: str | None = None,
) -> list[str]:
    """The ``oxigraph serve-read-only`` command line for ``store_dir``.

    ``timeout_s`` of ``None`` or 0 means no query timeout; ``binary`` defaults
    to :func:`find_server`.
    """
    command = [
        binary or find_server(),
        "serve-read-only",
        "--location",
        str(store_path(store_dir)),
        "--bind",
        _bind_address(host, port),
        "--union-default-graph",
    ]
    if cors:
        command.append("--cors")
    if timeout_s:
        command += ["--timeout-s", str(int(timeout_s))]
    return command


def _bind_address(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def base_url(host: str, port: int) -> str:
    """The server's root URL (the query page); the endpoint is ``base_url(...) + "query"``.

    A wildcard ``host`` (0.0.0.0, ::) is reached through the loopback address.
    """
    if host in _WILDCARDS:
        host = "127.0.0.1" if ":" not in host else "::1"
    return f"http://{_bind_address(host, port)}/"


def query_page_url(base: str, query: str) -> str:
    """A link to the query page that opens with ``query`` in the editor and runs it.

    The ``endpoint`` parameter is needed: without it the page would send the
    query to a URL built from its own address, query string included.
    """
    params = urllib.parse.urlencode({"query": query, "endpoint": base + "query"}, quote_via=urllib.parse.quote)
    return f"{base}?{params}"


def check_port(host: str, port: int) -> None:
    """Raise ``KGError`` (E061) if ``host:port`` is taken, (E062) if it cannot be listened on at all."""
    family, address = _listen_address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the proxy does
        try:
            probe.bind(address)
        except OSError as e:
            raise _bind_error(host, port, e) from e


def _listen_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple]:
    """The address family and socket address to listen on ``host:port``; E062 if ``host`` does not resolve."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise KGError(Errors.E062.format(address=_bind_address(host, port), detail=e)) from e
    family, _, _, _, address = infos[0]
    return family, address


def _bind_error(host: str, port: int, error: OSError) -> KGError:
    if error.errno == errno.EADDRINUSE:
        return KGError(Errors.E061.format(port=port, host=host))
    return KGError(Errors.E062.format(address=_bind_address(host, port), detail=error.strerror or error))


def _free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, picked by the kernel."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(url: str, timeout: float = 15.0, *, process: subprocess.Popen | None = None) -> None:
    """Block until the endpoint under ``url`` answers a query, or raise ``KGError``.

    ``url`` is the server's base URL. If ``process`` exits first, E063 says
    why (its last error line); after ``timeout`` seconds, E064.
    """
    probe = url + "query?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise KGError(Errors.E063.format(code=process.returncode, detail=_last_error(process)))
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise KGError(Errors.E064.format(url=url, timeout=timeout))
        time.sleep(0.05)


def start_server(command: list[str], url: str, *, ready_timeout: float = 15.0) -> subprocess.Popen:
    """Start ``command`` and return the process once ``url`` answers.

    The server's stderr is forwarded to ours (its last lines are kept for
    error messages); on Linux it dies with this process, so an abrupt end of
    ``kg serve`` never leaves a server holding the port.
    """
    process = _launch(command)
    try:
        wait_until_ready(url, ready_timeout, process=process)
    except BaseException:
        stop_server(process)
        raise
    process.kg_forward = True  # type: ignore[attr-defined]
    return process


def _launch(command: list[str]) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        process_group=0,  # Ctrl-C reaches kg serve, which stops the server itself
        preexec_fn=_parent_death_signal(),
    )
    # Until the server is ready its messages are only kept (a failed start becomes one E063 line).
    process.kg_stderr = collections.deque(maxlen=20)  # type: ignore[attr-defined]
    process.kg_forward = False  # type: ignore[attr-defined]
    process.kg_reader = threading.Thread(target=_forward_stderr, args=(process,), daemon=True)  # type: ignore[attr-defined]
    process.kg_reader.start()
    return process


def stop_server(process: subprocess.Popen, grace: float = 5.0) -> int:
    """Stop the server (SIGTERM, then SIGKILL after ``grace`` seconds); return its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


# The proxy: Oxigraph's server has no result-size limit, so kg serve puts this in front of it.

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
        self.address_family, address = _listen_address(host, port)
        try:
            super().__init__(address, _ProxyHandler)
        except OSError as e:
            raise _bind_error(host, port, e) from e

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's, which looks the host up in DNS
        self.server_name, self.server_port = self.server_address[:2]


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

    def log_message(self, format: str, *args) -> None:
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


def serve(
    store_dir: str | os.PathLike | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout_s: int | None = DEFAULT_TIMEOUT,
    max_result_size: int = DEFAULT_MAX_RESULT_SIZE,
    cors: bool = True,
    ready_timeout: float = 15.0,
    on_message: Callable[[str], None] | None = None,
) -> int:
    """Serve the store at ``store_dir`` read-only until SIGINT or SIGTERM; return 0.

    Clients reach a :class:`ProxyServer` on ``host:port``, which refuses a
    query response over ``max_result_size`` bytes (0: no limit) with 507; the
    Oxigraph server behind it listens on a private port of 127.0.0.1.
    SIGHUP restarts the server so that it sees the store as it is now. If the
    server dies on its own (a query that exhausts memory, say) it is started
    again, up to 5 times a minute. Requests that arrive meanwhile wait for it
    (up to ``ready_timeout`` seconds). ``on_message`` receives one line per
    event (ready, reloaded, restarted, a result refused); by default they are logged.

    Raises ``KGError``: E022/E021 for a missing store, E060 without the
    binary, E061 for a taken port, E062-E065 when the server cannot start.
    """
    tell = on_message or log.info
    location = store_path(store_dir)
    if not location.is_dir():
        raise KGError(Errors.E022.format(path=location))
    if not (location / "CURRENT").is_file():
        raise KGError(Errors.E021.format(path=location, detail="not an Oxigraph store (no CURRENT file)"))
    binary = find_server()
    url = base_url(host, port)
    backend = Backend()
    proxy = ProxyServer(
        host, port, backend, max_result_size=max_result_size, cors=cors, wait_s=ready_timeout, on_message=tell
    )
    threading.Thread(target=proxy.serve_forever, name="kg-serve-proxy", daemon=True).start()

    state: dict = {"stop": False, "reload": False, "process": None}

    def on_signal(signum, _frame) -> None:
        state["reload" if signum == getattr(signal, "SIGHUP", None) else "stop"] = True
        if state["process"] is not None and state["process"].poll() is None:
            state["process"].terminate()

    previous = _install_handlers(on_signal)
    crashes: collections.deque[float] = collections.deque(maxlen=_CRASHES_ALLOWED)
    news = f"Serving {location} read-only at {url}query (query page: {url}; pid {os.getpid()})"
    try:
        while not state["stop"]:
            state["reload"] = False
            private = _free_port()  # a fresh one each time: no wait for the old server to let go of its port
            command = server_command(location, "127.0.0.1", private, timeout_s=timeout_s, cors=cors, binary=binary)
            state["process"] = _launch(command)  # known to the signal handler from now on
            try:
                wait_until_ready(base_url("127.0.0.1", private), ready_timeout, process=state["process"])
            except KGError:
                if state["stop"] or state["reload"]:
                    continue  # a signal stopped the server while it was starting
                raise
            if state["stop"] or state["reload"]:  # a signal came just before the handler knew the process
                stop_server(state["process"])
                continue
            state["process"].kg_forward = True
            backend.set_port(private)
            tell(news)
            code = state["process"].wait()
            backend.set_port(None)  # requests wait for the next server instead of failing
            if state["stop"]:
                break
            if state["reload"]:
                news = f"Reopened {location}: the endpoint now answers from the store as it is"
                continue
            detail = _last_error(state["process"]) or f"exit code {code}"
            crashes.append(time.monotonic())
            if len(crashes) == _CRASHES_ALLOWED and crashes[-1] - crashes[0] < _CRASH_WINDOW:
                raise KGError(Errors.E065.format(count=_CRASHES_ALLOWED, window=int(_CRASH_WINDOW), detail=detail))
            tell(f"The SPARQL server stopped ({detail}); starting it again")
            news = f"Serving {location} again at {url}query"
        tell(f"Stopped serving {location}")
        return 0
    finally:
        if state["process"] is not None:
            stop_server(state["process"])
        proxy.shutdown()
        proxy.server_close()
        _restore_handlers(previous)


def _install_handlers(handler) -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}  # signals can only be handled in the main thread; the caller stops us another way
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    return {sig: signal.signal(sig, handler) for sig in (getattr(signal, n) for n in names if hasattr(signal, n))}


def _restore_handlers(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _parent_death_signal() -> Callable[[], None] | None:
    """On Linux, a ``preexec_fn`` asking the kernel to SIGTERM the child when kg serve dies."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: nothing is imported in the forked child
    PR_SET_PDEATHSIG = 1
    return lambda: libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# Not worth showing: its start, and its one client (the proxy) closing a connection, which is how a result is refused.
_QUIET_LINES = ("Listening for requests at", "OxHTTP TCP error when writing response")


def _forward_stderr(process: subprocess.Popen) -> None:
    for raw in process.stderr:
        line = raw.decode("utf-8", "replace").rstrip()
        process.kg_stderr.append(line)
        if process.kg_forward and not line.startswith(_QUIET_LINES):
            print(f"oxigraph: {line}", file=sys.stderr, flush=True)


def _last_error(process: subprocess.Popen) -> str:
    """The server's ``Error: ...`` line (without the backtrace that follows), if it printed one."""
    if process.returncode is not None and process.returncode < 0:
        name = signal.Signals(-process.returncode).name if -process.returncode in signal.valid_signals() else ""
        return f"killed by signal {-process.returncode} {name}".strip()
    reader = getattr(process, "kg_reader", None)
    if reader is not None:
        reader.join(timeout=1.0)  # the server has exited: its stderr ends soon
    errors = [line for line in getattr(process, "kg_stderr", ()) if line.startswith("Error:")]
    return errors[-1][len("Error:") :].strip() if errors else ""
