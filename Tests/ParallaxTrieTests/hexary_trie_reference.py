#!/usr/bin/env python3
"""Roots of PyPI's `trie` (HexaryTrie) for the Swift tests: reads JSON
{"cases": [[[key_hex, value_hex_or_null], ...], ...]} on stdin and
writes one root (hex) per case, applying each case's operations in order
(a null or empty value deletes the key)."""
import json
import sys

from trie import HexaryTrie


def main() -> None:
    request = json.load(sys.stdin)
    roots = []
    for ops in request["cases"]:
        t = HexaryTrie(db={})
        for key_hex, value_hex in ops:
            key = bytes.fromhex(key_hex)
            if value_hex is None or value_hex == "":
                if key in t:
                    del t[key]
            else:
                t[key] = bytes.fromhex(value_hex)
        roots.append(t.root_hash.hex())
    json.dump({"roots": roots}, sys.stdout)


if __name__ == "__main__":
    main()
