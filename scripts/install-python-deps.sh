#!/usr/bin/env bash
# Installs the Python packages the tests and the perf harness compare against,
# only those that are missing: py_ecc (bn254, BLS12-381), ckzg (KZG, blst
# inside), pyrevm (revm, the peer engine), trie (py-trie's HexaryTrie, the
# state trie tests' reference). References and baselines only: the
# library never imports them. Idempotent.
set -euo pipefail
missing=()
python3 -c "import py_ecc" 2>/dev/null || missing+=("py_ecc==8.0.0")
python3 -c "import ckzg" 2>/dev/null || missing+=("ckzg==2.1.8")
python3 -c "import pyrevm" 2>/dev/null || missing+=("pyrevm==0.3.7")
python3 -c "import trie" 2>/dev/null || missing+=("trie==4.0.0")
((${#missing[@]} == 0)) && exit 0
echo "install-python-deps: installing ${missing[*]}" >&2
command -v pip3 >/dev/null || bash "$(dirname "$0")/install-deps.sh"
python3 -m pip install --quiet "${missing[@]}" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "${missing[@]}"
