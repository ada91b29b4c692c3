"""``efficacy-sim dashboard``: serve the interactive Solara dashboard (``dashboards/app.py``)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
SECURE = APP.with_name("security.py")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve_command(host: str = "127.0.0.1", port: int = 8765, production: bool = True) -> list[str]:
    """The command that serves the dashboard (run it from the repository root).

    In production mode (the default) Solara runs behind :class:`dashboards.security.LocalOnly`, which
    answers only requests naming a served host and websockets from the same origin. Development mode
    reloads the app in a fresh server process that the wrapper cannot reach, so it has no such check.
    """
    if production:
        return [sys.executable, str(SECURE), host, str(port), "--production"]
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port)]


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port = {text!r} is not allowed: expected a whole number in [1, 65535]")
    return port


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "dashboard",
        help="open the interactive dashboard in the browser (works offline)",
        description="Serve the Solara dashboard: explore a scenario live, compare two, browse results/.",
    )
    p.add_argument("--port", type=_port, default=8765, help="port to serve on (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    p.add_argument("--dev", action="store_true", help="development mode: reload on code changes")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not APP.is_file():
        print(f"efficacy-sim dashboard: error: {APP} not found (run from a source checkout)", file=sys.stderr)
        return 2
    if args.host not in LOCAL_HOSTS:
        print(f"efficacy-sim dashboard: note: serving on {args.host}, reachable from other machines", file=sys.stderr)
    if args.dev:
        print(
            "efficacy-sim dashboard: note: --dev serves without the Host and Origin checks; "
            "do not browse other sites meanwhile",
            file=sys.stderr,
        )
    cmd = serve_command(args.host, args.port, production=not args.dev)
    print(f"efficacy-sim dashboard: http://{args.host}:{args.port}/ (Ctrl-C to stop)")
    return serve(cmd, APP.parent.parent)


def serve(cmd: list[str], cwd: Path) -> int:
    """Run the server as a child and pass SIGTERM/SIGINT on to it, so stopping this command stops the server.

    (Plain ``subprocess.call`` died on SIGTERM and left the server running as an orphan.)
    """
    proc = subprocess.Popen(cmd, cwd=cwd)

    def forward(signum: int, _frame: object) -> None:
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = proc.wait()
                return 128 - code if code < 0 else code  # killed by signal N: the shell's 128 + N
            except KeyboardInterrupt:  # a second Ctrl-C while the server shuts down: keep waiting for it
                continue
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
