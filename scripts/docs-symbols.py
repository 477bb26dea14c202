#!/usr/bin/env python3
"""The symbol graph of the `Parallax` product: what `import Parallax` gives.

SwiftPM's symbol-graph extraction (used by `swift package
generate-documentation`) covers only the declarations of the Parallax module
itself, not the modules and types Sources/Parallax/Parallax.swift re-exports
with `@_exported import`. This script runs swift-symbolgraph-extract on the
built Parallax module with those modules allowed as re-exports (the compiler
flags come from the debug build's description, .build/debug.yaml, so the
module must be built first: `swift build --target Parallax`), then keeps
exactly the surface Parallax.swift declares: the Parallax module's own
symbols, every symbol of the modules it re-exports whole, and the types it
re-exports one by one (with their members). The result is one
Parallax.symbols.json in OUTDIR, for DocC (`--additional-symbol-graph-dir`)
and for scripts/doc-coverage.py.

usage: docs-symbols.py OUTDIR [--skip-inherited-docs]
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REEXPORTS = os.path.join(ROOT, "Sources", "Parallax", "Parallax.swift")


def surface():
    """(whole modules, {module: {type names}}) of Parallax.swift's @_exported imports."""
    whole, single = set(), {}
    for line in open(REEXPORTS, encoding="utf-8"):
        line = line.split("//")[0].strip()
        m = re.fullmatch(r"@_exported import (?:(?:struct|class|enum|protocol|typealias|func|var|let) )?([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?", line)
        if not m:
            if line.startswith("@_exported"):
                sys.exit(f"docs-symbols: cannot read {line!r} in {REEXPORTS}")
            continue
        module, name = m.group(1), m.group(2)
        if name is None:
            whole.add(module)
        else:
            single.setdefault(module, set()).add(name)
    return whole, single


def compiler_flags():
    """-target, -I, -Xcc and module-cache flags of the Parallax module's debug compile."""
    triple = subprocess.run(["swiftc", "-print-target-info"], capture_output=True, text=True, check=True)
    target = json.loads(triple.stdout)["target"]["unversionedTriple"]
    description = os.path.join(ROOT, ".build", "debug.yaml")
    text = open(description, encoding="utf-8").read()
    m = re.search(r'\n  "C\.Parallax-[^"]*-debug\.module":\n(?:    [^\n]*\n)*?    args: (\[[^\n]*\])', text)
    if not m:
        sys.exit(f"docs-symbols: no compile command of module Parallax in {description}; run `swift build --target Parallax` first")
    args = json.loads(m.group(1))
    flags, i = ["-target", target], 0
    while i < len(args):
        a = args[i]
        if a in ("-I", "-Xcc", "-module-cache-path") and i + 1 < len(args):
            flags += [a, args[i + 1]]
            i += 2
            continue
        i += 1
    return flags


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    whole, single = surface()
    allowed = sorted(whole | set(single))
    raw = out.rstrip("/") + "-unfiltered"
    os.makedirs(raw, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(raw):
        os.remove(os.path.join(raw, name))
    command = ["swift-symbolgraph-extract", "-module-name", "Parallax", *compiler_flags(),
               "-minimum-access-level", "public", "-emit-extension-block-symbols",
               "-experimental-allowed-reexported-modules=" + ",".join(allowed), "-output-dir", raw]
    if "--skip-inherited-docs" in sys.argv[2:]:
        command.append("-skip-inherited-docs")
    subprocess.run(command, check=True, cwd=ROOT)

    graph = json.load(open(os.path.join(raw, "Parallax.symbols.json"), encoding="utf-8"))
    sources = "file://" + os.path.join(ROOT, "Sources") + "/"

    def module_of(symbol):
        uri = symbol.get("location", {}).get("uri", "")
        return uri[len(sources):].split("/")[0] if uri.startswith(sources) else None

    keep_top = set()
    for s in graph["symbols"]:
        if len(s["pathComponents"]) != 1:
            continue
        module, name = module_of(s), s["pathComponents"][0]
        if module == "Parallax" or module in whole or name in single.get(module, ()):
            keep_top.add(name)
    symbols = [s for s in graph["symbols"] if s["pathComponents"] and s["pathComponents"][0] in keep_top]
    kept = {s["identifier"]["precise"] for s in symbols}
    graph["symbols"] = symbols
    graph["relationships"] = [r for r in graph["relationships"] if r["source"] in kept]
    for extra in os.listdir(raw):          # Parallax@Module.symbols.json: extensions of other modules' types
        if extra != "Parallax.symbols.json":
            sys.exit(f"docs-symbols: unexpected extension graph {extra}: the surface now extends another module's types; decide whether to document it")
    json.dump(graph, open(os.path.join(out, "Parallax.symbols.json"), "w", encoding="utf-8"))
    missing = [f"{m}.{n}" for m, names in single.items() for n in names if n not in keep_top]
    if missing:
        sys.exit(f"docs-symbols: re-exported but not found in the symbol graph: {', '.join(sorted(missing))}")
    print(f"docs-symbols: {len(symbols)} symbols of {len(keep_top)} top-level declarations -> {out}/Parallax.symbols.json")


main()
