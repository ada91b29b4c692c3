"""``efficacy-sim params``: the declared parameter table (from :mod:`sim.params`)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "params",
        help="list every parameter with its default, allowed values, unit and meaning",
        description="Every declared parameter (sim/params.py): default, allowed values, unit and meaning.",
    )
    p.add_argument("filter", nargs="*", help="only rows whose name or section contains one of these words")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table (with sources)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.params import parameter_table

    rows = parameter_table()
    if args.filter:
        words = [w.lower() for w in args.filter]
        rows = [r for r in rows if any(w in r.name.lower() or w in r.section.lower() for w in words)]
    if args.markdown:
        print("| section | name | default | allowed | unit | meaning | source |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r.section} | `{r.name}` | {r.default} | {r.allowed} | {r.unit} | {r.meaning} | {r.source} |")
        return 0
    head = ("section", "name", "default", "allowed", "unit", "meaning")
    table = [head, *((r.section, r.name, r.default, r.allowed, r.unit, r.meaning) for r in rows)]
    # Column widths fit the cells, but a few very long cells (choice lists) may overflow rather than widen all rows.
    widths = [min(max(len(row[i]) for row in table), 28) for i in range(len(head) - 1)]
    for row in table:
        line = ""
        for cell, w in zip(row[:-1], widths, strict=True):
            line += cell.ljust(w) + "  "
        print(line + row[-1])
    if len(table) == 1:
        print("(no parameter matches)")
    return 0
