#!/usr/bin/env bash
# Mainnet blocks through the block executor, checked against their headers.
#
# Builds parallax-evm (release), unpacks Tests/Fixtures/mainnet-blocks.tar.xz
# (41 blocks from 46147 to 19934116, risechain/pevm) into
# .build/fixtures/mainnet-blocks (once), and replays every block on the
# sequential executor and on the parallel one at 1, 2, 4 and 8 threads. Fails
# when any block's receipts root (from Byzantium), logs bloom or gas used
# differs from its header, when the parallel executor's receipts or state
# differ from the sequential one's, or when a block cannot be read or run.
#
# Output: the per-block JSON report in .build/mainnet-blocks.jsonl, the
# failing lines, and the summaries (geometric-mean speedup and worst block per
# thread count; times are informative, never a pass condition).
#
# Usage: scripts/mainnet-blocks.sh [extra parallax-evm replay options, e.g. --repeat 3]
# Environment: PARALLAX_EVM, a prebuilt parallax-evm to use instead of building one;
# MAINNET_BLOCKS_THREADS, the thread counts (default 1,2,4,8).
set -euo pipefail

cd "$(dirname "$0")/.."
archive=Tests/Fixtures/mainnet-blocks.tar.xz
fixtures=.build/fixtures
blocks=$fixtures/mainnet-blocks
report=.build/mainnet-blocks.jsonl
expected_blocks=41

source scripts/fixtures-lib.sh
parallax_evm
unpack_once "$archive" "$blocks"

threads=${MAINNET_BLOCKS_THREADS:-1,2,4,8}
status=0
"$tool" replay --json --executor both --threads "$threads" "$@" "$blocks" > "$report" || status=$?

lines=$(grep -c '"block":' "$report" || true)
runs=$(( expected_blocks * $(tr ',' '\n' <<< "$threads" | grep -c .) ))
grep '"block":' "$report" | grep -v '"receipts_root_match":\(true\|null\),"logs_bloom_match":true,"gas_used_match":true' || true
grep '"error":' "$report" || true
grep '"summary":' "$report" || true

if [[ $status -ne 0 ]]; then
    echo "mainnet-blocks: FAIL: parallax-evm replay exited with status $status (1: a block differs from its header or between executors; 2: unreadable input)" >&2
    exit 1
fi
if [[ $lines -ne $runs ]]; then
    echo "mainnet-blocks: FAIL: $lines block runs reported, $runs expected ($expected_blocks blocks x thread counts $threads)" >&2
    exit 1
fi
echo "mainnet-blocks: $expected_blocks blocks match their headers under the sequential and the parallel executor (threads $threads)"
