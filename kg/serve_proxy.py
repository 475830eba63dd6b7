"""The reverse proxy in front of Oxigraph's SPARQL server, what clients of ``kg serve`` reach.

Oxigraph's server has no limit on the size of a result, cannot stop every
query at its timeout, and sends a request to any endpoint a query names with
``SERVICE``. :class:`ProxyServer` forwards every request to it (a
:class:`Backend`, the private port it listens on) and adds what it lacks:

* a query's response is read up to ``max_result_size`` bytes before anything
  is sent, so a larger one is refused with 507, never sent truncated;
* a query still running after ``timeout_s`` gets 504; if the server has not
  ended it within :data:`CANCEL_GRACE` seconds more, the proxy asks for the
  server to be restarted (``on_runaway``), which is what stops it;
* a query that may call ``SERVICE`` is refused with 403 (:func:`may_call_service`),
  unless ``allow_service``. The proxy reads every query itself (GET query
  string, POST form, POST ``application/sparql-query``) and sends the server
  the text it checked, re-encoded, never the client's bytes;
* at most ``workers`` requests are served at once; more connections wait in
  a listen backlog of :data:`BACKLOG`.

While the server restarts (:func:`kg.serve.serve` starts it again after SIGHUP,
a crash or a runaway query) requests wait for it. Only the standard library is used.

>>> bind_address("::1", 7878), bind_address("127.0.0.1", 7878)
('[::1]:7878', '127.0.0.1:7878')
>>> may_call_service("SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }")
True
>>> may_call_service('SELECT ?service WHERE { ?service ?p "Federal Security Service" } # no SERVICE here')
False
"""
from __future__ import annotations

import errno
import http.client
import logging
import re
import socket
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kg.errors import Errors, KGError

__all__ = [
    "BACKLOG",
    "CANCEL_GRACE",
    "DEFAULT_MAX_RESULT_SIZE",
    "DEFAULT_WORKERS",
    "Backend",
    "ProxyServer",
    "bind_address",
    "bind_error",
    "form_fields",
    "listen_address",
    "may_call_service",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_RESULT_SIZE = 50_000_000
"""Bytes of a query response above which the proxy refuses it with 507 (``--max-result-size``; 0: no limit)."""
DEFAULT_WORKERS = 64
"""Requests served at once; each holds at most ``max_result_size`` bytes of a result."""
BACKLOG = 1024
"""Connections the kernel keeps waiting while every worker is busy (Python's default is 5)."""
CANCEL_GRACE = 2.0
"""Seconds the server has, after the timeout, to end a query with its own ``--timeout-s`` before it is restarted."""
MAX_QUERY_BYTES = 2 * 2**20
"""Largest request body the proxy reads as a query (E123 beyond); checking one for SERVICE takes up to about 1 s a MB."""


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


# --- Does a query call SERVICE? -------------------------------------------------------------------------
#
# Oxigraph reads the keyword SERVICE in any ASCII case, with or without white space or comments around it,
# even glued to the token before it ("?s ?p 1SERVICE<x>{}" parses). So every occurrence of the seven letters
# counts unless it is certainly not the keyword: inside a string, a comment, a variable name or an IRI. Which
# of these a character is in depends on the grammar around it (after "FILTER(?a <" a quote starts a string
# if "<" is less-than, and is part of an IRI if "<" opens one), so may_call_service follows every way of
# reading the text, from its first character, that Oxigraph could take, and looks for the letters wherever
# one of them reads code. The lexical rules are Oxigraph's (spargebra's SPARQL grammar, 0.5).

_KEYWORD = re.compile("service", re.IGNORECASE | re.ASCII)  # Oxigraph compares keywords with eq_ignore_ascii_case
_VARNAME_START = (
    "0-9_A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
# A variable: "?" before a name character is never the path modifier "?" (Oxigraph's grammar says so).
_VARIABLE = re.compile(f"[?$][{_VARNAME_START}][{_VARNAME_START}\u00b7\u0300-\u036f\u203f-\u2040]*+")
_ESCAPES = r"\\[tbnrf\"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
# Strings exactly as the grammar's PEG rules match them: possessive, so that no other ending is tried.
_STRINGS = {
    q: [
        re.compile(f"{q * 3}(?:(?>{q * 2}|{q})?+(?:[^{q}\\\\]|{_ESCAPES}))*+{q * 3}"),
        re.compile(f"{q}(?:[^{q}\\\\\\n\\r]|{_ESCAPES})*+{q}"),
    ]
    for q in ("'", '"')
}
# What Oxigraph might take for an IRI: it refuses these characters in one (checked with oxigraph 0.5.13).
_IRI = re.compile('<[^<>"{}|^`\\x00-\\x20]*+>')
# An IRI-like span whose letters cannot be the keyword, whatever "<" means: after SERVICE come at most white
# space, comments, SILENT, a variable, an IRI or a prefixed name, then "{"; without white space, "#", "<",
# "\" and "{" none of these can hold the ">" that ends the span.
_SPAN = re.compile("[^<>{\\\\\\x00-\\x20]*")


def may_call_service(query: str) -> bool:
    """Whether Oxigraph could read ``query`` as calling ``SERVICE`` (a conservative answer: ``True`` when unsure).

    Checked as written and after SPARQL's ``\\uXXXX`` escapes are replaced, since a
    version of Oxigraph that replaces them before parsing would read that text.

    >>> may_call_service("select * { ?s ?p ?o .sErViCe<http://127.0.0.1:9/>{} }")
    True
    >>> may_call_service("SELECT * { \\\\u0053ERVICE <http://127.0.0.1:9/> {} }")
    True
    >>> may_call_service('SELECT * { ?s <https://w3id.org/kg/id/actor/security-service> "service" } # SERVICE')
    False
    """
    return any(_KEYWORD.search(text) and _keyword_in_code(text) for text in {query, _replace_codepoint_escapes(query)})


def _keyword_in_code(text: str) -> bool:
    """Whether some reading of ``text`` has the letters of SERVICE in code, outside an IRI-like span."""
    end = len(text)
    seen: set[int] = set()
    todo = [0]  # positions where a reading of the text is in code, at the start of a token or within one
    while todo:
        i = todo.pop()
        if i >= end or i in seen:
            continue
        seen.add(i)
        c = text[i]
        if c in "'\"":
            # The long form if it matches (the grammar tries it first), else the short one.
            string = next((m for pattern in _STRINGS[c] if (m := pattern.match(text, i))), None)
            todo.append(string.end() if string else i + 1)  # no string: a syntax error here, but read on
        elif c == "#":  # a comment ends at CR or LF; another parser might end it at LF only
            todo += [_line_end(text, i, "\r\n"), _line_end(text, i, "\n")]
        elif c == "<":  # less-than (or <<), or an IRI
            todo.append(i + 1)
            if iri := _IRI.match(text, i):
                todo.append(iri.end())
        elif c == "\\":  # an escape of a prefixed name's local part (\' \# \? ...), or a stray backslash
            todo += [i + 1, i + 2]
        elif c in "?$" and (variable := _VARIABLE.match(text, i)):
            todo.append(variable.end())
        else:
            if _KEYWORD.match(text, i) and not _within_iri_span(text, i):
                return True
            todo.append(i + 1)
    return False


def _line_end(text: str, start: int, breaks: str) -> int:
    ends = [p for p in (text.find(b, start) for b in breaks) if p >= 0]
    return min(ends, default=len(text))


def _within_iri_span(text: str, at: int) -> bool:
    opening, closing = text.rfind("<", 0, at), text.find(">", at)
    return 0 <= opening and 0 <= closing and _SPAN.fullmatch(text, opening + 1, closing) is not None and "#" not in text[at:closing]


def _replace_codepoint_escapes(text: str) -> str:
    r"""``text`` with ``\uXXXX`` and ``\UXXXXXXXX`` replaced as spargebra's ``unescape_unicode_codepoints`` does.

    Oxigraph 0.5.13 does not do it (its ``standard-unicode-escaping`` feature is off); the copy
    is exact, quirks included (a digit string may start with "+", as Rust's ``from_str_radix`` allows).

    >>> _replace_codepoint_escapes(r"\u0053ERVICE \U0000003F \u+041 \uZZZZ \q")
    'SERVICE ? A \\uZZZZ \\q'
    """
    if "\\u" not in text and "\\U" not in text:
        return text
    out: list[str] = []
    rest = iter(text)
    pending: list[str] = []  # characters read ahead, given out before the rest (not unescaped again)
    while True:
        c = pending.pop(0) if pending else next(rest, None)
        if c is None:
            return "".join(out)
        if c != "\\":
            out.append(c)
            continue
        kind = next(rest, None)
        if kind in ("u", "U"):
            digits = [d for d in (next(rest, None) for _ in range(4 if kind == "u" else 8)) if d is not None]
            value = _hex_value("".join(digits)) if len(digits) == (4 if kind == "u" else 8) else None
            if value is not None:
                out.append(chr(value))
                continue
            pending += [kind, *digits]
        elif kind is not None:
            pending.append(kind)
        out.append("\\")


def _hex_value(digits: str) -> int | None:
    """Rust's ``u32::from_str_radix(digits, 16)`` then ``char::from_u32``, or None."""
    body = digits[1:] if digits.startswith("+") else digits
    if not body or any(d not in "0123456789abcdefABCDEF" for d in body):
        return None
    value = int(body, 16)
    return value if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else None


# --- The proxy ------------------------------------------------------------------------------------------

_CHUNK = 64 * 1024
# Headers about one connection, not the message: never passed on (RFC 9110, 7.6.1). Expect: the
# proxy answers "100 Continue" itself.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect"}
)
# The query page's files, built into the server (yasgui.min.js is 1 MB): never capped nor timed, so the page works with any limit.
_QUERY_PAGE = frozenset({"/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg"})
_QUERY_ROUTES = frozenset({"/query", "/sparql"})
# Every path the proxy passes on, exactly as written: Oxigraph routes on the raw path, and nothing else of it is needed.
_ROUTES = _QUERY_PAGE | _QUERY_ROUTES | {"/update", "/store"}
_QUERY_TYPES = ("application/sparql-query", "application/x-www-form-urlencoded")
_FORM = "application/x-www-form-urlencoded"
_RELAY_ERRORS = (OSError, http.client.HTTPException)
_KEEP_ALIVE_IDLE = 10.0  # seconds an idle keep-alive connection may hold a worker before it is closed


def form_fields(raw: str) -> list[tuple[str, str]]:
    """The name/value pairs of a form-encoded text (a URL's query string, a form body), read as Oxigraph reads them.

    ``raw`` holds one character per byte (Latin-1, as Python's HTTP server gives a
    request line): "+" is a space, %XX a byte, and the bytes are UTF-8, a wrong
    sequence read as U+FFFD.

    >>> form_fields("query=ASK+%7B%7D&default-graph-uri=&x=%C3%A9\\xc3\\xa9")
    [('query', 'ASK {}'), ('default-graph-uri', ''), ('x', 'éé')]
    """
    pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True, encoding="latin-1")
    return [(_utf8(name), _utf8(value)) for name, value in pairs]


def _utf8(latin1: str) -> str:
    return latin1.encode("latin-1").decode("utf-8", "replace")


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
    """Listens on ``host:port`` and forwards every request to the :class:`Backend`, one worker thread per connection.

    A response to a query (any path but the query page's files) is read up
    to ``max_result_size`` bytes before anything is sent: a complete one goes
    out whole with its Content-Length; a longer one is refused with 507 and
    the server's connection is closed, which stops the query. So memory stays
    under the limit per request, and a client never gets a truncated result
    that looks complete. ``max_result_size`` 0 streams every response as it
    comes. A response not complete ``timeout_s`` seconds after the request
    went to the server gets 504 (0: no limit); ``on_runaway(port)`` is called
    when the server on ``port`` has not ended it :data:`CANCEL_GRACE` seconds
    later. A query that may call ``SERVICE`` is refused with 403 unless
    ``allow_service``. Writes (PUT, DELETE, PATCH, POST to /update or /store,
    an update by form) get 403 here, as Oxigraph would answer them; a path
    Oxigraph does not serve, 404. At most ``workers`` connections are served
    at once. Raises ``KGError`` (E061, E062) when ``host:port`` cannot be
    listened on.
    """

    daemon_threads = True
    block_on_close = False  # stopping does not wait for the connections being served
    request_queue_size = BACKLOG

    def __init__(
        self,
        host: str,
        port: int,
        backend: Backend,
        *,
        max_result_size: int = DEFAULT_MAX_RESULT_SIZE,
        cors: bool = True,
        wait_s: float = 15.0,
        timeout_s: float = 0,
        allow_service: bool = False,
        workers: int = DEFAULT_WORKERS,
        on_message: Callable[[str], None] | None = None,
        on_runaway: Callable[[int], None] | None = None,
    ) -> None:
        self.backend = backend
        self.max_result_size = max_result_size
        self.cors = cors
        self.wait_s = wait_s
        self.timeout_s = timeout_s
        self.allow_service = allow_service
        self.tell = on_message or log.info
        self.on_runaway = on_runaway or (lambda _port: None)
        self._workers = threading.BoundedSemaphore(workers)
        self._closing = threading.Event()
        self.address_family, address = listen_address(host, port)
        try:
            super().__init__(address, _ProxyHandler)
        except OSError as e:
            raise bind_error(host, port, e) from e

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's, which looks the host up in DNS
        self.server_name, self.server_port = self.socket.getsockname()[:2]  # the server_address just bound

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a worker thread once one is free; until then the next ones wait in the backlog."""
        while not self._workers.acquire(timeout=0.5):
            if self._closing.is_set():
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._workers.release()  # no thread was started to release it
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._workers.release()

    def shutdown(self) -> None:
        self._closing.set()
        super().shutdown()


class _Overtime(Exception):
    """The server did not complete its response within the proxy's timeout."""


class _ProxyHandler(BaseHTTPRequestHandler):
    """One client connection of :class:`ProxyServer`."""

    server: ProxyServer
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length or is chunked
    server_version = "kg-serve"
    timeout = 120  # seconds a client may take to send a request, or stall while reading one

    def do_GET(self) -> None:
        self.connection.settimeout(self.timeout)
        try:
            self._forward()
        except _RELAY_ERRORS as e:
            # The client went away, or the server stopped in the middle of a streamed body: closing
            # the connection before the end of the body tells the client its copy is incomplete.
            log.debug("%s %s cut off: %s", self.command, self.path, e)
            self.close_connection = True
        self.connection.settimeout(_KEEP_ALIVE_IDLE)  # waiting for the next request on this connection

    do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = do_GET

    def _forward(self) -> None:
        path, _, query_string = self.path.partition("?")
        if self.command in ("PUT", "DELETE", "PATCH") or (self.command == "POST" and path in ("/update", "/store")):
            self._answer(403, "The server is read-only")  # Oxigraph's own words for the same refusal
            return
        if path not in _ROUTES:
            self._answer(404, Errors.E125.format(path=path))
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._answer(411, "Send the request with a Content-Length header (chunked request bodies are not supported).")
            return
        length = self.headers.get("Content-Length", "0").strip()
        if not length.isdigit():
            self._answer(400, f"Invalid Content-Length {length!r}.")
            return
        if int(length) > MAX_QUERY_BYTES:
            self._answer(413, Errors.E123.format(limit=MAX_QUERY_BYTES))
            return
        body = self._read_body(int(length))
        target, form = self.path, False
        if path in _QUERY_ROUTES and self.command in ("GET", "POST") and (query_string or self.command == "POST"):
            fields = self._query_fields(query_string, body)
            if fields is None:
                return  # refused
            # The server gets the text that was checked, as a form: never the client's own encoding of it.
            target, body, form = path, urllib.parse.urlencode(fields).encode("ascii"), True
        elif path in _QUERY_ROUTES:
            target, body = path, b""  # the service description, a CORS preflight: no query is read
        try:
            upstream = self.server.backend.connect(self.server.wait_s)
        except ConnectionError as e:
            self._answer(503, Errors.E068.format(detail=e), ("Retry-After", "1"))
            return
        sock = upstream.sock
        try:
            limit = 0 if path in _QUERY_PAGE else self.server.max_result_size
            timed = path not in _QUERY_PAGE and self.server.timeout_s > 0
            deadline = time.monotonic() + self.server.timeout_s if timed else None
            self._relay(upstream, target, body, limit=limit, deadline=deadline, form=form)
        finally:
            _close(upstream, sock)  # after a refusal, this is what stops Oxigraph producing the result

    def _read_body(self, length: int) -> bytes:
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ConnectionError("the client sent less than its Content-Length")
        return body

    def _query_fields(self, query_string: str, body: bytes) -> list[tuple[str, str]] | None:
        """The protocol's parameters of a query request (from the URL and the body), or None once refused."""
        fields = form_fields(query_string)
        if self.command == "POST":
            content_type = self.headers.get_content_type()  # lower case, without parameters, as Oxigraph compares it
            if content_type == "application/sparql-update":
                self._answer(403, "The server is read-only")
                return None
            if content_type not in _QUERY_TYPES or "Content-Type" not in self.headers:
                self._answer(415, Errors.E122.format(content_type=self.headers.get("Content-Type", "")))
                return None
            if content_type == _FORM:
                fields += form_fields(body.decode("latin-1"))
            else:
                try:
                    fields.append(("query", body.decode("utf-8")))
                except UnicodeDecodeError as e:
                    self._answer(400, Errors.E124.format(detail=e))
                    return None
        if any(name == "update" for name, _ in fields):
            self._answer(403, "The server is read-only")
            return None
        if not self.server.allow_service and any(name == "query" and may_call_service(value) for name, value in fields):
            self.server.tell(f"Refused a query calling SERVICE from {self.client_address[0]} (HTTP 403)")
            self._answer(403, Errors.E121)
            return None
        return fields

    def _relay(self, upstream: http.client.HTTPConnection, target: str, body: bytes, *, limit: int, deadline: float | None, form: bool) -> None:
        """Pass the request on and answer with the server's response: 507 if it is over ``limit`` bytes (0: none),
        504 if it is not complete by ``deadline`` (``time.monotonic()``; None: no limit)."""
        sock = upstream.sock
        started = False  # whether the client has the status line of a response that is still coming

        def arm() -> None:
            """Let the next read from the server wait only until the deadline."""
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Overtime
                sock.settimeout(left)

        try:
            try:
                arm()
                self._send_request(upstream, target, body, form=form)
                arm()
                response = upstream.getresponse()
                capped = bool(limit) and _has_body(self.command, response.status)
                if not capped:
                    started = True
                    self._stream(response, arm)
                    return
                result = _read_up_to(response, limit, arm)
            except TimeoutError as e:
                if deadline is not None and time.monotonic() >= deadline - 0.01:
                    raise _Overtime from e
                raise
        except _Overtime:
            self._stopped(sock, upstream.port, answered=started)
            return
        except _RELAY_ERRORS as e:
            if started:
                raise
            self._answer(502, Errors.E068.format(detail=f"it stopped while answering: {str(e) or type(e).__name__}"))
            return
        if result is None:
            self.server.tell(f"Refused a result over {limit:,} bytes to {self.client_address[0]} (HTTP 507)")
            self._answer(507, Errors.E067.format(limit=limit))
        else:
            self._start(response, {"Content-Length": str(len(result))})
            self.wfile.write(result)

    def _stopped(self, sock: socket.socket, port: int, *, answered: bool) -> None:
        """A response past the timeout: 504 to the client (or its connection cut, if the response had
        started), then :data:`CANCEL_GRACE` seconds for the server to end the query, else a restart."""
        timeout = self.server.timeout_s
        if answered:
            self.close_connection = True  # the end of the connection before the end of the body: incomplete
        else:
            self._answer(504, Errors.E120.format(timeout=timeout))
        client = self.client_address[0]
        if _ends_within(sock, CANCEL_GRACE):
            done = f"Cut off the result to {client}" if answered else f"Stopped a query from {client}"
            self.server.tell(f"{done} at the {timeout:g} s timeout" + ("" if answered else " (HTTP 504)"))
            return
        self.server.tell(
            f"A query from {client} ran past the {timeout:g} s timeout and the SPARQL server did not stop it within "
            f"{CANCEL_GRACE:g} s: restarting the server to stop it (queries running on it now are cut off)"
        )
        self.server.on_runaway(port)

    def _send_request(self, upstream: http.client.HTTPConnection, target: str, body: bytes, *, form: bool) -> None:
        """The request line, the client's headers (its Host too) and ``body``; the server closes the connection after its answer."""
        upstream.putrequest("POST" if form else self.command, target, skip_host="Host" in self.headers, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in _HOP_BY_HOP and name.lower() not in ("content-length", "content-type" if form else ""):
                upstream.putheader(name, value)
        if form:
            upstream.putheader("Content-Type", _FORM)
        if body or form or "Content-Length" in self.headers:
            upstream.putheader("Content-Length", str(len(body)))
        upstream.putheader("Connection", "close")  # so that the end of the connection tells when the server is done
        upstream.endheaders(body or None)

    def _stream(self, response: http.client.HTTPResponse, arm: Callable[[], None]) -> None:
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
        arm()
        while chunk := response.read1(_CHUNK):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            arm()
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


def _read_up_to(response: http.client.HTTPResponse, limit: int, arm: Callable[[], None]) -> bytearray | None:
    """The whole body of ``response``, or ``None`` as soon as it is longer than ``limit`` bytes.

    ``arm`` is called before each read. Raises ``http.client.IncompleteRead`` if the
    server stops before the end of the body.
    """
    if response.length is not None and response.length > limit:
        return None  # announced too long: not read at all
    body = bytearray()
    arm()
    while chunk := response.read1(min(_CHUNK, limit + 1 - len(body))):
        body += chunk
        if len(body) > limit:
            return None
        arm()
    if response.length:  # a Content-Length body that ended early (a chunked one raises in read1)
        raise http.client.IncompleteRead(bytes(body), response.length)
    return body


def _ends_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` within ``seconds``, reading (and dropping) what it still sends.

    It closes the connection once its response is over (the proxy asks it to), so this
    tells whether it ended the query: its own timeout stops most of them.
    """
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(_CHUNK):
                return True
    except TimeoutError:
        return False
    except OSError:
        return True  # reset: the server is done with it
    return False


def _close(upstream: http.client.HTTPConnection, sock: socket.socket | None) -> None:
    """Close the connection to the server now, even while a response object still holds it."""
    upstream.close()
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the server
        sock.close()
