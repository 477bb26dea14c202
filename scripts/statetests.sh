#!/usr/bin/env bash
# The Cancun state tests of ethereum/tests with a ratchet.
#
# Builds parallax-evm (release), unpacks Tests/Fixtures/GeneralStateTests-Cancun.tar.xz
# into .build/fixtures (once), runs every vector, and fails when fewer pass than
# the number in Tests/Fixtures/statetests-cancun.passed. That number only ever
# rises: when more pass, the script says so and the change that made them pass
# raises it.
#
# Output: the per-vector JSON report in .build/statetests-cancun-OPTIONS.jsonl, the
# failures and skips per top-level folder, and the tool's last line
# "N passed, M failed[, K skipped]".
#
# Usage: scripts/statetests.sh [extra parallax-evm statetest options, e.g. --executor sequential]
#        scripts/statetests.sh --prepare   (build and unpack only)
# Environment: PARALLAX_EVM, a prebuilt parallax-evm to use instead of building one;
# STATETESTS_RATCHET, another ratchet file (one per executor).
set -euo pipefail

cd "$(dirname "$0")/.."
archive=Tests/Fixtures/GeneralStateTests-Cancun.tar.xz
ratchet_file=${STATETESTS_RATCHET:-Tests/Fixtures/statetests-cancun.passed}
fixtures=.build/fixtures
# One report per set of options, so that two runs can go at once.
report=.build/statetests-cancun$(printf -- "%s" "$*" | tr -c "A-Za-z0-9" "-").jsonl

source scripts/fixtures-lib.sh
parallax_evm
unpack_once "$archive" "$fixtures/GeneralStateTests" GeneralStateTests
[[ "${1:-}" == --prepare ]] && exit 0

# STATETESTS_SKIP: a file name to leave out (the parallel run leaves out the
# 105-second CALLBlake2f_MaxRounds, which the direct run keeps).
if [[ -n "${STATETESTS_SKIP:-}" ]]; then
    mapfile -t inputs < <(find "$fixtures/GeneralStateTests" -name '*.json' ! -name "$STATETESTS_SKIP" | LC_ALL=C sort)
else
    inputs=("$fixtures/GeneralStateTests")
fi

status=0
"$tool" statetest --json "$@" "${inputs[@]}" > "$report" || status=$?
if [[ $status -ge 2 ]]; then
    echo "statetests: parallax-evm could not run the fixtures (exit status $status)" >&2
    exit 1
fi

# Failures and skips by top-level folder, from the per-vector lines.
prefix="$fixtures/GeneralStateTests/"
grep '"file":' "$report" | awk -v prefix="$prefix" '
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
            printf "%-40s %6d passed %6d failed %6d skipped\n", f, passed[f], failed[f], skipped[f]
    }' | sort

summary=$(tail -n 1 "$report")
echo "$summary"
passed=$(sed -n 's/^\([0-9][0-9]*\) passed.*/\1/p' <<< "$summary")
if [[ -z "$passed" ]]; then
    echo "statetests: no summary line in $report" >&2
    exit 1
fi
required=$(tr -d '[:space:]' < "$ratchet_file")

if (( passed < required )); then
    echo "statetests: FAIL: $passed vectors pass, the ratchet in $ratchet_file requires $required" >&2
    exit 1
fi
if (( passed > required )); then
    echo "statetests: $passed vectors pass, more than the $required of the ratchet: raise it with"
    echo "  echo $passed > $ratchet_file"
fi
