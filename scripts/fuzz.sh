#!/usr/bin/env bash
# Fuzzes what chairwatchd reads from outside (vitals, session control, acks, the config file)
# with libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer, each target for a bounded
# time. Fails if any target finds a crash, leak, timeout or out-of-memory; the input that caused
# it is written to fuzz/regressions/<target>/, which the ordinary test run replays from then on.
#
#   FUZZ_SECONDS=60       seconds per target
#   FUZZ_TARGETS="..."    a subset of: vitals control ack config hl7
#   FUZZ_BUILD_DIR=...    build directory (default build-fuzz); its corpus/ grows between runs
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh clang libclang-rt-14-dev

seconds=${FUZZ_SECONDS:-60}
targets=(${FUZZ_TARGETS:-vitals control ack config hl7})
build=${FUZZ_BUILD_DIR:-build-fuzz}
[[ $build == /* ]] || build=$root/$build

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCHAIRWATCH_FUZZ=ON -DCHAIRWATCH_BUILD_TESTS=OFF -DCHAIRWATCH_WERROR=ON \
    -DCHAIRWATCH_SANITIZE=address,undefined >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Payloads are capped at input.max_payload_bytes (at most 65536; 4096 shipped): go a little over.
declare -A max_len=([vitals]=4608 [control]=4608 [ack]=4608 [config]=16384 [hl7]=9216)
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t  # what this machine has found so far; the seeds stay clean
    regressions=$root/fuzz/regressions/$t
    log=$build/fuzz-$t.log
    mkdir -p "$corpus" "$regressions"
    echo "fuzzing $t for ${seconds} s"
    dict=()
    [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
    if "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${max_len[$t]}" "${dict[@]}" -artifact_prefix="$regressions/" \
        -print_final_stats=1 "$corpus" "fuzz/corpus/$t" "$regressions" >"$log" 2>&1; then
        grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)" "$log" |
            sed "s/^/  $t /"
    else
        failed+=("$t")
        tail -n 60 "$log"
        echo "FUZZ FAILURE in $t (full log: $log); inputs kept in fuzz/regressions/$t/:"
        ls -1 "$regressions"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}"
    exit 1
fi
echo "fuzzing: no crash, leak or timeout in ${targets[*]} (${seconds} s each)"
