#!/usr/bin/env python3
"""Differential test of px_bn254 (EIP-196/197) against py_ecc.

Usage: diff.py --driver PATH [--count N] [--seed S] [--pairings K]

Generates random valid and invalid inputs for the three precompiles and for
the G2 decoder, runs them through the driver on both dispatch paths (the
default one, mulx/adcx/adox where the CPU has BMI2+ADX, and --portable), and
compares every answer with a reference built on py_ecc.optimized_bn128:

  add/mul   py_ecc's point addition and scalar multiplication;
  pairing   py_ecc's pairing (Miller loops multiplied, one final
            exponentiation) for K pairs in all (default 30: py_ecc needs about
            a second per pair); the other pairing cases are sets whose answer
            follows from bilinearity, e(aG1, bG2) = e(G1, G2)^(ab), i.e. the
            product is one iff sum(a_i b_i) = 0 mod r;
  validity  field elements >= p, points off the curve or the twist, twist
            points outside the order-r subgroup (random x, y = sqrt(x^3 + b')
            in Fp2, no cofactor clearing; [r]Q != 0 checked with py_ecc),
            infinity encodings, random bytes, wrong lengths.

Expected statuses follow the header: pairs are decoded in order, G1 before G2,
each coordinate checked < p before the curve and subgroup checks; the first
failure is the answer. The psi-based G2 subgroup check is also compared with
the [r]Q = 0 check ("g2" vs "g2slow", "pair" vs "pairslow").
The driver's self-test (inversion against Fermat, squarings against products,
Frobenius maps, the sparse line product, cyclotomic squaring) runs first.
Prints the seed; on a mismatch prints the first failing request and exits 1.
"""
import argparse
import random
import subprocess
import sys
import time

from py_ecc import optimized_bn128 as ob
from py_ecc.fields import optimized_bn128_FQ as FQ, optimized_bn128_FQ2 as FQ2, optimized_bn128_FQ12 as FQ12

P = ob.field_modulus
R = ob.curve_order
B2 = FQ2([3, 0]) / FQ2([9, 1])

OK, NOT_CANONICAL, NOT_ON_CURVE, NOT_IN_SUBGROUP, BAD_LENGTH = 0, -1, -2, -3, -4


# --- encodings -------------------------------------------------------------

def i32(x: int) -> bytes:
    return x.to_bytes(32, "big")


def enc_g1(pt) -> bytes:
    if ob.is_inf(pt):
        return bytes(64)
    x, y = ob.normalize(pt)
    return i32(x.n) + i32(y.n)


def enc_g2(pt) -> bytes:
    if ob.is_inf(pt):
        return bytes(128)
    x, y = ob.normalize(pt)
    return i32(x.coeffs[1]) + i32(x.coeffs[0]) + i32(y.coeffs[1]) + i32(y.coeffs[0])


def g1_from(x: int, y: int):
    return (FQ(x), FQ(y), FQ(1))


def g2_from(xr, xi, yr, yi):
    return (FQ2([xr, xi]), FQ2([yr, yi]), FQ2([1, 0]))


# --- reference decoding (the EIP rules) ------------------------------------

def ref_g1(b: bytes):
    x, y = int.from_bytes(b[:32], "big"), int.from_bytes(b[32:64], "big")
    if x >= P or y >= P:
        return NOT_CANONICAL, None
    if x == 0 and y == 0:
        return OK, ob.Z1
    pt = g1_from(x, y)
    if not ob.is_on_curve(pt, ob.b):
        return NOT_ON_CURVE, None
    return OK, pt


def ref_g2(b: bytes):
    xi, xr, yi, yr = (int.from_bytes(b[32 * k:32 * k + 32], "big") for k in range(4))
    if max(xi, xr, yi, yr) >= P:
        return NOT_CANONICAL, None
    if xi == xr == yi == yr == 0:
        return OK, ob.Z2
    pt = g2_from(xr, xi, yr, yi)
    if not ob.is_on_curve(pt, B2):
        return NOT_ON_CURVE, None
    if not ob.is_inf(ob.multiply(pt, R)):
        return NOT_IN_SUBGROUP, None
    return OK, pt


def pad(data: bytes, n: int) -> bytes:
    return (data + bytes(n))[:n]


def ref_add(data: bytes) -> str:
    d = pad(data, 128)
    s1, a = ref_g1(d[:64])
    if s1:
        return f"err {s1}"
    s2, b = ref_g1(d[64:])
    if s2:
        return f"err {s2}"
    return "ok " + enc_g1(ob.add(a, b)).hex()


def ref_mul(data: bytes) -> str:
    d = pad(data, 96)
    s, a = ref_g1(d[:64])
    if s:
        return f"err {s}"
    return "ok " + enc_g1(ob.multiply(a, int.from_bytes(d[64:], "big"))).hex()


def ref_pair(data: bytes, scalars=None, budget=None) -> str:
    """scalars: list of (a, b) with P_i = aG1, Q_i = bG2 when known (bilinearity);
    otherwise py_ecc computes the pairings (budget counts them)."""
    if len(data) % 192:
        return f"err {BAD_LENGTH}"
    pairs = []
    for off in range(0, len(data), 192):
        s, p1 = ref_g1(data[off:off + 64])
        if s:
            return f"err {s}"
        s, q = ref_g2(data[off + 64:off + 192])
        if s:
            return f"err {s}"
        pairs.append((p1, q))
    if scalars is not None:
        return "ok %d" % (sum(a * b for a, b in scalars) % R == 0)
    f = FQ12.one()
    for p1, q in pairs:
        if ob.is_inf(p1) or ob.is_inf(q):
            continue
        f = f * ob.pairing(q, p1, final_exponentiate=False)
        if budget is not None:
            budget[0] -= 1
    return "ok %d" % (ob.final_exponentiate(f) == FQ12.one())


# --- generators -------------------------------------------------------------

def sqrt_fp(a: int):
    s = pow(a, (P + 1) // 4, P)
    return s if s * s % P == a % P else None


def sqrt_fp2(a: FQ2):
    a0, a1 = a.coeffs[0] % P, a.coeffs[1] % P
    n = sqrt_fp((a0 * a0 + a1 * a1) % P)
    if n is None:
        return None
    for s in (n, P - n):
        t = (a0 + s) * pow(2, P - 2, P) % P
        x0 = sqrt_fp(t)
        if x0 is None:
            continue
        if x0 == 0:
            if a1 == 0:
                r = sqrt_fp((-a0) % P)
                if r is not None:
                    return FQ2([0, r])
            continue
        x1 = a1 * pow(2 * x0, P - 2, P) % P
        c = FQ2([x0, x1])
        if c * c == a:
            return c
    return None


def twist_point_any(rng):
    """A point on E'(Fp2) without cofactor clearing: almost never in G2."""
    while True:
        x = FQ2([rng.randrange(P), rng.randrange(P)])
        y = sqrt_fp2(x * x * x + B2)
        if y is not None:
            if rng.random() < 0.5:
                y = -y
            return (x, y, FQ2([1, 0]))


def rand_scalar(rng):
    return rng.choice([rng.randrange(1, R), rng.randrange(1, 1 << 64), rng.randrange(1, 1 << 256)])


def bad_fp(rng):
    return rng.choice([P, P + 1, (1 << 256) - 1, rng.randrange(P, 1 << 256)])


def off_curve_g1(rng):
    while True:
        x, y = rng.randrange(P), rng.randrange(P)
        if (y * y - x * x * x - 3) % P:
            return i32(x) + i32(y)


def off_curve_g2(rng):
    while True:
        c = [rng.randrange(P) for _ in range(4)]
        if not ob.is_on_curve(g2_from(c[1], c[0], c[3], c[2]), B2):
            return b"".join(i32(v) for v in c)


def g1_input(rng, valid_bias=0.8):
    """(bytes, scalar or None) — scalar a when the point is aG1 (0 for infinity)."""
    if rng.random() < valid_bias:
        if rng.random() < 0.08:
            return bytes(64), 0
        a = rand_scalar(rng)
        return enc_g1(ob.multiply(ob.G1, a)), a
    kind = rng.randrange(5)
    if kind == 0:  # x >= p
        good = enc_g1(ob.multiply(ob.G1, rand_scalar(rng)))
        return i32(bad_fp(rng)) + good[32:], None
    if kind == 1:  # y >= p, e.g. y + p (same residue)
        good = enc_g1(ob.multiply(ob.G1, rand_scalar(rng)))
        y = int.from_bytes(good[32:], "big")
        yb = y + P if y + P < (1 << 256) else bad_fp(rng)
        return good[:32] + i32(yb), None
    if kind == 2:
        return off_curve_g1(rng), None
    if kind == 3:  # (0, y) and (x, 0)
        return rng.choice([i32(0) + i32(rng.randrange(1, P)), i32(rng.randrange(1, P)) + i32(0)]), None
    return rng.randbytes(64), None


def g2_input(rng, valid_bias=0.8):
    if rng.random() < valid_bias:
        if rng.random() < 0.08:
            return bytes(128), 0
        b = rand_scalar(rng)
        return enc_g2(ob.multiply(ob.G2, b)), b
    kind = rng.randrange(5)
    if kind == 0:
        good = bytearray(enc_g2(ob.multiply(ob.G2, rand_scalar(rng))))
        k = rng.randrange(4)
        good[32 * k:32 * k + 32] = i32(bad_fp(rng))
        return bytes(good), None
    if kind == 1:
        return off_curve_g2(rng), None
    if kind in (2, 3):
        return enc_g2(twist_point_any(rng)), None
    return rng.randbytes(128), None


# --- runner -----------------------------------------------------------------

class Driver:
    def __init__(self, path, portable):
        args = [path] + (["--portable"] if portable else [])
        self.name = "portable" if portable else "default"
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, op, data: bytes) -> str:
        self.proc.stdin.write(f"{op} {data.hex()}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"driver ({self.name}) died on {op} {data.hex()}")
        return line.strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--pairings", type=int, default=30, help="pairings computed by py_ecc itself")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print(f"seed {seed}", flush=True)
    rng = random.Random(seed)
    # the driver's internal consistency checks, both paths
    for flag in ([], ["--portable"]):
        out = subprocess.run([args.driver] + flag + ["selftest", str(max(args.count, 20)), str(seed)],
                             capture_output=True, text=True)
        if out.returncode != 0 or out.stdout.strip() != "selftest ok":
            print(f"SELFTEST FAILED {flag} seed {seed}: {out.stdout.strip()} {out.stderr.strip()}")
            return 1
    drivers = [Driver(args.driver, False), Driver(args.driver, True)]
    checked = {"add": 0, "mul": 0, "pair": 0, "g2": 0}
    started = time.time()

    def check(op, data, expected):
        for d in drivers:
            got = d.ask(op, data)
            if got != expected:
                print(f"MISMATCH ({d.name} path) seed {seed}\n  request: {op} {data.hex()}\n"
                      f"  expected: {expected}\n  got:      {got}")
                sys.exit(1)
        key = op.removesuffix("slow")
        checked[key] = checked.get(key, 0) + 1

    n = args.count
    # Fixed edge cases first.
    g = enc_g1(ob.G1)
    g2b = enc_g2(ob.G2)
    for data in [b"", bytes(128), g + bytes(64), g + g, g + enc_g1(ob.neg(ob.G1)), g + i32(1) + i32(P - 2),
                 i32(P) + i32(0) + g, g[:40]]:
        check("add", data, ref_add(data))
    for k in [0, 1, 2, R - 1, R, R + 1, (1 << 256) - 1, 1 << 255]:
        data = g + i32(k)
        check("mul", data, ref_mul(data))
    check("mul", bytes(64) + i32(5), ref_mul(bytes(64) + i32(5)))
    check("mul", g, ref_mul(g))
    for data, exp in [(b"", "ok 1"), (bytes(192), "ok 1"), (g + bytes(128), "ok 1"), (bytes(64) + g2b, "ok 1"),
                      (b"\x00" * 191, f"err {BAD_LENGTH}"), (bytes(193), f"err {BAD_LENGTH}")]:
        check("pair", data, exp)
    budget = [args.pairings]
    # e(G1, G2) != 1, e(G1, G2) e(-G1, G2) = 1: computed by py_ecc.
    for data in [g + g2b, g + g2b + enc_g1(ob.neg(ob.G1)) + g2b]:
        check("pair", data, ref_pair(data, budget=budget))

    # add
    for _ in range(n):
        (a, _), (b, _) = g1_input(rng), g1_input(rng)
        r_ = rng.random()
        if r_ < 0.1:
            b = a  # doubling
        elif r_ < 0.2 and a != bytes(64) and ref_g1(a)[0] == OK:
            b = enc_g1(ob.neg(g1_from(int.from_bytes(a[:32], "big"), int.from_bytes(a[32:], "big"))))
        data = a + b
        if rng.random() < 0.1:
            data = data[:rng.randrange(0, 160)]
        check("add", data, ref_add(data))
    # mul
    for _ in range(n):
        a, _ = g1_input(rng)
        k = rng.choice([rng.randrange(1 << 256), rng.randrange(R), rng.randrange(1 << 32), R - rng.randrange(4),
                        R * rng.randrange(1, 5) + rng.randrange(3)])
        k %= 1 << 256
        data = a + i32(k)
        if rng.random() < 0.1:
            data = data[:rng.randrange(0, 130)]
        check("mul", data, ref_mul(data))
    # G2 decoding, both subgroup checks
    for _ in range(max(n // 2, 10)):
        q, _ = g2_input(rng, valid_bias=0.4)
        exp = ref_g2(q)[0]
        exp_s = "ok" if exp == OK else f"err {exp}"
        check("g2", q, exp_s)
        check("g2slow", q, exp_s)
    # adversarial G2 points: the twist group has order r*h with h = 2p - r =
    # 10069 * 5864401 * c; points with a component of small order, and random
    # G2 points [h]X whose discrete logarithm nobody knows.
    H = 2 * P - R
    for _ in range(max(n // 30, 2)):
        X = twist_point_any(rng)
        hx = ob.multiply(X, H)
        for pt in [hx, ob.multiply(X, H // 10069), ob.multiply(X, H // 5864401), ob.multiply(X, H * R // 10069),
                   ob.multiply(X, H * R // 5864401), ob.add(hx, ob.multiply(X, H * R // 10069))]:
            q = enc_g2(pt)
            exp = ref_g2(q)[0]
            exp_s = "ok" if exp == OK else f"err {exp}"
            check("g2", q, exp_s)
            check("g2slow", q, exp_s)
        # pairings on the random G2 point, by bilinearity in the G1 argument
        a, b = rng.randrange(1, R), rng.randrange(1, R)
        qb = enc_g2(hx)
        sets = [(a, qb), (b, qb)]
        balanced = rng.random() < 0.5
        if balanced:
            sets.append(((-a - b) % R, qb))
        data = b"".join(enc_g1(ob.multiply(ob.G1, s)) + q for s, q in sets)
        exp = "ok 1" if balanced or (a + b) % R == 0 else "ok 0"
        check("pair", data, exp)
    # pairings whose value py_ecc computes
    while budget[0] > 0:
        k = rng.randrange(1, 4)
        sc = [(rand_scalar(rng) % R or 1, rand_scalar(rng) % R or 1) for _ in range(k - 1)]
        if rng.random() < 0.5:
            # balanced: last pair (-sum a_i b_i) G1, G2 -> product one
            sc.append(((-sum(a * b for a, b in sc)) % R, 1))
        else:
            sc.append((rand_scalar(rng) % R or 1, rand_scalar(rng) % R or 1))
        data = b"".join(enc_g1(ob.multiply(ob.G1, a)) + enc_g2(ob.multiply(ob.G2, b)) for a, b in sc)
        exp = ref_pair(data, budget=budget)
        # bilinearity must agree with py_ecc's value
        assert exp == ref_pair(data, scalars=sc), (exp, sc)
        check("pair", data, exp)
    # pairing sets checked through bilinearity (valid points) and invalid sets
    for _ in range(n):
        k = rng.randrange(0, 6)
        sc, chunks, valid = [], [], True
        for _ in range(k):
            if rng.random() < 0.85:
                a = rng.randrange(R) if rng.random() < 0.9 else 0
                b = rng.randrange(R) if rng.random() < 0.9 else 0
                sc.append((a, b))
                chunks.append(enc_g1(ob.multiply(ob.G1, a)) + enc_g2(ob.multiply(ob.G2, b)))
            else:
                p1, a = g1_input(rng, 0.7)
                q2, b = g2_input(rng, 0.3)
                if a is None or b is None:
                    valid = False
                else:
                    sc.append((a, b))
                chunks.append(p1 + q2)
        if valid and sc and rng.random() < 0.6:
            # make the product one: add a pair (-sum) G1, G2
            s = (-sum(a * b for a, b in sc)) % R
            sc.append((s, 1))
            chunks.append(enc_g1(ob.multiply(ob.G1, s)) + g2b)
        rng.shuffle(chunks)
        data = b"".join(chunks)
        if rng.random() < 0.05:
            data = data + rng.randbytes(rng.randrange(1, 192))
        # valid points: the answer by bilinearity; otherwise the first decoding error
        exp = ref_pair(data, scalars=sc) if valid else ref_pair_invalid(data)
        check("pair", data, exp)
        if exp.startswith("err") or rng.random() < 0.2:
            check("pairslow", data, exp)
    # large sets: more pairs than the C code's chunk of 8, valid points, by bilinearity
    for _ in range(max(n // 15, 2)):
        k = rng.randrange(9, 21)
        sc = [(rng.randrange(R), rng.randrange(R)) for _ in range(k)]
        if rng.random() < 0.5:
            sc[-1] = ((-sum(a * b for a, b in sc[:-1])) % R, 1)
        data = b"".join(enc_g1(ob.multiply(ob.G1, a)) + enc_g2(ob.multiply(ob.G2, b)) for a, b in sc)
        check("pair", data, ref_pair(data, scalars=sc))
    # random bytes
    for _ in range(n):
        data = rng.randbytes(rng.choice([128, 96, 192, rng.randrange(0, 400)]))
        check("add", data, ref_add(data))
        check("mul", data, ref_mul(data))
        if len(data) % 192 == 0 and data:
            check("pair", data, ref_pair_invalid(data))
    for d in drivers:
        d.close()
    print(f"ok: {checked} on both paths, {time.time() - started:.1f}s, seed {seed}")
    return 0


def ref_pair_invalid(data: bytes) -> str:
    """Expected answer for a set with an invalid point somewhere (or random bytes)."""
    if len(data) % 192:
        return f"err {BAD_LENGTH}"
    for off in range(0, len(data), 192):
        s, _ = ref_g1(data[off:off + 64])
        if s:
            return f"err {s}"
        s, _ = ref_g2(data[off + 64:off + 192])
        if s:
            return f"err {s}"
    # all points valid after all (random bytes essentially never are): compute it
    return ref_pair(data)


if __name__ == "__main__":
    sys.exit(main())
