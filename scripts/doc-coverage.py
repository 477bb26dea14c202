#!/usr/bin/env python3
"""Fails when a public declaration of the `Parallax` product lacks a doc comment.

usage: doc-coverage.py OWN.symbols.json INHERITED.symbols.json

Both files are the product's symbol graph from scripts/docs-symbols.py: OWN
extracted with -skip-inherited-docs (a symbol has a doc comment only if its
declaration has one), INHERITED without it (an implementation of a protocol
requirement, or of an inherited member, carries the requirement's doc
comment, which DocC shows on its page).

A symbol passes when its declaration has a non-empty doc comment, or when it
implements a documented requirement (`description` of CustomStringConvertible,
`==`, `<`, `rawValue`, `Transaction.gasLimit` in a contract...): its page then
shows that requirement's documentation. Compiler-synthesized symbols (default
implementations the package never declares, such as `!=`) are not
declarations of the package and are skipped. Every other public symbol
without a doc comment is listed with its file and line, and the exit status
is 1.
"""
import json
import os
import sys


def text(symbol):
    comment = symbol.get("docComment")
    return " ".join(line["text"] for line in comment["lines"]).strip() if comment else ""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    own = json.load(open(sys.argv[1], encoding="utf-8"))["symbols"]
    inherited = {s["identifier"]["precise"]: s for s in json.load(open(sys.argv[2], encoding="utf-8"))["symbols"]}
    root = "file://" + os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/"
    declared = documented = by_requirement = 0
    missing = []
    for symbol in own:
        precise = symbol["identifier"]["precise"]
        if "::SYNTHESIZED::" in precise or symbol["kind"]["identifier"] == "swift.extension":
            continue
        declared += 1
        if text(symbol):
            documented += 1
        elif text(inherited.get(precise, {})):
            by_requirement += 1
        else:
            location = symbol.get("location", {})
            where = location.get("uri", "?").replace(root, "")
            line = location.get("position", {}).get("line", -1) + 1
            missing.append(f"{where}:{line}: {'.'.join(symbol['pathComponents'])} ({symbol['kind']['displayName'].lower()}) has no doc comment")
    for entry in sorted(missing):
        print(entry)
    print(f"doc-coverage: {declared} public declarations of `import Parallax`: {documented} with a doc comment, "
          f"{by_requirement} implementing a documented requirement, {len(missing)} undocumented")
    sys.exit(1 if missing else 0)


main()
