"""Find experiment results already on disk: figures and summaries under ``results/*/``."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown

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


def find_experiments(root: Path | None = None) -> list[Experiment]:
    """Experiments under ``root`` (default :func:`results_dir`) that have a figure or a summary."""
    root = results_dir() if root is None else Path(root)
    if not root.is_dir():
        return []
    found = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in sub.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts))
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


def summary_html(path: Path) -> str:
    """A Markdown summary as HTML; its local images are inlined, remote ones dropped (the page stays offline)."""
    html = markdown.markdown(path.read_text(errors="replace"), extensions=["tables", "fenced_code"])

    def inline(m: re.Match) -> str:
        src = m.group(2)
        target = (path.parent / src).resolve()
        if "://" in src or src.startswith("data:") or not target.is_file() or target.suffix.lower() not in _MIME:
            return f"<em>[image {src} not shown]</em>" if not src.startswith("data:") else m.group(0)
        data = base64.b64encode(target.read_bytes()).decode()
        return f'<img{m.group(1)}src="data:{_MIME[target.suffix.lower()]};base64,{data}" style="max-width:100%"{m.group(3)}>'

    return _IMG_SRC.sub(inline, html)
