"""The listening sockets of `usermgmt serve`, made before anything else starts (so a port in use
is reported first, and `--port 0` gives one port to every worker): one per HTTP worker, all on
one port with SO_REUSEPORT, so that the kernel spreads connections evenly over the workers (on
one shared socket, the first worker to wake accepts a whole burst of them)."""

from __future__ import annotations

import errno
import logging
import socket
import time

log = logging.getLogger("usermgmt.serve")

PORT_WAIT_S = 10.0
PORT_RETRY_S = 0.1


def listen(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on `port` (0: one the kernel picks).

    Sockets with SO_REUSEPORT share a port with any others of the same user that have it: with
    the workers of a server killed a moment ago (kill -9: they stop on their own, but not at
    once) as well. So this first waits, up to PORT_WAIT_S, until nothing listens on the port."""
    if port:
        _wait_until_free(host, port)
    first = _listener(host, port, reuse_port=True)
    port = first.getsockname()[1]
    return [first, *(_listener(host, port, reuse_port=True) for _ in range(count - 1))]


def _wait_until_free(host: str, port: int) -> None:
    deadline = time.monotonic() + PORT_WAIT_S
    told = False
    while True:
        try:
            # Without SO_REUSEPORT: refused while any other socket listens on the port.
            _listener(host, port, reuse_port=False, backlog=None).close()
            return
        except OSError as error:
            if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
        if not told:
            log.info("port %d is in use; waiting up to %.0f s for it", port, PORT_WAIT_S)
            told = True
        time.sleep(PORT_RETRY_S)  # another process's sockets: there is no event to await


def _listener(
    host: str, port: int, *, reuse_port: bool, backlog: int | None = 2048
) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    # proto must be IPPROTO_TCP, as getaddrinfo gives it: asyncio sets TCP_NODELAY only on
    # such sockets, and without it each response waits on the client's delayed ACK.
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        if reuse_port:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(address)
        if backlog is not None:
            listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    return listener


def announce(listener: socket.socket, layout: str) -> None:
    """The line an operator looks for, with the port actually listened on."""
    host, port = listener.getsockname()[:2]
    log.info("serving on http://%s:%d (Press CTRL+C to quit): %s", host, port, layout)
