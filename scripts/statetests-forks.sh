#!/usr/bin/env bash
# The state tests of ethereum/tests filled for every fork from Frontier to
# Shanghai, with a pass-count ratchet per fork and executor.
#
# Builds parallax-evm (release), unpacks
# Tests/Fixtures/GeneralStateTests-MultiFork-2e37a9f.tar.xz into
# .build/fixtures-multifork (once), runs each fork's vectors through each
# executor it is listed for, and fails when a (executor, fork) pair passes
# fewer vectors than its line in Tests/Fixtures/statetests-forks.passed. Those
# numbers only ever rise: when more pass, the script says so and the change
# that made them pass raises them.
#
# The runs of the list go in parallel, as many at a time as there are CPUs
# (STATETESTS_JOBS to choose). Both executors run the forks: the direct one
# (the EVM alone) every fork, and the parallel one (the vectors as
# EVMTransactions through Block-STM on Parallax keys), where the forks before
# Cancun delete accounts with their storage (SELFDESTRUCT, EIP-161) through the
# layout's storage incarnations, which the Cancun archive hardly reaches, every
# fork but Istanbul..Merge unless STATETESTS_EXTENDED=1 (lines marked `extended`:
# the same vectors as Shanghai's under other fork rules, about 160 s of CPU).
# About 240 s of CPU without them: some 2 minutes on two cores.
#
# One vector is left out: stTimeConsuming/CALLBlake2f_MaxRounds.json, a
# single call of BLAKE2b F with 2^32-1 rounds (about 100 s of CPU per fork,
# more than all the fork's other vectors together). Its rules are the same
# from Istanbul to Cancun, and scripts/statetests.sh runs it in the Cancun
# archive.
#
# Output: per run, its JSON report in .build/statetests-forks/EXECUTOR-FORK.jsonl,
# the failures per top-level folder, and its summary line.
#
# Usage: scripts/statetests-forks.sh
# Environment: PARALLAX_EVM, a prebuilt parallax-evm to use instead of building
# one; STATETESTS_JOBS, the number of runs at a time.
set -euo pipefail

cd "$(dirname "$0")/.."
archive=Tests/Fixtures/GeneralStateTests-MultiFork-2e37a9f.tar.xz
ratchet_file=Tests/Fixtures/statetests-forks.passed
fixtures=.build/fixtures-multifork
reports=.build/statetests-forks

source scripts/fixtures-lib.sh
parallax_evm
unpack_once "$archive" "$fixtures/GeneralStateTests" GeneralStateTests
rm -rf "$reports"
mkdir -p "$reports"

# Every file but the one left out (see above), in sorted order.
mapfile -t files < <(find "$fixtures/GeneralStateTests" -name '*.json' ! -name CALLBlake2f_MaxRounds.json | LC_ALL=C sort)

# "executor fork required" per line; the ratchet file is the list of runs.
mapfile -t runs < <(grep -v '^[[:space:]]*\(#\|$\)' "$ratchet_file")
if [[ "${STATETESTS_EXTENDED:-0}" != 1 ]]; then
    mapfile -t runs < <(printf '%s\n' "${runs[@]}" | grep -v '[[:space:]]extended[[:space:]]*$')
fi
jobs=${STATETESTS_JOBS:-$(nproc)}

run_one() {
    local executor=$1 fork=$2
    local status=0
    "$tool" statetest --json --executor "$executor" --fork "$fork" "${files[@]}" \
        > "$reports/$executor-$fork.jsonl" 2> "$reports/$executor-$fork.err" || status=$?
    echo "$status" > "$reports/$executor-$fork.status"
}

for line in "${runs[@]}"; do
    read -r executor fork _ <<< "$line"
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
    run_one "$executor" "$fork" &
done
wait

prefix="$fixtures/GeneralStateTests/"
failed_runs=0
for line in "${runs[@]}"; do
    read -r executor fork required <<< "$line"
    report="$reports/$executor-$fork.jsonl"
    status=$(cat "$reports/$executor-$fork.status")
    if [[ $status -ge 2 ]]; then
        echo "statetests-forks: $executor $fork: parallax-evm could not run the fixtures (exit status $status)" >&2
        cat "$reports/$executor-$fork.err" >&2
        failed_runs=$((failed_runs + 1))
        continue
    fi
    # Failures and skips by top-level folder, from the per-vector lines.
    { grep '"file":' "$report" || true; } | awk -v prefix="$prefix" -v run="$executor $fork" '
        {
            match($0, /"file":"[^"]*"/)
            file = substr($0, RSTART + 8, RLENGTH - 9)
            sub("^" prefix, "", file)
            folder = file
            sub("/.*$", "", folder)
            if (index($0, "\"skipped\":true")) skipped[folder]++
            else if (index($0, "\"pass\":true")) passed[folder]++
            else failed[folder]++
            folders[folder] = 1
        }
        END {
            for (f in folders) if (failed[f] + skipped[f] > 0)
                printf "  %-20s %-36s %6d passed %6d failed %6d skipped\n", run, f, passed[f], failed[f], skipped[f]
        }' | sort
    summary=$(tail -n 1 "$report")
    passed=$(sed -n 's/^\([0-9][0-9]*\) passed.*/\1/p' <<< "$summary")
    if [[ -z "$passed" ]]; then
        echo "statetests-forks: $executor $fork: no summary line in $report" >&2
        failed_runs=$((failed_runs + 1))
        continue
    fi
    printf '%-10s %-18s %s\n' "$executor" "$fork" "$summary"
    if (( passed < required )); then
        echo "statetests-forks: FAIL: $executor $fork: $passed vectors pass, the ratchet in $ratchet_file requires $required" >&2
        failed_runs=$((failed_runs + 1))
    elif (( passed > required )); then
        echo "statetests-forks: $executor $fork: $passed vectors pass, more than the $required of the ratchet: raise its line in $ratchet_file"
    fi
done

if (( failed_runs > 0 )); then
    echo "statetests-forks: $failed_runs of ${#runs[@]} runs below their ratchet or not run" >&2
    exit 1
fi
