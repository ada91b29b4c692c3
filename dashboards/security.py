"""Serve the dashboard so that only the user's own browser tab can drive it.

The dashboard listens on this machine, but the browser that shows it also visits other sites; a page
there could reach ``http://127.0.0.1:8765`` by DNS rebinding (its own host name resolving to
127.0.0.1) or open the kernel websocket directly (cross-site websocket hijacking). :class:`LocalOnly`
refuses both before Solara sees the request:

* every HTTP request and websocket must name a served host in its ``Host`` header (403 otherwise);
* a websocket must come from a page of the same origin (its ``Origin`` header names the same host and
  port), and any HTTP request that carries an ``Origin`` must too.

Run as a script, this module starts ``solara run`` with the Solara app wrapped in :class:`LocalOnly`::

    python dashboards/security.py HOST PORT [solara run options...]
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Names of this machine: served whenever the dashboard listens on one of them (or on all addresses)."""

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def served_hosts(host: str) -> tuple[str, ...]:
    """Host names a request may name: the one served, and this machine's names when it is local.

    Served on all addresses (``0.0.0.0``, ``::``), also this machine's host name and its addresses.
    """
    import socket

    host = host.strip("[]").lower()
    if host in ("0.0.0.0", "::"):
        name = socket.gethostname().lower()
        try:
            addresses = {a[4][0] for a in socket.getaddrinfo(name, None)}
        except OSError:
            addresses = set()
        return tuple(dict.fromkeys((*LOOPBACK, host, name, *sorted(addresses))))
    if host in LOOPBACK:
        return tuple(dict.fromkeys((*LOOPBACK, host)))
    return (host,)


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` (or ``[v6]:port``) as (lower-case host, port), None if malformed."""
    try:
        parts = urlsplit(f"//{value}")
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None


class LocalOnly:
    """ASGI middleware: answer only requests for a served host, websockets only from the same origin.

    Parameters
    ----------
    app : the ASGI application to protect.
    hosts : host names accepted in the ``Host`` header (see :func:`served_hosts`).
    port : the served port; a ``Host`` or ``Origin`` naming another port is refused.
    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str], port: int) -> None:
        self.app = app
        self.hosts = {h.lower() for h in hosts}
        self.port = port

    def allowed(self, scope: Scope) -> str | None:
        """None if the request may pass, else why not."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = _split_host(headers.get("host", ""))
        if host is None or host[0] not in self.hosts or host[1] not in (None, self.port):
            return f"host {headers.get('host', '')!r} is not served here"
        origin = headers.get("origin")
        if origin is None:
            # browsers always send Origin on websockets; only a non-browser client omits it
            return "a websocket without Origin" if scope["type"] == "websocket" else None
        o = urlsplit(origin) if "://" in origin else None
        try:
            o_port = o.port if o else None
        except ValueError:
            o_port = -1
        o_port = o_port or ({"http": 80, "https": 443}.get(o.scheme) if o else None)
        h_port = host[1] or 80
        if o is None or (o.hostname or "").lower() != host[0] or o_port != h_port:
            return f"origin {origin!r} is not this page's"
        return None

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        why = self.allowed(scope)
        if why is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await receive()  # the connect event; closing before accept answers the handshake with 403
            await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
            return
        body = f"Forbidden: {why}\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def main(argv: list[str]) -> None:
    """``HOST PORT [solara run options]``: ``solara run dashboards/app.py`` with :class:`LocalOnly` in front."""
    host, port, rest = argv[0], int(argv[1]), argv[2:]
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    import os

    os.environ.setdefault("SOLARA_APP", str(root / "dashboards" / "app.py"))
    import solara.server.starlette as served

    # `solara run` hands uvicorn the string "solara.server.starlette:app"; uvicorn imports it from the
    # loaded module, so it serves this wrapped app
    served.app = LocalOnly(served.app, served_hosts(host), port)
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", "run", str(root / "dashboards" / "app.py"), "--host", host, "--port", str(port), *rest]
    solara_main()


if __name__ == "__main__":
    main(sys.argv[1:])
