"""Find experiment results already on disk: figures and summaries under ``results/*/``.

What is shown comes from files anyone could have written, so it is treated as untrusted: Markdown is
rendered with raw HTML disabled (escaped as text; links limited to safe schemes), and every file shown
or inlined must resolve, symlinks followed, to a path inside the results folder.
"""

from __future__ import annotations

import base64
import html as html_lib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
RESULTS_ENV = "EFFICACY_SIM_RESULTS"
"""Environment variable naming another results folder (the tests use a temporary one)."""

FIGURE_SUFFIXES = (".png", ".svg")
SUMMARY_SUFFIXES = (".md",)
MAX_FILES = 40  # per experiment, so a huge folder cannot stall the page


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or ROOT / "results")


@dataclass
class Experiment:
    """One folder under results/ with its summaries (Markdown) and figures (PNG/SVG)."""

    name: str
    path: Path
    summaries: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink and ``..`` resolved, lies inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def find_experiments(root: Path | None = None) -> list[Experiment]:
    """Experiments under ``root`` (default :func:`results_dir`) that have a figure or a summary.

    Only files inside ``root`` count: a symlink pointing out of it (a folder or a file) is skipped.
    """
    root = results_dir() if root is None else Path(root)
    if not root.is_dir():
        return []
    found = []
    subs = (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and inside(p, root))
    for sub in sorted(subs):
        files = sorted(
            p
            for p in sub.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(sub).parts) and inside(p, root)
        )
        exp = Experiment(sub.name, sub)
        exp.summaries = [p for p in files if p.suffix.lower() in SUMMARY_SUFFIXES][:MAX_FILES]
        figures = [p for p in files if p.suffix.lower() in FIGURE_SUFFIXES]
        pngs = {p.with_suffix("") for p in figures if p.suffix.lower() == ".png"}
        # a figure saved as both PNG and SVG is shown once, as the (lighter) PNG
        exp.figures = [p for p in figures if p.suffix.lower() == ".png" or p.with_suffix("") not in pngs][:MAX_FILES]
        if exp.summaries or exp.figures:
            found.append(exp)
    return found


def unreferenced(exp: Experiment) -> list[Path]:
    """The experiment's figures that none of its summaries already shows inline."""
    text = " ".join(md.read_text(errors="replace") for md in exp.summaries)
    return [f for f in exp.figures if f.name not in text and f.with_suffix("").name + "." not in text]


_IMG_SRC = re.compile(r'<img([^>]*?)src="([^"]+)"([^>]*)>')
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
"""Markdown with raw HTML off: ``<script>`` or ``<img onerror=...>`` in a summary shows as text, and
links with unsafe schemes (``javascript:``, ``vbscript:``, ``file:``) are not made links."""


def summary_html(path: Path, root: Path | None = None) -> str:
    """A Markdown summary as safe HTML; its images inside ``root`` (default :func:`results_dir`) are inlined,
    others (remote, outside the results folder, not an image) replaced by a note (the page stays offline)."""
    root = results_dir() if root is None else Path(root)
    html = _MD.render(path.read_text(errors="replace"))

    def inline(m: re.Match) -> str:
        src = html_lib.unescape(m.group(2))
        if src.startswith("data:"):
            return m.group(0)  # the renderer lets through only data: URIs of raster images
        target = path.parent / unquote(src)
        if "://" in src or not inside(target, root) or not target.is_file() or target.suffix.lower() not in _MIME:
            return f"<em>[image {html_lib.escape(src)} not shown]</em>"
        data = base64.b64encode(target.resolve().read_bytes()).decode()
        return f'<img{m.group(1)}src="data:{_MIME[target.suffix.lower()]};base64,{data}" style="max-width:100%"{m.group(3)}>'

    return _IMG_SRC.sub(inline, html)
