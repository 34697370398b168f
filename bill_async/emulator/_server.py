"""Serving the emulator over real HTTP with uvicorn: in a background thread for tests and
benchmarks (``running_emulator``), in the foreground (``serve``), and the CLI piece of
``bill-async emulator``.

uvicorn is imported only here, and only when something is served.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

import attrs

from ._app import API_PREFIX, ConnectionDropped, Emulator
from ._config import EmulatorConfig, Latency
from ._v3 import V3_PREFIX

__all__ = [
    "RunningEmulator",
    "add_cli_arguments",
    "banner",
    "base_url",
    "run_cli",
    "running_emulator",
    "serve",
]

START_TIMEOUT = 10.0


class _QuietDrops(logging.Filter):
    """Keeps uvicorn from logging a traceback for each connection ``drop_next`` drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionDropped)


def _quiet_drops() -> None:
    log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in log.filters):
        log.addFilter(_QuietDrops())


def base_url(host: str, port: int) -> str:
    """The base URL of an emulator on ``host:port``: ``http://HOST:PORT/api/v2``."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{API_PREFIX.rstrip('/')}"


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio turns Nagle off (TCP_NODELAY) only on sockets that do, and
    # with Nagle on, each answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listening at once lets clients connect (they queue) as soon as the URL is printed.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def _server(emulator: Emulator, *, log_level: str, log_config: Any, access_log: bool) -> Any:
    import uvicorn

    _quiet_drops()
    config = uvicorn.Config(
        emulator,
        interface="asgi3",
        lifespan="on",
        log_level=log_level,
        log_config=log_config,
        access_log=access_log,
        # Longer than clients keep idle connections (httpx: 5 s), so that the server never
        # closes one just as a client sends on it: a write then could not say if it ran.
        timeout_keep_alive=75,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


@attrs.frozen
class RunningEmulator:
    """An emulator being served: its ``base_url`` (``http://127.0.0.1:PORT/api/v2``), its
    ``v3_base_url`` (``http://127.0.0.1:PORT/connect``, the base ``bill_async.v3.Client``
    takes) and the ``emulator`` itself (state, knobs, counters)."""

    base_url: str
    emulator: Emulator
    host: str
    port: int

    @property
    def v3_base_url(self) -> str:
        return self.base_url.removesuffix(API_PREFIX.rstrip("/")) + V3_PREFIX


@contextlib.contextmanager
def running_emulator(
    config: EmulatorConfig | None = None,
    *,
    emulator: Emulator | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
) -> Iterator[RunningEmulator]:
    """Serve an emulator with a real ``uvicorn.Server`` in a background thread.

    Binds ``host:port`` (port 0: a free port), waits until the server accepts connections,
    yields a ``RunningEmulator``, and stops the server on exit. Works from sync code and from
    any event loop, since the server runs its own asyncio loop in its own thread. uvicorn's
    logging is left to the application (no ``dictConfig``).
    """
    app = emulator if emulator is not None else Emulator(config)
    sock = _bind(host, port)
    server = _server(app, log_level=log_level, log_config=None, access_log=False)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="bill-async-emulator", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator's server did not start")
            time.sleep(0.002)
        actual_port = sock.getsockname()[1]
        yield RunningEmulator(base_url(host, actual_port), app, host, actual_port)
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        sock.close()


def serve(
    emulator: Emulator,
    host: str = "127.0.0.1",
    port: int = 8089,
    *,
    log_level: str = "info",
    access_log: bool = False,
) -> None:
    """Serve ``emulator`` in the foreground until interrupted (uvicorn's own logging)."""
    sock = _bind(host, port)
    try:
        _serve_socket(emulator, sock, log_level=log_level, access_log=access_log)
    finally:
        sock.close()


def _serve_socket(
    emulator: Emulator, sock: socket.socket, *, log_level: str, access_log: bool
) -> None:
    import uvicorn.config

    server = _server(
        emulator,
        log_level=log_level,
        log_config=uvicorn.config.LOGGING_CONFIG,
        access_log=access_log,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


# -- the CLI: ``bill-async emulator`` -------------------------------------------------------------


def _latency_ms(text: str) -> Latency:
    """``--latency-ms``: ``N`` milliseconds, or a random range ``MIN-MAX`` / ``MIN,MAX``."""
    try:
        for separator in (",", "-"):
            if separator in text.strip().lstrip("-"):
                low, high = (float(part) / 1000 for part in text.split(separator, 1))
                value: Latency = (low, high)
                break
        else:
            value = float(text) / 1000
        EmulatorConfig(latency=value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not milliseconds (N, or a range MIN-MAX) of 0 or more"
        ) from None
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``bill-async emulator``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8089, help="port to listen on (0: any)")
    parser.add_argument(
        "--latency-ms",
        type=_latency_ms,
        default=0.0,
        metavar="N",
        help="from each request's admission to its answer: N milliseconds, or a random range "
        "MIN-MAX",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive_seconds,
        default=35 * 60.0,
        metavar="S",
        help="seconds after which an idle credential session is invalid (BILL: 2100)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name to answer besides this address and localhost, such as a container's "
        "(repeatable); any other Host is refused",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the demo data")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size of the demo data (1.0: thousands of bills)"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level",
    )


def banner(emulator: Emulator, url: str) -> str:
    """What ``bill-async emulator`` prints: where it listens, and the demo credentials."""
    config = emulator.config
    v3_url = url.removesuffix(API_PREFIX.rstrip("/")) + V3_PREFIX
    lines = [
        f"BILL v2 emulator listening on {url}",
        f"BILL v3 (the same data) on {v3_url}",
        "",
        f"  devKey       {config.dev_key}",
        f"  userName     {config.user_name}",
        f"  password     {config.password}",
        f"  sync token   {config.token_name} / {config.token_value}"
        f"  (organization {emulator.token_org_id})",
        f"  MFA code     {config.mfa_code}",
        f"  webhooks     {v3_url}-events/v3 (delivers to http:// on loopback only)",
        "  organizations:",
    ]
    for org_id, org in emulator.state.orgs.items():
        lines.append(f"    {org_id}  {org.name}")
    lines.append("")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def run_cli(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Run ``bill-async emulator`` with parsed ``args``; returns the exit status."""
    out = out if out is not None else sys.stdout
    try:
        config = EmulatorConfig(
            idle_timeout=args.idle_timeout,
            latency=args.latency_ms,
            seed=args.seed,
            scale=args.scale,
            allowed_hosts=tuple(args.allow_host),
        )
    except ValueError as error:
        print(f"bill-async emulator: {error}", file=sys.stderr)
        return 2
    emulator = Emulator(config)
    try:
        sock = _bind(args.host, args.port)
    except OSError as error:
        print(
            f"bill-async emulator: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 1
    try:
        print(banner(emulator, base_url(args.host, sock.getsockname()[1])), file=out, flush=True)
        _serve_socket(emulator, sock, log_level=args.log_level, access_log=False)
    finally:
        sock.close()
    return 0
