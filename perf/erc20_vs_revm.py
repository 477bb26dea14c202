#!/usr/bin/env python3
"""Single-thread ERC-20 `transfer` calls per second: Parallax's EVM against revm.

revm runs through PyPI's `pyrevm` (`EVM.message_call`, one transaction each, in
revm's in-memory database). Python adds a fixed cost to every call, so the same
loop is timed calling an account with no code (a no-op transaction) and that
per-call overhead is reported beside the raw rate; revm's own rate is the
transfer time minus the overhead. Parallax's figure comes from
`parallax-evm bench-erc20` (the same contract and calls, `EVM.transact` over an
in-memory backend, and the same through the sequential executor), run in the
same invocation of this script so that both see the same machine state.

Usage: erc20_vs_revm.py PARALLAX_EVM_BINARY [--calls N] [--rounds R] [--json]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

from eth_hash.auto import keccak
from pyrevm import EVM, AccountInfo

CONTRACT = "Tests/Fixtures/contracts/ERC20Token.hex"
TOKEN = "0x" + "70" * 20
SENDER_BASE = 0x1000


def address(n: int) -> str:
    return "0x" + n.to_bytes(20, "big").hex()


def balance_slot(holder: str) -> int:
    # Solidity mapping at slot 0: keccak(pad32(holder) ‖ pad32(0)).
    return int.from_bytes(keccak(bytes(12) + bytes.fromhex(holder[2:]) + bytes(32)), "big")


def transfer_calldata(to: str, amount: int) -> bytes:
    return keccak(b"transfer(address,uint256)")[:4] + bytes(12) + bytes.fromhex(to[2:]) + amount.to_bytes(32, "big")


def revm_round(code: bytes, calls: int, senders: int) -> tuple[float, float]:
    evm = EVM(spec_id="CANCUN")
    evm.insert_account_info(TOKEN, AccountInfo(code=code))
    holders = [address(SENDER_BASE + i) for i in range(senders)]
    for holder in holders:
        evm.set_balance(holder, 10**20)
        evm.insert_account_storage(TOKEN, balance_slot(holder), 10**24)
    payloads = [(holders[i % senders], transfer_calldata(address(SENDER_BASE + senders + i % 977), 1 + i % 1000))
                for i in range(calls)]
    start = time.perf_counter()
    for sender, data in payloads:
        evm.message_call(sender, TOKEN, data)
    transfer = time.perf_counter() - start
    empty = address(0xDEAD)
    start = time.perf_counter()
    for sender, _ in payloads:
        evm.message_call(sender, empty, b"")
    noop = time.perf_counter() - start
    return transfer, noop


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    code = bytes.fromhex(open(CONTRACT).read().strip().removeprefix("0x"))
    ours, ours_sequential, revm_raw, revm_net, overhead = [], [], [], [], []
    for _ in range(args.rounds):
        out = subprocess.run([args.binary, "bench-erc20", "--calls", str(args.calls), "--senders", str(args.senders),
                              "--contract", CONTRACT, "--json"], check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        ours.append(result["calls_per_sec"])
        ours_sequential.append(result["executor_calls_per_sec"])
        transfer, noop = revm_round(code, args.calls, args.senders)
        revm_raw.append(args.calls / transfer)
        overhead.append(noop / args.calls * 1e6)
        revm_net.append(args.calls / max(transfer - noop, 1e-9))
    report = {
        "calls": args.calls,
        "rounds": args.rounds,
        "parallax_calls_per_sec": statistics.median(ours),
        "parallax_executor_calls_per_sec": statistics.median(ours_sequential),
        "revm_raw_calls_per_sec": statistics.median(revm_raw),
        "revm_overhead_us": statistics.median(overhead),
        "revm_calls_per_sec": statistics.median(revm_net),
    }
    report["ratio"] = report["parallax_calls_per_sec"] / report["revm_calls_per_sec"]
    report["ratio_vs_raw"] = report["parallax_calls_per_sec"] / report["revm_raw_calls_per_sec"]
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:34} {value:,.2f}" if isinstance(value, float) else f"{key:34} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
