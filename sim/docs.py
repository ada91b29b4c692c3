"""Regenerate the generated parts of ``docs/ODD.md`` from the declarations.

The parameter table (from :func:`sim.params.markdown_parameter_table`) and the metric list (from
:data:`sim.metrics.METRICS`) are never hand-written: they sit between marker comments such as
``<!-- params:start -->`` and ``<!-- params:end -->`` and this module rewrites what is between them.

Usage::

    python -m sim.docs            # rewrite docs/ODD.md in place
    python -m sim.docs --check    # exit 1 (and say which block) if docs/ODD.md is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def metrics_markdown() -> str:
    """The metric list as a Markdown table, in the order of :data:`sim.metrics.METRICS`, then the
    per-domain metrics of multi-domain runs (:data:`sim.metrics.DOMAIN_METRICS`)."""
    from sim.metrics import DOMAIN_METRICS, METRICS

    rows = ["| metric | meaning |", "|---|---|"]
    rows += [f"| `{name}` | {meaning} |" for name, meaning in METRICS.items()]
    rows += [f"| `{name}` | {meaning} (runs with several domains) |" for name, meaning in DOMAIN_METRICS.items()]
    return "\n".join(rows)


def params_markdown() -> str:
    """The parameter table as Markdown (the one rendering in :mod:`sim.params`)."""
    from sim.params import markdown_parameter_table

    return markdown_parameter_table()


BLOCKS: dict[str, Callable[[], str]] = {"params": params_markdown, "metrics": metrics_markdown}
"""Generated block name -> function producing its Markdown."""


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.DOTALL)


def render(text: str, blocks: dict[str, str] | None = None) -> str:
    """``text`` with every generated block replaced by its current content.

    Parameters
    ----------
    text : the document.
    blocks : block name -> Markdown; default: every block of :data:`BLOCKS`, freshly generated.

    Raises
    ------
    ValueError
        If a block's start/end markers are missing or appear more than once.
    """
    if blocks is None:
        blocks = {name: make() for name, make in BLOCKS.items()}
    for name, body in blocks.items():
        pat = _pattern(name)
        found = pat.findall(text)
        if len(found) != 1:
            raise ValueError(
                f"docs: expected exactly one '<!-- {name}:start -->' ... '<!-- {name}:end -->' block, found {len(found)}"
            )
        text = pat.sub(lambda m, body=body: m.group(1) + body.rstrip("\n") + "\n" + m.group(3), text)
    return text


def stale_blocks(text: str) -> list[str]:
    """Names of the generated blocks whose content differs from the declarations."""
    fresh = {name: make() for name, make in BLOCKS.items()}
    return [name for name in fresh if render(text, {name: fresh[name]}) != text]


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` verify) the generated blocks of the ODD document."""
    ap = argparse.ArgumentParser(prog="python -m sim.docs", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is out of date")
    ap.add_argument("--path", type=Path, default=ODD_PATH, help="document to update (default: docs/ODD.md)")
    args = ap.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    if args.check:
        stale = stale_blocks(text)
        if stale:
            print(f"{args.path}: out of date blocks: {', '.join(stale)}; run `python -m sim.docs`", file=sys.stderr)
            return 1
        print(f"{args.path}: up to date")
        return 0
    new = render(text)
    if new != text:
        args.path.write_text(new, encoding="utf-8")
        print(f"{args.path}: updated")
    else:
        print(f"{args.path}: already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
