#!/usr/bin/env bash
# How fast chairwatchd ingests a flood, against the bare Paho relay, in one run:
#
#   bench/flood.sh                       # ~15 min; results in $OUT (printed at the end)
#
# For each system (build/bench/paho_relay: the relay of README "Performance" on our MQTT client,
# the most any daemon on Paho can ingest; chairwatchd with bench/bench.yaml), each flood QoS and
# each kind of message, the highest rate the system takes without falling behind: a sweep of
# build/bench/flood_bench steps (1 s warm-up + STEP_SECS measured, a fresh broker and system
# each), doubling from START until a step fails, then BISECT geometric steps. A step passes when
# probe readings sent beside the flood are all answered with p99 <= 100 ms and the offered rate
# was published. Kinds (see bench/flood_bench.cpp):
#   valid      normal readings over 5,000 chairs: decoded, judged, logged
#   over-rate  garbage on one chair over input.max_messages_per_chair_s: dropped unread
#   bad-json   garbage on chair ids that never sent anything valid: decoded and rejected
# Both systems subscribe at QoS 1 (chairwatchd's default) on two connections; the flood is
# published at QoS 0 and at QoS 1 by one raw-socket publisher (bench/raw_mqtt.hpp).
# Then, since the maxima move with the machine's other load, the CPU each system spends per
# 1,000 messages at one fixed rate (FIXED_RATE), the two systems run alternately FIXED_REPEATS
# times: what the daemon adds to what the client costs.
#
# The broker: listener, anonymous access, no persistence, and the queue, size and Nagle lines of
# config/mosquitto/chairwatch.conf (so that nothing queued is dropped). Logins and the ACL are
# left out: they cost the broker the same for both systems (tests/integration/test_flood.cpp
# runs with them).
#
# Last, the latency phase: what a flood does to the other chairs. chairwatchd alone, flood QoS 1,
# over-rate, for LATENCY_SECS, at each rate of LATENCY_RATES (0: no flood; 1000000: as fast as
# one connection pushes them): the probes' alert latency p50/p99/max, waited for up to 120 s
# each (a flood that outpaces chairwatchd delays them by its backlog), in latency.md.
#
#   PHASES=latency nice -n 10 bench/flood.sh    # the latency phase only, ~1 min
#
# Env: BUILD_DIR (./build), OUT, PORT (18832), PHASES ("sweep fixed latency"), SYSTEMS
# ("paho_relay chairwatchd"), QOS_LIST ("0 1"), KINDS ("valid over-rate bad-json"), STEP_SECS
# (5), START (10000), MAX (640000), BISECT (3), FIXED_RATE (20000), FIXED_REPEATS (3; 0: none),
# LATENCY_RATES ("0 1000000"), LATENCY_SECS (10). Needs mosquitto. Shares the machine with nothing else for the numbers to mean
# anything (see `uptime` in OUT/machine.txt).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(dirname "$HERE")"
BUILD_DIR=$(cd "${BUILD_DIR:-$SRC/build}" && pwd)
OUT=${OUT:-$BUILD_DIR/bench-results/flood-$(date -u +%Y%m%dT%H%M%SZ)}
PORT=${PORT:-18832}
SYSTEMS=${SYSTEMS:-paho_relay chairwatchd}
QOS_LIST=${QOS_LIST:-0 1}
KINDS=${KINDS:-valid over-rate bad-json}
STEP_SECS=${STEP_SECS:-5}
START=${START:-10000}
MAX=${MAX:-640000}
BISECT=${BISECT:-3}
FIXED_RATE=${FIXED_RATE:-20000}
FIXED_REPEATS=${FIXED_REPEATS:-3}
PHASES=${PHASES:-sweep fixed latency}
LATENCY_RATES=${LATENCY_RATES:-0 1000000}
LATENCY_SECS=${LATENCY_SECS:-10}
STEP_ARGS=()  # more flood_bench options for a phase
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

note() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

if ss -ltn "sport = :$PORT" | grep -q LISTEN; then
    echo "bench/flood.sh: port $PORT is taken (set PORT)" >&2
    exit 1
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
        "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "commit: $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "mosquitto: $(mosquitto -h 2>/dev/null | head -1)"
} > "$OUT/machine.txt"

{
    echo "listener $PORT 127.0.0.1"
    echo "allow_anonymous true"
    echo "persistence false"
    grep -E '^(max_queued_messages|max_queued_bytes|max_inflight_messages|message_size_limit|max_packet_size|set_tcp_nodelay) ' \
        "$SRC/config/mosquitto/chairwatch.conf"
} > "$OUT/broker.conf"

# What this script starts (each under setsid): stopped by process group.
STARTED=()
stop_group() {  # SIGTERM to the group, SIGKILL after 10 s; returns once the leader is gone
    local i
    kill -TERM -- "-$1" 2>/dev/null || true
    for i in $(seq 100); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
stop_started() {
    local p
    for p in "${STARTED[@]+"${STARTED[@]}"}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
}
trap stop_started EXIT

start_system() {  # start_system <system> <dir>; prints its pid
    local sys=$1 d=$2
    case $sys in
        paho_relay)
            MQTT_PORT=$PORT QOS=1 SPLIT=1 setsid "$BUILD_DIR/bench/paho_relay" > "$d/system.log" 2>&1 &
            ;;
        chairwatchd)
            mkdir -p "$d/sessions"
            setsid "$BUILD_DIR/daemon/chairwatchd" --config "$HERE/bench.yaml" \
                --broker "tcp://127.0.0.1:$PORT" --log-dir "$d/sessions" --queue-dir "$d/queue" \
                --http 127.0.0.1:0 > "$d/system.log" 2>&1 &
            ;;
        *) echo "unknown system $sys" >&2 && exit 2 ;;
    esac
    echo $!
}

# One step: a fresh broker and system, flood_bench at <rate>; appends its RESULT line to raw.txt
# and returns flood_bench's exit code (0 pass, 1 fail, 2 setup error).
step() {  # step <system> <qos> <kind> <rate>
    local sys=$1 qos=$2 kind=$3 rate=$4 d rc
    d=$(mktemp -d "$OUT/step-XXXXXX")
    setsid mosquitto -c "$OUT/broker.conf" > "$d/broker.log" 2>&1 &
    local broker=$!
    STARTED+=("$broker")
    sleep 0.3
    local dut
    dut=$(start_system "$sys" "$d")
    STARTED+=("$dut")
    set +e
    "$BUILD_DIR/bench/flood_bench" --port "$PORT" --qos "$qos" --kind "$kind" --rate "$rate" \
        --duration "$STEP_SECS" --warmup 1 --watch "$dut" --watch-broker "$broker" --label "$sys" \
        "${STEP_ARGS[@]+"${STEP_ARGS[@]}"}" \
        2>> "$OUT/flood_bench.log" | sed "s/^RESULT /RESULT system=$sys phase=$PHASE /" >> "$OUT/raw.txt"
    rc=${PIPESTATUS[0]}
    set -e
    stop_group "$dut"
    stop_group "$broker"
    if grep -q 'being dropped' "$d/broker.log"; then
        echo "bench/flood.sh: the broker dropped messages ($sys qos $qos $kind $rate)" >&2
    fi
    rm -rf "$d"
    return "$rc"
}

sweep() {  # sweep <system> <qos> <kind>; prints the highest passing rate (0 if none)
    local sys=$1 qos=$2 kind=$3 rate=$START pass=0 fail=0 i rc
    while [ "$rate" -le "$MAX" ]; do
        rc=0
        step "$sys" "$qos" "$kind" "$rate" || rc=$?
        [ "$rc" = 2 ] && { note "$sys qos $qos $kind: setup error at $rate"; echo 0; return; }
        if [ "$rc" = 0 ]; then pass=$rate; rate=$((rate * 2)); else fail=$rate; break; fi
    done
    if [ "$fail" -gt 0 ] && [ "$pass" -gt 0 ]; then
        for i in $(seq "$BISECT"); do
            rate=$(awk -v a="$pass" -v b="$fail" 'BEGIN { printf "%d", sqrt(a * b) }')
            rc=0
            step "$sys" "$qos" "$kind" "$rate" || rc=$?
            if [ "$rc" = 0 ]; then pass=$rate; else fail=$rate; fi
        done
    fi
    echo "$pass"
}

has_phase() { [[ " $PHASES " == *" $1 "* ]]; }

PHASE=sweep
echo "system qos kind max_msg_per_s" > "$OUT/max.txt"
has_phase sweep && for qos in $QOS_LIST; do
    for kind in $KINDS; do
        for sys in $SYSTEMS; do
            note "$sys, flood QoS $qos, $kind"
            max=$(sweep "$sys" "$qos" "$kind")
            echo "$sys $qos $kind $max" | tee -a "$OUT/max.txt" >&2
        done
    done
done
PHASE=fixed
has_phase fixed && for rep in $(seq "$FIXED_REPEATS"); do
    for qos in $QOS_LIST; do
        for kind in $KINDS; do
            for sys in $SYSTEMS; do
                note "fixed $FIXED_RATE msg/s, run $rep: $sys, flood QoS $qos, $kind"
                step "$sys" "$qos" "$kind" "$FIXED_RATE" || true
            done
        done
    done
done
PHASE=latency
if has_phase latency; then
    STEP_ARGS=(--drain 120 --max-p99-ms 1e9)
    SAVED_SECS=$STEP_SECS
    STEP_SECS=$LATENCY_SECS
    for rate in $LATENCY_RATES; do
        note "latency: chairwatchd, flood QoS 1, over-rate, $rate msg/s offered"
        step chairwatchd 1 over-rate "$rate" || true
    done
    STEP_SECS=$SAVED_SECS
    STEP_ARGS=()
    {
        echo "| flood offered msg/s | published msg/s | probe alerts | lost | p50 ms | p99 ms | max ms |"
        echo "|---|---|---|---|---|---|---|"
        awk '/^RESULT/ && / phase=latency / {
            delete f
            for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", f["rate"], f["sent_rate"], f["probes"],
                f["lost"], f["p50_ms"], f["p99_ms"], f["max_ms"]
        }' "$OUT/raw.txt"
    } > "$OUT/latency.md"
    cat "$OUT/latency.md"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

# The table: per flood QoS and kind, each system's max and chairwatchd's as a fraction of the
# relay's; CPU ms per 1,000 messages at FIXED_RATE, median and runs.
if has_phase sweep || has_phase fixed; then
    awk -v fixed="$FIXED_RATE" '
        function median(list,   a, n, i, j, t) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n ? (n % 2 ? a[(n + 1) / 2] : sprintf("%.2f", (a[n / 2] + a[n / 2 + 1]) / 2)) : "-"
        }
        FNR == NR { if (FNR > 1) max[$1 " " $2 " " $3] = $4; next }
        /^RESULT/ {
            delete f
            for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
            if (f["phase"] == "fixed") {
                k = f["system"] " " f["qos"] " " f["kind"]
                cpu[k] = cpu[k] (cpu[k] == "" ? "" : " ") f["cpu_ms_per_1k"]
                if (f["pass"] != 1) late[k]++
            }
        }
        END {
            print "| flood QoS | kind | max msg/s: paho_relay | chairwatchd | chairwatchd / relay | CPU ms per 1,000 msgs at " fixed " msg/s: paho_relay, median (runs) | chairwatchd |"
            print "|---|---|---|---|---|---|---|"
            n = split("0 1", qs, " "); m = split("valid over-rate bad-json", ks, " ")
            for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) {
                r = max["paho_relay " qs[a] " " ks[b]]; c = max["chairwatchd " qs[a] " " ks[b]]
                if (r == "" && c == "") continue
                ratio = (r > 0 && c != "") ? sprintf("%.2f", c / r) : "-"
                rk = "paho_relay " qs[a] " " ks[b]; ck = "chairwatchd " qs[a] " " ks[b]
                printf "| %s | %s | %s | %s | %s | %s (%s)%s | %s (%s)%s |\n", qs[a], ks[b], r, c, ratio,
                    median(cpu[rk]), cpu[rk], (late[rk] ? ", " late[rk] " behind" : ""),
                    median(cpu[ck]), cpu[ck], (late[ck] ? ", " late[ck] " behind" : "")
            }
        }' "$OUT/max.txt" "$OUT/raw.txt" > "$OUT/table.md"
    cat "$OUT/table.md"
fi
note "results in $OUT"
