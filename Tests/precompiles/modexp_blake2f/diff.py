#!/usr/bin/env python3
"""Differential test of px_modexp and px_blake2f against Python references.

modexp: Python's pow(base, exp, mod) (0 for a zero modulus, as EIP-198 says).
blake2f: a direct transcription of RFC 7693's compression function F with the
round count taken from the input (EIP-152), written here as the reference.
Random operands of every length class (empty, short, 32, 33-300 bytes, zero
and even moduli, zero exponents), random F inputs with random round counts,
final flags 0, 1 and invalid, and wrong lengths.

Usage: diff.py --driver PATH [--count N] [--seed S]
"""
import argparse
import random
import subprocess
import sys

IV = [0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
      0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179]
SIGMA = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
         [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
         [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
         [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
         [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
         [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
         [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
         [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
         [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
         [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]]
M64 = (1 << 64) - 1


def rotr(x, n):
    return ((x >> n) | (x << (64 - n))) & M64


def blake2f_reference(data: bytes):
    if len(data) != 213:
        return "badlen"
    if data[212] > 1:
        return "err"
    rounds = int.from_bytes(data[0:4], "big")
    h = [int.from_bytes(data[4 + 8 * i:12 + 8 * i], "little") for i in range(8)]
    m = [int.from_bytes(data[68 + 8 * i:76 + 8 * i], "little") for i in range(16)]
    t0 = int.from_bytes(data[196:204], "little")
    t1 = int.from_bytes(data[204:212], "little")
    v = h + IV
    v[12] ^= t0
    v[13] ^= t1
    if data[212]:
        v[14] ^= M64

    def g(a, b, c, d, x, y):
        v[a] = (v[a] + v[b] + x) & M64
        v[d] = rotr(v[d] ^ v[a], 32)
        v[c] = (v[c] + v[d]) & M64
        v[b] = rotr(v[b] ^ v[c], 24)
        v[a] = (v[a] + v[b] + y) & M64
        v[d] = rotr(v[d] ^ v[a], 16)
        v[c] = (v[c] + v[d]) & M64
        v[b] = rotr(v[b] ^ v[c], 63)

    for r in range(rounds):
        s = SIGMA[r % 10]
        g(0, 4, 8, 12, m[s[0]], m[s[1]])
        g(1, 5, 9, 13, m[s[2]], m[s[3]])
        g(2, 6, 10, 14, m[s[4]], m[s[5]])
        g(3, 7, 11, 15, m[s[6]], m[s[7]])
        g(0, 5, 10, 15, m[s[8]], m[s[9]])
        g(1, 6, 11, 12, m[s[10]], m[s[11]])
        g(2, 7, 8, 13, m[s[12]], m[s[13]])
        g(3, 4, 9, 14, m[s[14]], m[s[15]])
    return b"".join((h[i] ^ v[i] ^ v[i + 8]).to_bytes(8, "little") for i in range(8)).hex()


def modexp_reference(base: bytes, exp: bytes, mod: bytes) -> str:
    m = int.from_bytes(mod, "big")
    if len(mod) == 0:
        return ""
    r = 0 if m == 0 else pow(int.from_bytes(base, "big"), int.from_bytes(exp, "big"), m)
    return r.to_bytes(len(mod), "big").hex()


def operand(rng: random.Random) -> bytes:
    kind = rng.randrange(7)
    n = [0, rng.randrange(1, 8), 32, rng.randrange(33, 300), 1, 64, rng.randrange(1, 40)][kind]
    b = bytearray(rng.randbytes(n))
    if n and rng.random() < 0.2:
        b[: rng.randrange(n + 1)] = bytes(rng.randrange(n + 1))  # leading zeros
    if n and rng.random() < 0.1:
        b = bytearray(n)  # all zero
    return bytes(b)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 32))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases, expected = [], []
    for _ in range(args.count):
        base, exp, mod = operand(rng), operand(rng)[:rng.choice([0, 1, 8, 32, 64])], operand(rng)
        if mod and rng.random() < 0.3:
            mod = mod[:-1] + bytes([mod[-1] | 1])  # odd modulus: GMP's Montgomery path
        cases.append("modexp %s %s %s" % tuple(x.hex() or "-" for x in (base, exp, mod)))
        expected.append(modexp_reference(base, exp, mod))
        length = 213 if rng.random() < 0.9 else rng.choice([0, 212, 214, 1])
        data = bytearray(rng.randbytes(length))
        if length == 213:
            data[0:4] = rng.choice([0, 1, 12, rng.randrange(0, 64)]).to_bytes(4, "big")
            data[212] = rng.choice([0, 1, 0, 1, 2, 255])
        cases.append("blake2f " + (data.hex() or "-"))
        expected.append(blake2f_reference(bytes(data)))
    out = subprocess.run([args.driver], input="\n".join(cases) + "\n", capture_output=True, text=True, check=True)
    got = out.stdout.split("\n")
    for case, want, have in zip(cases, expected, got):
        if want != have:
            print(f"seed {args.seed}: mismatch on {case[:200]}...\n  want {want[:130]}\n  got  {have[:130]}")
            return 1
    if len(got) - 1 != len(cases):
        print(f"seed {args.seed}: driver answered {len(got) - 1} of {len(cases)} cases")
        return 1
    print(f"modexp/blake2f: {len(cases)} cases agree (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
