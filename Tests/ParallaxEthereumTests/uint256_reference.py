#!/usr/bin/env python3
"""Reference semantics of the UInt256 operations, on Python's exact integers.

Reads one request per line from stdin, "OP A [B [C]]" with operands in hex,
and writes one result per line in hex (or "nil" for an absent value). The
semantics follow the Yellow Paper, appendix H, and EIP-145, written as
directly as possible so that they can be checked by eye.
"""
import sys

M = 1 << 256
MASK = M - 1


def signed(x):
    return x - M if x >> 255 else x


def unsigned(x):
    return x & MASK


def sdiv(a, b):
    if b == 0:
        return 0
    sa, sb = signed(a), signed(b)
    q = abs(sa) // abs(sb)
    return unsigned(-q if (sa < 0) != (sb < 0) else q)


def smod(a, b):
    if b == 0:
        return 0
    sa, sb = signed(a), signed(b)
    r = abs(sa) % abs(sb)
    return unsigned(-r if sa < 0 else r)


def signextend(b, x):
    if b >= 31:
        return x
    bit = b * 8 + 7
    if (x >> bit) & 1:
        return x | (MASK ^ ((1 << (bit + 1)) - 1))
    return x & ((1 << (bit + 1)) - 1)


def byte(i, x):
    return 0 if i >= 32 else (x >> (8 * (31 - i))) & 0xFF


def sar(s, x):
    return unsigned(signed(x) >> min(s, 256))


def lz(x):
    return 256 - x.bit_length()


OPS = {
    "add": lambda a, b: (a + b) & MASK,
    "sub": lambda a, b: (a - b) & MASK,
    "mul": lambda a, b: (a * b) & MASK,
    "mulhi": lambda a, b: (a * b) >> 256,
    "addo": lambda a, b: int(a + b > MASK),
    "subo": lambda a, b: int(a < b),
    "div": lambda a, b: a // b if b else 0,
    "mod": lambda a, b: a % b if b else 0,
    "sdiv": sdiv,
    "smod": smod,
    "addmod": lambda a, b, m: (a + b) % m if m else 0,
    "mulmod": lambda a, b, m: (a * b) % m if m else 0,
    "exp": lambda a, b: pow(a, b, M),
    "signextend": lambda x, b: signextend(b, x),
    "byte": lambda x, i: byte(i, x),
    "shl": lambda x, s: (x << s) & MASK if s < 256 else 0,
    "shr": lambda x, s: x >> s if s < 256 else 0,
    "sar": lambda x, s: sar(s, x),
    "lt": lambda a, b: int(a < b),
    "slt": lambda a, b: int(signed(a) < signed(b)),
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "not": lambda a: a ^ MASK,
    "neg": lambda a: (-a) & MASK,
    "lzc": lambda a: lz(a),
    "dec": lambda a: int(str(a)),
}


def main():
    out = []
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "dec":
            out.append(format(int(parts[1], 16), "d"))
            continue
        args = [int(p, 16) for p in parts[1:]]
        out.append(format(OPS[parts[0]](*args), "x"))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
