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
``--host``/``--port``, is :class:`kg.serve_proxy.ProxyServer`, a standard-library reverse
proxy that forwards every request to it and adds what Oxigraph lacks: a cap
on the size of a result (``--max-result-size``; a larger one is refused with
507, never sent truncated), a time limit that holds for every query
(``--timeout``: 504, and a restart of the server if it does not stop the
query itself), no ``SERVICE`` calls (403 unless ``--allow-service``), a
bounded number of requests served at once, and holding requests while the
server restarts. This module (the process, not the proxy) builds the command
line, starts the process, waits until it answers, starts it again if it
dies or runs away with a query, and forwards signals: SIGINT/SIGTERM stop it,
SIGHUP restarts it so it sees what ``kg build`` wrote since (a read-only
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
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from kg.errors import Errors, KGError
from kg.rdf.store import store_path
from kg.serve_proxy import DEFAULT_MAX_RESULT_SIZE, Backend, ProxyServer, bind_address, bind_error, listen_address

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "parse_size",
    "find_server",
    "server_command",
    "base_url",
    "query_page_url",
    "check_port",
    "wait_until_ready",
    "start_server",
    "stop_server",
    "ServerProcess",
    "serve",
]

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
"""Seconds after which a query is stopped: the proxy answers 504, Oxigraph's ``--timeout-s`` cancels it."""

_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}
_CRASHES_ALLOWED = 5
_CRASH_WINDOW = 60.0
_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
# Server messages not worth showing: its start, its one client (the proxy) closing a connection, which is
# how a result is refused, and a query it cancelled at its timeout, which the proxy reports.
_QUIET_LINES = (
    "Listening for requests at",
    "OxHTTP TCP error when writing response",
    "Internal server error while streaming results: The SPARQL operation has been cancelled",
)


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
        bind_address(host, port),
        "--union-default-graph",
    ]
    if cors:
        command.append("--cors")
    if timeout_s:
        command += ["--timeout-s", str(int(timeout_s))]
    return command


def base_url(host: str, port: int) -> str:
    """The server's root URL (the query page); the endpoint is ``base_url(...) + "query"``.

    A wildcard ``host`` (0.0.0.0, ::) is reached through the loopback address.
    """
    if host in _WILDCARDS:
        host = "127.0.0.1" if ":" not in host else "::1"
    return f"http://{bind_address(host, port)}/"


def query_page_url(base: str, query: str) -> str:
    """A link to the query page that opens with ``query`` in the editor and runs it.

    The ``endpoint`` parameter is needed: without it the page would send the
    query to a URL built from its own address, query string included.
    """
    params = urllib.parse.urlencode({"query": query, "endpoint": base + "query"}, quote_via=urllib.parse.quote)
    return f"{base}?{params}"


def check_port(host: str, port: int) -> None:
    """Raise ``KGError`` (E061) if ``host:port`` is taken, (E062) if it cannot be listened on at all."""
    family, address = listen_address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the proxy does
        try:
            probe.bind(address)
        except OSError as e:
            raise bind_error(host, port, e) from e


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


class ServerProcess(subprocess.Popen[bytes]):
    """The running ``command`` (a server), whose stderr a thread reads: its last lines are kept
    (``last_lines``, for error messages) and, once ``forward`` is set, passed on to ours.

    On Linux it dies with this process, so an abrupt end of ``kg serve`` never
    leaves a server holding the port.
    """

    def __init__(self, command: list[str]) -> None:
        super().__init__(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            process_group=0,  # Ctrl-C reaches kg serve, which stops the server itself
            preexec_fn=_parent_death_signal(),
        )
        self.last_lines: collections.deque[str] = collections.deque(maxlen=20)
        # Until the server is ready its messages are only kept (a failed start becomes one E063 line).
        self.forward = False
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()

    def _read_stderr(self) -> None:
        if self.stderr is None:  # never: the constructor asks for a pipe
            return
        for raw in self.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self.last_lines.append(line)
            if self.forward and not line.startswith(_QUIET_LINES):
                print(f"oxigraph: {line}", file=sys.stderr, flush=True)


def start_server(command: list[str], url: str, *, ready_timeout: float = 15.0) -> ServerProcess:
    """Start ``command`` and return the process once ``url`` answers.

    The server's stderr is forwarded to ours from then on (its last lines are
    kept for error messages), see :class:`ServerProcess`.
    """
    process = ServerProcess(command)
    try:
        wait_until_ready(url, ready_timeout, process=process)
    except BaseException:
        stop_server(process)
        raise
    process.forward = True
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


def serve(
    store_dir: str | os.PathLike | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout_s: int | None = DEFAULT_TIMEOUT,
    max_result_size: int = DEFAULT_MAX_RESULT_SIZE,
    cors: bool = True,
    allow_service: bool = False,
    ready_timeout: float = 15.0,
    on_message: Callable[[str], None] | None = None,
) -> int:
    """Serve the store at ``store_dir`` read-only until SIGINT or SIGTERM; return 0.

    Clients reach a :class:`ProxyServer` on ``host:port``, which refuses a
    query response over ``max_result_size`` bytes (0: no limit) with 507, a
    query not answered within ``timeout_s`` seconds with 504 (None or 0: no
    limit), and a query that may call ``SERVICE`` with 403 unless
    ``allow_service``; the Oxigraph server behind it listens on a private port
    of 127.0.0.1. SIGHUP restarts the server so that it sees the store as it
    is now. If the server dies on its own (a query that exhausts memory, say)
    it is started again, up to 5 times a minute (a restart that fails counts the same and is tried
    again, on a fresh port); if it has not stopped a query
    2 s after its timeout, it is restarted, which stops it. Requests that
    arrive meanwhile wait for it (up to ``ready_timeout`` seconds).
    ``on_message`` receives one line per event (ready, reloaded, restarted, a
    query stopped or refused); by default they are logged.

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
    run = _Run()

    def restart_for(port: int) -> None:
        """The server on ``port`` did not stop a query at its timeout: restart it (as SIGHUP does), unless that is done."""
        process = run.process
        if port == run.port and process is not None and process.poll() is None:
            run.reload = run.runaway = True
            threading.Thread(target=stop_server, args=(process,), daemon=True).start()  # SIGKILL if SIGTERM is not enough

    proxy = ProxyServer(
        host,
        port,
        backend,
        max_result_size=max_result_size,
        cors=cors,
        wait_s=ready_timeout,
        timeout_s=timeout_s or 0,
        allow_service=allow_service,
        on_message=tell,
        on_runaway=restart_for,
    )
    threading.Thread(target=proxy.serve_forever, name="kg-serve-proxy", daemon=True).start()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if signum == getattr(signal, "SIGHUP", None):
            run.reload = True
        else:
            run.stop = True
        if run.process is not None and run.process.poll() is None:
            run.process.terminate()

    previous = _install_handlers(on_signal)
    crashes: collections.deque[float] = collections.deque(maxlen=_CRASHES_ALLOWED)
    news = f"Serving {location} read-only at {url}query (query page: {url}; pid {os.getpid()})"
    try:
        while not run.stop:
            run.reload = run.runaway = False
            private = _free_port()  # a fresh one each time: no wait for the old server to let go of its port
            command = server_command(location, "127.0.0.1", private, timeout_s=timeout_s, cors=cors, binary=binary)
            process = run.process = ServerProcess(command)  # known to the signal handler from now on
            try:
                wait_until_ready(base_url("127.0.0.1", private), ready_timeout, process=process)
            except KGError as e:
                if run.stop or run.reload:
                    continue  # a signal stopped the server while it was starting
                if run.port is None:
                    raise  # the first start: the command line or the store is wrong
                # A restart that fails (its port taken meanwhile, a machine too busy to answer in time)
                # is retried like a crash, on a fresh port: the endpoint must not end with it.
                stop_server(process)
                crashes.append(time.monotonic())
                if len(crashes) == _CRASHES_ALLOWED and crashes[-1] - crashes[0] < _CRASH_WINDOW:
                    raise KGError(Errors.E065.format(count=_CRASHES_ALLOWED, window=int(_CRASH_WINDOW), detail=e)) from e
                tell(f"The SPARQL server did not start again ({e}); trying once more")
                continue
            if run.stop or run.reload:  # a signal came just before the handler knew the process
                stop_server(process)
                continue
            process.forward = True
            backend.set_port(private)
            run.port = private
            tell(news)
            code = _wait_for(process)
            backend.set_port(None)  # requests wait for the next server instead of failing
            if run.stop:
                break
            if run.runaway:
                news = f"Serving {location} again at {url}query"
                continue
            if run.reload:
                news = f"Reopened {location}: the endpoint now answers from the store as it is"
                continue
            detail = _last_error(process) or f"exit code {code}"
            crashes.append(time.monotonic())
            if len(crashes) == _CRASHES_ALLOWED and crashes[-1] - crashes[0] < _CRASH_WINDOW:
                raise KGError(Errors.E065.format(count=_CRASHES_ALLOWED, window=int(_CRASH_WINDOW), detail=detail))
            tell(f"The SPARQL server stopped ({detail}); starting it again")
            news = f"Serving {location} again at {url}query"
        tell(f"Stopped serving {location}")
        return 0
    finally:
        if run.process is not None:
            stop_server(run.process)
        proxy.shutdown()
        proxy.server_close()
        _restore_handlers(previous)


def _wait_for(process: subprocess.Popen) -> int:
    """Wait for ``process`` to end, and return its exit code, letting signal handlers run meanwhile.

    A signal may be delivered to any thread (the proxy's, the readers of stderr): then the main
    thread, blocked in ``waitpid``, is not interrupted, and Python runs the handler only when it
    returns, here when the server ended on its own: SIGHUP was lost until then. Waiting a little
    at a time gives the handler its turn within a fifth of a second.
    """
    while True:
        try:
            return process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue


@dataclass
class _Run:
    """What the signal handler of :func:`serve` tells its loop, and the server it may stop."""

    stop: bool = False
    reload: bool = False
    runaway: bool = False  # the reload is the proxy's, to stop a query the server did not stop
    process: ServerProcess | None = None
    port: int | None = None  # where process listens


_Handler = Callable[[int, FrameType | None], Any] | int | None


def _install_handlers(handler: Callable[[int, FrameType | None], None]) -> dict[int, _Handler]:
    if threading.current_thread() is not threading.main_thread():
        return {}  # signals can only be handled in the main thread; the caller stops us another way
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    return {sig: signal.signal(sig, handler) for sig in (getattr(signal, n) for n in names if hasattr(signal, n))}


def _restore_handlers(previous: dict[int, _Handler]) -> None:
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


def _last_error(process: subprocess.Popen) -> str:
    """The server's ``Error: ...`` line (without the backtrace that follows), if it printed one."""
    if process.returncode is not None and process.returncode < 0:
        name = signal.Signals(-process.returncode).name if -process.returncode in signal.valid_signals() else ""
        return f"killed by signal {-process.returncode} {name}".strip()
    if not isinstance(process, ServerProcess):
        return ""  # its stderr was not kept
    process.reader.join(timeout=1.0)  # the server has exited: its stderr ends soon
    errors = [line for line in process.last_lines if line.startswith("Error:")]
    return errors[-1][len("Error:") :].strip() if errors else ""
