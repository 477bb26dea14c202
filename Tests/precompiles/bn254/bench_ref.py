#!/usr/bin/env python3
"""revm's bn254 precompiles (EIP-196/197), calls per second, through pyrevm.

Each case is timed as a loop of `EVM.message_call` into the precompile address
(0x06 add, 0x07 mul, 0x08 pairing). Python and the transaction wrapper add a
fixed cost per call; the same loop calling the identity precompile 0x04 with a
tiny input measures that cost, and revm's own rate is the case's time minus
it. The inputs are fixed valid points (generator multiples), so each call does
the full work. Prints one JSON object; `--driver PATH` also runs our
`driver [--portable] bench NAME ITER` (both dispatch paths) in the same
invocation, round by round between revm's loops, and reports the ratios.

Usage: bench_ref.py [--calls N] [--rounds R] [--driver PATH]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

from pyrevm import EVM
from py_ecc import optimized_bn128 as ob

CALLER = "0x" + "11" * 20
GAS = 30_000_000


def addr(n: int) -> str:
    return "0x" + "00" * 19 + f"{n:02x}"


def enc_g1(P) -> bytes:
    if P is None or ob.is_inf(P):
        return bytes(64)
    x, y = ob.normalize(P)
    return int(x).to_bytes(32, "big") + int(y).to_bytes(32, "big")


def enc_g2(Q) -> bytes:
    x, y = ob.normalize(Q)
    return b"".join(int(c).to_bytes(32, "big") for c in (x.coeffs[1], x.coeffs[0], y.coeffs[1], y.coeffs[0]))


def inputs():
    a, b = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF, 0xFEDCBA0987654321FEDCBA0987654321
    P1 = ob.multiply(ob.G1, a)
    P2 = ob.multiply(ob.G1, b)
    scalar = (ob.curve_order - 0x5A5A5A5A) .to_bytes(32, "big")
    # e(aP, bQ) * e(-abP, Q) == 1: a pairing check with 2 pairs that succeeds.
    pairing2 = (enc_g1(ob.multiply(ob.G1, a)) + enc_g2(ob.multiply(ob.G2, b)) +
                enc_g1(ob.neg(ob.multiply(ob.G1, a * b % ob.curve_order))) + enc_g2(ob.G2))
    return {
        "add": (6, enc_g1(P1) + enc_g1(P2)),
        "mul": (7, enc_g1(P1) + scalar),
        "pairing2": (8, pairing2),
    }


def time_loop(evm, target, data, calls):
    start = time.perf_counter()
    for _ in range(calls):
        evm.message_call(CALLER, target, data, gas=GAS)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--driver", help="also run DRIVER bench NAME ITER for each case")
    args = ap.parse_args()
    cases = inputs()
    evm = EVM(spec_id="CANCUN")
    evm.set_balance(CALLER, 10**24)
    tiny = b"\x01"
    report = {"calls": args.calls, "rounds": args.rounds}
    for name, (pc, data) in cases.items():
        calls = args.calls if name != "pairing2" else max(args.calls // 10, 50)
        # Sanity: the call succeeds and returns what the EIP says.
        out = bytes(evm.message_call(CALLER, addr(pc), data, gas=GAS))
        if name == "pairing2":
            assert out == (1).to_bytes(32, "big"), out.hex()
        raw, net, over, ours, ours_portable = [], [], [], [], []
        iters = {"add": 200000, "mul": 20000, "pairing2": 2000}[name]
        # Rounds interleave revm and ours so that both see the same machine load.
        for _ in range(args.rounds):
            t = time_loop(evm, addr(pc), data, calls)
            o = time_loop(evm, addr(4), tiny, calls)
            raw.append(calls / t)
            over.append(o / calls * 1e6)
            net.append(calls / max(t - o, 1e-9))
            if args.driver:
                for portable, sink in ((False, ours), (True, ours_portable)):
                    cmd = [args.driver] + (["--portable"] if portable else []) + ["bench", name, str(iters)]
                    line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
                    sink.append(float(line[-1]))
        entry = {"revm_raw_calls_per_sec": statistics.median(raw),
                 "overhead_us": statistics.median(over),
                 "revm_calls_per_sec": statistics.median(net)}
        if args.driver:
            entry["ours_calls_per_sec"] = statistics.median(ours)
            entry["ours_portable_calls_per_sec"] = statistics.median(ours_portable)
            entry["ratio"] = entry["ours_calls_per_sec"] / entry["revm_calls_per_sec"]
            entry["ratio_portable"] = entry["ours_portable_calls_per_sec"] / entry["revm_calls_per_sec"]
        report[name] = entry
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
