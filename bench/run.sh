#!/usr/bin/env bash
# The benchmark behind README "Performance", in one command:
#
#   bench/run.sh [core|e2e|storm|all]    # default all; results in $OUT (printed at the end)
#
# core: build/bench/core_bench - readings/s through the pure Clinic at 1, 100 and 10,000 chairs
#       (HR 1 Hz, a cuff reading every 5 min, the shipped default profile, one thread) and heap
#       bytes per chair; build/bench/replay_bench - recordings through the rules.
# e2e:  the shared load generator (../shared/bench, built here from its sources) against a
#       private Mosquitto: the broker-only floor, the reference C relay, the same relay on Paho
#       (build/bench/paho_relay) and chairwatchd
#       (config bench/bench.yaml) in one run_all.sh run, QoS 0 and 1, latency at 1,000 chairs x
#       1 Hz and the max sustained rate; then RSS of chairwatchd at rest, with 1,000 chairs
#       (1 Hz each) and with 10,000 chairs (one reading each 5 s), QoS 1.
# storm: build/bench/storm_bench against chairwatchd on bench/storm.yaml: HIGH-alarm latency
#       while every one of 1,000 chairs changes its alarm list at once, against the same HIGH
#       probes at the quiet 1,000 chairs x 1 Hz load (see bench/storm_bench.cpp).
# Every broker started here (run_all.sh's included, through its BROKER_CONF) is the harness's
# minimal one plus `set_tcp_nodelay true`, as docs/operations.md configures a clinic's broker:
# without it the broker's Nagle algorithm holds alerts to the harness's subscriber (up to ~40 ms).
# BROKER_NODELAY=0 gives the harness's own minimal config, to compare with older runs.
#
# Env: BUILD_DIR (default ./build, must hold chairwatchd and core_bench), OUT, SHARED_BENCH
# (default ../shared/bench), PEERS (default "crelay paho_relay"), REPEATS (3), SWEEP_REPEATS (1), FRESH_STEPS (1),
# LAT_CHAIRS (1000), CORE_SECONDS (3600), PORT (18830), BROKER_NODELAY (1), BROKER_INFLIGHT (1000), STORM_QOS ("1"),
# STORM_ROUNDS (20), STORM_BENCH (default $BUILD_DIR/bench/storm_bench; set it to run the storm
# against an older build that has no storm_bench). Needs mosquitto, g++, libmosquitto-dev.
# Shares the machine with nothing else for the numbers to mean anything (see `uptime` in OUT).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(dirname "$HERE")"
WHAT=${1:-all}
BUILD_DIR=$(cd "${BUILD_DIR:-$SRC/build}" && pwd)
SHARED_BENCH=${SHARED_BENCH:-$SRC/../shared/bench}
OUT=${OUT:-$BUILD_DIR/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
PORT=${PORT:-18830}
DAEMON=$BUILD_DIR/daemon/chairwatchd
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

note() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# What this script starts itself (run_all.sh stops its own): stopped by process group at exit.
STARTED=()
stop_started() {
    local p
    for p in "${STARTED[@]+"${STARTED[@]}"}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
}
trap stop_started EXIT

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
        "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "commit: $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$OUT/machine.txt"

# The broker config for every broker started here.
broker_conf() {  # broker_conf <file>
    {
        echo "# written by bench/run.sh: ../shared/bench/broker/mosquitto.conf on port $PORT"
        echo "listener $PORT 127.0.0.1"
        printf '%s\n' "allow_anonymous true" "persistence false" "log_dest stderr" \
            "log_type error" "log_type warning"
        if [ "${BROKER_NODELAY:-1}" = 1 ]; then echo "set_tcp_nodelay true"; fi
        # docs/operations.md: the Receive Maximum chairwatchd gets (MQTT 5); 20 by default
        echo "max_inflight_messages ${BROKER_INFLIGHT:-1000}"
    } > "$1"
}
BROKER_CONF=$OUT/broker.conf
broker_conf "$BROKER_CONF"
echo "broker: $(grep -v '^#' "$BROKER_CONF" | tr '\n' ';')" >> "$OUT/machine.txt"

run_core() {
    note "core: $BUILD_DIR/bench/core_bench ${CORE_SECONDS:-3600}; replay_bench 100"
    "$BUILD_DIR/bench/core_bench" "${CORE_SECONDS:-3600}" | tee "$OUT/core.txt"
    "$BUILD_DIR/bench/replay_bench" 100 | tee -a "$OUT/core.txt"
}

# The harness is built from the shared sources in a copy of its folder (the original may be
# read-only, and run_all.sh builds and writes its results next to itself).
#
# With FRESH_STEPS=1 (the default) the copy of run_all.sh gets one change: the system under
# test is restarted before every sweep step and every latency run after the first, as it already
# is after a failed step. The harness reuses the chair ids c000... in every step, and its promise
# that a chair's next reading of a vital after a crossing is normal holds only within one step:
# a system that alarms on conditions, as chairwatchd does, still has the last step's final
# crossing active when the next step's first reading of that chair crosses again, and sends
# nothing new for it; the harness counts that as a lost alert. A stateless relay is unaffected.
prepare_harness() {
    HARNESS=$BUILD_DIR/bench-harness
    mkdir -p "$HARNESS"
    (cd "$SHARED_BENCH" && tar cf - --exclude=./results --exclude=./nodered/node_modules .) |
        (cd "$HARNESS" && tar xf - && chmod -R u+w .)
    if [ "${FRESH_STEPS:-1}" = 1 ]; then
        local restart='if [ -n "$DUT_PID" ]; then stop_bg "$DUT_PID"; start_dut "$sys" "$qos" || return 2; fi'
        sed -i -e "/^  step() {  # step <rate>/a\\    $restart" \
            -e "/^  for rep in \$(seq \"\$REPEATS\"); do/a\\    [ \"\$rep\" -gt 1 ] \&\& [ -n \"\$DUT_PID\" ] \&\& { stop_bg \"\$DUT_PID\"; start_dut \"\$sys\" \"\$qos\" || return; }" \
            "$HARNESS/run_all.sh"
        [ "$(grep -c 'stop_bg "$DUT_PID"; start_dut' "$HARNESS/run_all.sh")" -ge 3 ] ||
            { echo "bench/run.sh: could not patch run_all.sh for FRESH_STEPS" >&2; exit 1; }
    fi
    # One more peer: the harness's relay on our MQTT client (build/bench/paho_relay), the most
    # that Paho as Debian ships it lets any daemon ingest.
    sed -i "/^    crelay) echo \"exec '\$HERE\/crelay\/crelay'\" ;;/a\\    paho_relay) echo \"exec '$BUILD_DIR/bench/paho_relay'\" ;;" \
        "$HARNESS/run_all.sh"
    grep -q "^    paho_relay) " "$HARNESS/run_all.sh" ||
        { echo "bench/run.sh: could not add paho_relay to run_all.sh" >&2; exit 1; }
    make -s -C "$HARNESS" all
}

# What run_all.sh starts as the system under test: chairwatchd on the bench config, with QoS,
# broker and a fresh session-log directory from the environment it gets.
dut_cmd() {
    local extra=""
    if "$DAEMON" --help 2>&1 | grep -q -- '--http'; then extra+=" --http 127.0.0.1:0"; fi
    if "$DAEMON" --help 2>&1 | grep -q -- '--queue-dir'; then extra+=' --queue-dir "$d/queue"'; fi
    # A new directory for every start: session files created where thousands were just
    # deleted cost ext4 far more (its recently-deleted inode check) than anywhere in a clinic.
    echo 'd='"$OUT"'/dut-qos$QOS-$(date +%s%N); mkdir -p "$d/sessions";' \
        'sed "s/^  qos: .*/  qos: $QOS/" '"$HERE"'/bench.yaml > "$d/bench.yaml";' \
        'exec '"$DAEMON"' --config "$d/bench.yaml" --broker tcp://$MQTT_HOST:$MQTT_PORT' \
        '--log-dir "$d/sessions"'"$extra"
}

# RSS with 1,000 and 10,000 chairs, and at rest, on a broker of our own after run_all.sh.
run_rss() {
    local log=$OUT/rss.txt
    setsid mosquitto -c "$BROKER_CONF" > "$OUT/rss-broker.log" 2>&1 &
    local broker=$!
    STARTED+=("$broker")
    sleep 0.5
    QOS=1 MQTT_HOST=127.0.0.1 MQTT_PORT=$PORT setsid bash -c "$(dut_cmd)" > "$OUT/rss-dut.log" 2>&1 &
    local dut=$!
    STARTED+=("$dut")
    "$HARNESS/loadgen/loadgen" --port "$PORT" --mode ready --qos 1 --timeout 30 > /dev/null || true
    sleep 1
    echo "rest (1 chair) VmRSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$dut/status)" | tee "$log"
    local chairs hz
    for chairs in 1000 10000; do
        hz=1
        [ "$chairs" -gt 1000 ] && hz=0.2  # 10,000 chairs: one HR each 5 s (2,000 msg/s)
        "$HARNESS/loadgen/loadgen" --port "$PORT" --mode dut --qos 1 --chairs "$chairs" \
            --hr-hz "$hz" --bp-period 300 --duration 15 --warmup 2 --alert-frac 0.05 \
            --label "chairwatchd-$chairs" --watch "dut=$dut" 2>> "$OUT/rss-loadgen.log" |
            grep '^RESULT' | sed "s/^/chairs=$chairs /" | tee -a "$log" || true
    done
    kill -TERM -- "-$dut" 2>/dev/null || true
    wait "$dut" 2>/dev/null || true
    kill -TERM -- "-$broker" 2>/dev/null || true
    wait "$broker" 2>/dev/null || true
}

run_e2e() {
    prepare_harness
    note "e2e: run_all.sh (floor, ${PEERS-crelay paho_relay}, chairwatchd), results in $OUT/e2e"
    OUTDIR=$OUT/e2e PORT=$PORT BROKER_CONF=$BROKER_CONF PEERS=${PEERS-crelay paho_relay} DUT_NAME=chairwatchd DUT_CMD="$(dut_cmd)" \
        REPEATS=${REPEATS:-3} SWEEP_REPEATS=${SWEEP_REPEATS:-1} LAT_CHAIRS=${LAT_CHAIRS:-1000} \
        "$HARNESS/run_all.sh"
    note "e2e: RSS at rest, 1,000 and 10,000 chairs"
    run_rss
}

# HIGH first: storm_bench against chairwatchd on bench/storm.yaml, on a broker of our own.
run_storm() {
    local bench=${STORM_BENCH:-$BUILD_DIR/bench/storm_bench} log=$OUT/storm.txt qos
    note "storm: $bench against $DAEMON (bench/storm.yaml), QoS ${STORM_QOS:-1}"
    setsid mosquitto -c "$BROKER_CONF" > "$OUT/storm-broker.log" 2>&1 &
    local broker=$!
    STARTED+=("$broker")
    sleep 0.5
    for qos in ${STORM_QOS:-1}; do
        local d=$OUT/storm-qos$qos
        mkdir -p "$d/sessions"
        sed "s/^  qos: .*/  qos: $qos/" "$HERE/storm.yaml" > "$d/storm.yaml"
        setsid "$DAEMON" --config "$d/storm.yaml" --broker "tcp://127.0.0.1:$PORT" \
            --log-dir "$d/sessions" --queue-dir "$d/queue" > "$d/dut.log" 2>&1 &
        local dut=$!
        STARTED+=("$dut")
        echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
        MQTT_PORT=$PORT QOS=$qos ROUNDS=${STORM_ROUNDS:-20} "$bench" 2>> "$log" | tee -a "$log" || true
        kill -TERM -- "-$dut" 2>/dev/null || true
        wait "$dut" 2>/dev/null || true
    done
    kill -TERM -- "-$broker" 2>/dev/null || true
    wait "$broker" 2>/dev/null || true
}

case $WHAT in
    core) run_core ;;
    e2e) run_e2e ;;
    storm) run_storm ;;
    all) run_core && run_e2e && run_storm ;;
    *) echo "usage: bench/run.sh [core|e2e|storm|all]" >&2 && exit 2 ;;
esac
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
note "results in $OUT"
