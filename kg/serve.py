"""A read-only SPARQL 1.1 endpoint over the store: ``kg serve`` wraps Oxigraph's own server.

The server is the ``oxigraph`` binary from the PyPI package ``oxigraph`` (same
engine and version series as pyoxigraph), run as ``oxigraph serve-read-only``
with ``--union-default-graph`` so that the endpoint answers exactly like
``kg query``: a query sees the union of all article graphs. It speaks the
SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``), picks
JSON, XML, CSV or TSV results (Turtle, JSON-LD, ... for CONSTRUCT) by the
Accept header, refuses SPARQL Update and Graph Store writes with 403, and
serves a YASGUI query page at ``/``.

This module only builds the command line, starts the process, waits until it
answers, starts it again if it dies, and forwards signals: SIGINT/SIGTERM stop
it, SIGHUP restarts it so it sees what ``kg build`` wrote since (a read-only
Oxigraph keeps the view of the store it opened with). See docs/serve.md.

>>> server_command("kg-store", "127.0.0.1", 7878, timeout_s=30, binary="oxigraph")
['oxigraph', 'serve-read-only', '--location', 'kg-store', '--bind', '127.0.0.1:7878', '--union-default-graph', '--cors', '--timeout-s', '30']
>>> base_url("::1", 7878)
'http://[::1]:7878/'
>>> query_page_url("http://127.0.0.1:7878/", "ASK {}")
'http://127.0.0.1:7878/?query=ASK%20%7B%7D&endpoint=http%3A%2F%2F127.0.0.1%3A7878%2Fquery'
"""
from __future__ import annotations

import collections
import errno
import logging
import os
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
from pathlib import Path

from kg.errors import Errors, KGError
from kg.store import store_path

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "find_server",
    "server_command",
    "base_url",
    "query_page_url",
    "check_port",
    "wait_until_ready",
    "start_server",
    "stop_server",
    "serve",
]

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
"""Seconds after which the server cancels a query (Oxigraph's ``--timeout-s``)."""

_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}
_CRASHES_ALLOWED = 5
_CRASH_WINDOW = 60.0


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
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise KGError(Errors.E062.format(address=_bind_address(host, port), detail=e)) from e
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise KGError(Errors.E061.format(port=port, host=host)) from e
            raise KGError(Errors.E062.format(address=_bind_address(host, port), detail=e.strerror or e)) from e


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


def serve(
    store_dir: str | os.PathLike | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout_s: int | None = DEFAULT_TIMEOUT,
    cors: bool = True,
    ready_timeout: float = 15.0,
    on_message: Callable[[str], None] | None = None,
) -> int:
    """Serve the store at ``store_dir`` read-only until SIGINT or SIGTERM; return 0.

    SIGHUP restarts the server so that it sees the store as it is now. If the
    server dies on its own (a query that exhausts memory, say) it is started
    again, up to 5 times a minute. ``on_message`` receives one line per event
    (ready, reloaded, restarted); by default they are logged.

    Raises ``KGError``: E022/E021 for a missing store, E060 without the
    binary, E061 for a taken port, E062-E065 when the server cannot start.
    """
    tell = on_message or log.info
    location = store_path(store_dir)
    if not location.is_dir():
        raise KGError(Errors.E022.format(path=location))
    if not (location / "CURRENT").is_file():
        raise KGError(Errors.E021.format(path=location, detail="not an Oxigraph store (no CURRENT file)"))
    command = server_command(location, host, port, timeout_s=timeout_s, cors=cors)
    url = base_url(host, port)
    check_port(host, port)

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
            state["process"] = _launch(command)  # known to the signal handler from now on
            try:
                wait_until_ready(url, ready_timeout, process=state["process"])
            except KGError:
                if state["stop"] or state["reload"]:
                    continue  # a signal stopped the server while it was starting
                raise
            if state["stop"] or state["reload"]:  # a signal came just before the handler knew the process
                stop_server(state["process"])
                continue
            state["process"].kg_forward = True
            tell(news)
            code = state["process"].wait()
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


def _forward_stderr(process: subprocess.Popen) -> None:
    for raw in process.stderr:
        line = raw.decode("utf-8", "replace").rstrip()
        process.kg_stderr.append(line)
        if process.kg_forward and not line.startswith("Listening for requests at"):
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
