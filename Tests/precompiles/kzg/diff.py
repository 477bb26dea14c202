#!/usr/bin/env python3
"""Differential test of px_kzg_verify_proof (EIP-4844 point evaluation core)
against ckzg (c-kzg-4844 with blst), on valid proofs and on every class of
invalid input.

    python3 Tests/precompiles/kzg/diff.py --driver PATH --count N --seed S

Each of the N rounds makes a blob with ckzg and checks, through both dispatch
paths of the driver (default and --portable):
  - valid proofs (random blob, random z; constant and zero polynomials, whose
    proofs and commitments are the point at infinity) -> valid = 1,
  - y or z perturbed, another commitment, a random G1 proof -> valid = 0,
  - encodings ckzg rejects -> our negative status (-2 for a point, -1 for a
    scalar): compression flag clear, infinity flag with other bits set or with
    the sort flag, x >= p, x not on the curve, points on E not in G1 (random x
    with a root, no cofactor clearing; G1 points plus a point of small order
    3, 11, 10177, ...), z or y >= r, random bytes.
Every expected verdict is ckzg's (it raises for a bad encoding). The seed is
printed; the first mismatch is printed with its input and the script exits 1.

The mainnet trusted setup (trusted_setup.txt next to this script) is
src/trusted_setup.txt of github.com/ethereum/c-kzg-4844 (commit b7e40988).
"""
import argparse
import os
import random
import subprocess
import sys

import ckzg
from py_ecc.optimized_bls12_381 import G1, add, multiply, normalize, FQ, Z1

P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab
R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001
H1 = 0x396c8c005555e1568c00aaab0000aaab  # cofactor of G1: #E(Fp) = H1 * R
N_E = H1 * R
SMALL_ORDERS = [3, 11, 10177, 859267, 52437899]  # prime factors of H1 (3 * 11^2 * 10177^2 * ...)

HERE = os.path.dirname(os.path.abspath(__file__))


def sqrt_fp(a):
    s = pow(a, (P + 1) // 4, P)
    return s if s * s % P == a % P else None


def compress(x, y, sort=None):
    """ZCash compression of an affine point (x, y) (ints)."""
    flag = (y > P - y) if sort is None else sort
    v = x | (1 << 383) | ((1 << 381) if flag else 0)
    return v.to_bytes(48, "big")


INF = bytes([0xC0]) + bytes(47)


def compress_pt(pt):
    if pt[2] == FQ(0):
        return INF
    x, y = normalize(pt)
    return compress(x.n, y.n)


def random_curve_point(rng):
    """A random point of E(Fp) (not cofactor-cleared): (x, y) ints."""
    while True:
        x = rng.randrange(P)
        y = sqrt_fp((x * x * x + 4) % P)
        if y is not None:
            if rng.random() < 0.5:
                y = (P - y) % P
            return x, y


def random_g1(rng):
    return multiply(G1, rng.randrange(1, R))


def random_blob(rng):
    return b"".join(rng.randrange(R).to_bytes(32, "big") for _ in range(4096))


def s32(v):
    return v.to_bytes(32, "big")


class Case:
    def __init__(self, name, c, z, y, pi):
        self.name, self.c, self.z, self.y, self.pi = name, c, z, y, pi

    def hex(self):
        return (self.c + self.z + self.y + self.pi).hex()


def expected(case, ts):
    try:
        ok = ckzg.verify_kzg_proof(case.c, case.z, case.y, case.pi, ts)
    except Exception:
        return None  # rejected encoding
    return "1" if ok else "0"


def gen_cases(rng, ts, rounds):
    cases = []
    for i in range(rounds):
        if i == 0:
            blob = bytes(4096 * 32)  # zero polynomial: C = O, proofs O
        elif i == 1:
            blob = s32(rng.randrange(R)) * 4096  # constant polynomial: proofs O
        else:
            blob = random_blob(rng)
        c = ckzg.blob_to_kzg_commitment(blob, ts)
        z = s32(rng.randrange(R)) if i > 2 else s32(0 if i == 2 else rng.randrange(R))
        pi, y = ckzg.compute_kzg_proof(blob, z, ts)
        yi, zi = int.from_bytes(y, "big"), int.from_bytes(z, "big")
        cases.append(Case("valid", c, z, y, pi))
        cases.append(Case("y+1", c, z, s32((yi + 1) % R), pi))
        cases.append(Case("z+1", c, s32((zi + 1) % R), y, pi))
        cases.append(Case("other commitment", compress_pt(random_g1(rng)), z, y, pi))
        cases.append(Case("random proof", c, z, y, compress_pt(random_g1(rng))))
        cases.append(Case("proof = infinity", c, z, y, INF))
        cases.append(Case("commitment = infinity", INF, z, y, pi))
        # scalars >= r
        big = [R, R + rng.randrange(1, 1000), (1 << 256) - 1, rng.randrange(R, 1 << 256)]
        cases.append(Case("z >= r", c, s32(rng.choice(big)), y, pi))
        cases.append(Case("y >= r", c, z, s32(rng.choice(big)), pi))
        cases.append(Case("z = r - 1", c, s32(R - 1), y, pi))
        # bad encodings, on either point
        bad = []
        cb = bytearray(c)
        cb[0] &= 0x7F
        bad.append(("compression flag clear", bytes(cb)))
        cb = bytearray(c)
        if c != INF:
            cb[0] |= 0x40
            bad.append(("infinity flag on a point", bytes(cb)))
        cb = bytearray(INF)
        cb[0] |= 0x20
        bad.append(("infinity with sort flag", bytes(cb)))
        cb = bytearray(INF)
        pos = rng.randrange(48)
        cb[pos] |= 1 << (rng.randrange(5) if pos == 0 else rng.randrange(8))
        bad.append(("infinity with another bit", bytes(cb)))
        bad.append(("infinity without compression", bytes([0x40]) + bytes(47)))
        bad.append(("x = p + k", compress(P + rng.randrange(0, 1 << 20), 1, sort=rng.random() < 0.5)))
        bad.append(("x = 2^381 - 1", compress((1 << 381) - 1, 1, sort=rng.random() < 0.5)))
        while True:
            x = rng.randrange(P)
            if sqrt_fp((x ** 3 + 4) % P) is None:
                break
        bad.append(("x not on curve", compress(x, 1, sort=rng.random() < 0.5)))
        x, y_ = random_curve_point(rng)
        bad.append(("on E, not in G1", compress(x, y_)))
        # a G1 point plus a point of small order q | H1
        q = rng.choice(SMALL_ORDERS)
        qk = q
        while N_E % (qk * q) == 0:
            qk *= q
        while True:  # the q-primary part of a random point, then down to order q
            xr, yr = random_curve_point(rng)
            t = multiply((FQ(xr), FQ(yr), FQ(1)), N_E // qk)
            if t[2] != FQ(0):
                break
        while multiply(t, q)[2] != FQ(0):
            t = multiply(t, q)
        bad.append(("G1 + order-%d point" % q, compress_pt(add(random_g1(rng), t))))
        bad.append(("random bytes", bytes(rng.randrange(256) for _ in range(48))))
        rb = bytearray(rng.randrange(256) for _ in range(48))
        rb[0] = (rb[0] & 0x3F) | 0x80
        bad.append(("random x, flags compressed", bytes(rb)))
        for name, enc in bad:
            cases.append(Case("commitment: " + name, enc, z, y, pi))
            cases.append(Case("proof: " + name, c, z, y, enc))
        # random 160 bytes
        cases.append(Case("all random", bytes(rng.randrange(256) for _ in range(48)), bytes(rng.randrange(256) for _ in range(32)),
                          bytes(rng.randrange(256) for _ in range(32)), bytes(rng.randrange(256) for _ in range(48))))
    return cases


def run_driver(driver, flags, lines):
    out = subprocess.run([driver] + flags, input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return out.stdout.split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--count", type=int, default=20, help="rounds (one ckzg proof each, ~50 cases per round)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--setup", default=os.path.join(HERE, "trusted_setup.txt"))
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print("seed", seed)
    rng = random.Random(seed)
    ts = ckzg.load_trusted_setup(args.setup, 0)
    cases = gen_cases(rng, ts, max(args.count, 3))
    exp = [expected(c, ts) for c in cases]
    lines = [c.hex() for c in cases]
    valid_count = sum(1 for e in exp if e == "1")
    for flags in ([], ["--portable"]):
        got = run_driver(args.driver, flags, lines)
        if len(got) != len(cases):
            print("driver %s returned %d answers for %d inputs" % (flags, len(got), len(cases)))
            return 1
        for c, e, g in zip(cases, exp, got):
            bad = False
            if e is None:
                want = "-1" if ("z " in c.name[:3] or c.name.startswith("y ")) else "-2"
                if g not in ("-1", "-2"):
                    bad = True
                elif c.name not in ("all random",) and g != want:
                    bad = True
            elif g != e:
                bad = True
            if bad:
                print("MISMATCH (%s) case %r: ckzg %s, driver %s" % ("portable" if flags else "default", c.name,
                                                                    "error" if e is None else e, g))
                print("input (commitment|z|y|proof):", c.hex())
                return 1
    print("ok: %d cases (%d valid proofs, %d rejected encodings), both paths, seed %d"
          % (len(cases), valid_count, sum(1 for e in exp if e is None), seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
