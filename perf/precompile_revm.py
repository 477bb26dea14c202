#!/usr/bin/env python3
"""revm's side of `parallax-evm precompile`: one precompile's calls per second.

Times `EVM.message_call` to the precompile with the given input, and the same
number of calls to the identity precompile (0x04) with one byte: that is the
per-call overhead of Python, pyrevm and the transaction around the call, and
revm's own rate is taken net of it. With --ckzg SETUP (for 0x0a) also times
ckzg's verify_kzg_proof on the same commitment, z, y and proof. Prints one JSON
object: revm_calls_per_sec (net), revm_raw_calls_per_sec, revm_overhead_us,
[ckzg_calls_per_sec]. Medians over --rounds.

Usage: precompile_revm.py --address N --input HEX [--calls C] [--rounds R] [--ckzg TRUSTED_SETUP]
"""
import argparse
import json
import statistics
import time

from pyrevm import EVM


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", type=int, required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ckzg")
    args = parser.parse_args()
    data = bytes.fromhex(args.input)
    caller = "0x" + "10" * 20
    target = "0x" + args.address.to_bytes(20, "big").hex()
    identity = "0x" + (4).to_bytes(20, "big").hex()
    evm = EVM(spec_id="CANCUN")
    evm.set_balance(caller, 10**24)
    evm.message_call(caller, target, data)  # warm up, and fail loudly on a bad input

    raw, overhead = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for _ in range(args.calls):
            evm.message_call(caller, target, data)
        raw.append((time.perf_counter() - start) / args.calls)
        start = time.perf_counter()
        for _ in range(args.calls):
            evm.message_call(caller, identity, b"\x00")
        overhead.append((time.perf_counter() - start) / args.calls)
    per_call, per_noop = statistics.median(raw), statistics.median(overhead)
    net = per_call - per_noop
    result = {
        "revm_raw_calls_per_sec": round(1 / per_call),
        "revm_overhead_us": round(per_noop * 1e6, 2),
        "revm_calls_per_sec": round(1 / net) if net > 0 else None,
    }
    if args.ckzg:
        import ckzg

        setup = ckzg.load_trusted_setup(args.ckzg, 0)
        z, y, commitment, proof = data[32:64], data[64:96], data[96:144], data[144:192]
        assert ckzg.verify_kzg_proof(commitment, z, y, proof, setup)
        rates = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for _ in range(args.calls):
                ckzg.verify_kzg_proof(commitment, z, y, proof, setup)
            rates.append(args.calls / (time.perf_counter() - start))
        result["ckzg_calls_per_sec"] = round(statistics.median(rates))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
