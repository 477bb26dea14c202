#!/usr/bin/env bash
# The DocC documentation of the `Parallax` product (make docs, make test-docs).
#
# `swift package generate-documentation --target Parallax` alone documents
# only the declarations of the Parallax module: SwiftPM extracts its symbol
# graph without the modules and types Sources/Parallax/Parallax.swift
# re-exports, so the catalog's links to `Transaction`, `ParallelExecutor`,
# `StateStore`... would not resolve. scripts/docs-symbols.py extracts the
# graph of what `import Parallax` actually gives (swift-symbolgraph-extract
# with those modules allowed as re-exports, filtered to Parallax.swift's
# list), and the plugin's own `--additional-symbol-graph-dir` option hands it
# to DocC instead of SwiftPM's. One archive, one module page, the curated
# surface; no per-module archives or combined documentation (those would
# document whole modules, queues and kernels included, that `import Parallax`
# does not give).
#
# Steps: build the Parallax module (a no-op after `swift build --build-tests`,
# same debug build directory), extract the product's symbol graph twice
# (with and without inherited doc comments, under a second each), check that
# every public declaration has a doc comment (scripts/doc-coverage.py), then
# run DocC with warnings as errors. The archive is written to
# .build/plugins/Swift-DocC/outputs/Parallax.doccarchive.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
OUT=.build/parallax-docs
# swift-symbolgraph-extract and swiftc of the same toolchain as $SWIFT.
PATH="$(dirname "$(command -v "$SWIFT")"):$PATH"

$SWIFT build --target Parallax
python3 scripts/docs-symbols.py "$OUT/symbol-graphs"
python3 scripts/docs-symbols.py "$OUT/own-doc-comments" --skip-inherited-docs
python3 scripts/doc-coverage.py "$OUT/own-doc-comments/Parallax.symbols.json" "$OUT/symbol-graphs/Parallax.symbols.json"
$SWIFT package generate-documentation --target Parallax --warnings-as-errors \
    --additional-symbol-graph-dir "$OUT/symbol-graphs"
