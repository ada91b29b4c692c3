"""The dashboard against hostile files and hostile web pages: stored XSS, paths outside results/, DNS rebinding
(a foreign Host header) and cross-site websocket hijacking (a foreign Origin), with real files and requests."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from dashboards import results
from dashboards.security import LocalOnly, served_hosts
from sim.commands.dashboard import serve_command

ROOT = Path(__file__).resolve().parent.parent
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


# -- stored XSS ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<iframe src='https://example.org'></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        '<svg onload="alert(1)"></svg>',
        "<style>body{display:none}</style>",
    ],
)
def test_summary_html_and_links_are_inert(tmp_path, attack):
    exp = tmp_path / "exp"
    exp.mkdir()
    md = exp / "summary.md"
    md.write_text(f"# Title\n\n{attack}\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n")
    html = results.summary_html(md, root=tmp_path)
    tags = _tags(html)  # what a browser would build from it
    assert {t for t, _ in tags} <= {"h1", "p", "table", "thead", "tbody", "tr", "th", "td", "a", "em", "code", "pre"}
    for _, attrs in tags:
        assert not [k for k, _ in attrs if k.startswith("on")], attrs
        assert not [v for k, v in attrs if k == "href" and not (v or "").startswith(("http", "#", "/"))], attrs
    assert "<h1>Title</h1>" in html and "<table>" in html  # Markdown itself still renders


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_images_inside_results_are_inlined_others_not(tmp_path):
    root = tmp_path / "results"
    exp = root / "exp"
    exp.mkdir(parents=True)
    (exp / "fig.png").write_bytes(PNG)
    secret = tmp_path / "secret.png"  # outside results/
    secret.write_bytes(PNG + b"SECRET")
    (exp / "link.png").symlink_to(secret)
    md = exp / "summary.md"
    md.write_text("![ok](fig.png) ![up](../../secret.png) ![abs](/etc/passwd) ![sym](link.png) ![web](http://x/y.png)")
    html = results.summary_html(md, root=root)
    assert html.count("data:image/png;base64,") == 1
    assert base64.b64encode(PNG + b"SECRET").decode() not in html
    for name in ("../../secret.png", "/etc/passwd", "link.png", "http://x/y.png"):
        assert f"[image {name} not shown]" in html


def test_results_listing_skips_symlinks_out_of_results(tmp_path):
    root = tmp_path / "results"
    (root / "real").mkdir(parents=True)
    (root / "real" / "summary.md").write_text("# real")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "summary.md").write_text("# private")
    (outside / "private.png").write_bytes(PNG)
    (root / "linked").symlink_to(outside)  # a whole folder pointing out
    (root / "real" / "stolen.png").symlink_to(outside / "private.png")  # a file pointing out
    found = results.find_experiments(root)
    assert [e.name for e in found] == ["real"]
    assert [p.name for p in found[0].summaries] == ["summary.md"] and found[0].figures == []


# -- Host and Origin: the middleware, then the real server ----------------------------------------------------
def _scope(kind: str, host: str, origin: str | None = None) -> dict:
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    return {"type": kind, "headers": headers}


@pytest.mark.parametrize(
    "kind, host, origin, ok",
    [
        ("http", "127.0.0.1:8765", None, True),
        ("http", "localhost:8765", None, True),
        ("http", "[::1]:8765", None, True),
        ("http", "evil.example:8765", None, False),  # DNS rebinding
        ("http", "127.0.0.1:9999", None, False),
        ("http", "", None, False),
        ("http", "127.0.0.1:8765", "http://evil.example", False),
        ("http", "127.0.0.1:8765", "http://127.0.0.1:8765", True),
        ("websocket", "127.0.0.1:8765", "http://127.0.0.1:8765", True),
        ("websocket", "localhost:8765", "http://localhost:8765", True),
        ("websocket", "127.0.0.1:8765", "http://evil.example", False),  # cross-site websocket hijacking
        ("websocket", "127.0.0.1:8765", "http://localhost:8765", False),  # another origin, even if local
        ("websocket", "127.0.0.1:8765", "http://127.0.0.1:1234", False),
        ("websocket", "127.0.0.1:8765", "null", False),
        ("websocket", "127.0.0.1:8765", None, False),
    ],
)
def test_local_only_decisions(kind, host, origin, ok):
    guard = LocalOnly(None, served_hosts("127.0.0.1"), 8765)
    assert (guard.allowed(_scope(kind, host, origin)) is None) == ok


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("log") / "server.log"
    env = {**os.environ, "EFFICACY_SIM_RESULTS": str(tmp_path_factory.mktemp("results"))}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            serve_command("127.0.0.1", port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _raw(port: int, request: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            got = s.recv(4096)
            if not got:
                break
            data += got
    return data.decode("latin-1").split("\r\n", 1)[0]


def _get(port: int, host: str, origin: str | None = None, path: str = "/") -> str:
    extra = f"Origin: {origin}\r\n" if origin else ""
    return _raw(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n")


def _websocket(port: int, host: str, origin: str | None) -> str:
    extra = f"Origin: {origin}\r\n" if origin else ""
    return _raw(
        port,
        f"GET /jupyter/api/kernels/0a1b2c3d-aaaa-bbbb-cccc-000000000000/channels?session_id=s HTTP/1.1\r\n"
        f"Host: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n",
    )


@pytest.mark.slow
def test_served_dashboard_answers_only_its_host_and_own_origin(served):
    port = served
    assert " 200 " in _get(port, f"127.0.0.1:{port}")
    assert " 200 " in _get(port, f"localhost:{port}")
    assert " 403 " in _get(port, f"rebound.example:{port}")  # DNS rebinding: a foreign name for 127.0.0.1
    assert " 403 " in _get(port, f"127.0.0.1:{port}", origin="http://evil.example", path="/readyz")
    assert " 101 " in _websocket(port, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}")
    assert " 403 " in _websocket(port, f"127.0.0.1:{port}", "http://evil.example")
    assert " 403 " in _websocket(port, f"127.0.0.1:{port}", None)
    assert " 403 " in _websocket(port, f"rebound.example:{port}", f"http://rebound.example:{port}")
