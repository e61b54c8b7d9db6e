#!/usr/bin/env bash
# What a board reading the session history does to alarms, in one command:
#
#   bench/history.sh [RUNS]              # ~1 min; default 5 runs
#
# A private Mosquitto and chairwatchd (the shipped config, a board on a free port) with RECORDS
# session records in its log directory (copies of one real record, made by a session run here
# first). Each run starts a fresh daemon (its history cache empty), opens a session on a probe
# chair, asks GET /api/history (the daemon reads and parses every record), and 50 ms later sends
# the probe a systolic BP of 205: the time from that publish to the HIGH alert is the alert
# latency while the history is read. Prints each run and the median of both times.
#
# Env: BUILD_DIR (./build), RECORDS (5000: the history's own limit), PORT (19883), HTTP_PORT
# (18099). Needs mosquitto, mosquitto-clients, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
bin=${BUILD_DIR:-$root/build}/daemon/chairwatchd
records=${RECORDS:-5000}
http_port=${HTTP_PORT:-18099}
work=$(mktemp -d /tmp/chairwatch-history-bench.XXXXXX)
source scripts/local-broker.sh
trap 'cleanup; rm -rf "$work"' EXIT
start_local_broker "$work" "${PORT:-19883}"

token=history-bench-token-0123456789abcdef
echo "$token" >"$work/token"
sed -e "s|/var/lib/chairwatch/sessions|$work/logs|" config/chairwatch.yaml >"$work/c.yaml"
printf 'http:\n  token_file: %s/token\n' "$work" >>"$work/c.yaml"

daemon_pid=
start_daemon() {
    "$bin" --config "$work/c.yaml" --broker "$broker" --http "127.0.0.1:$http_port" \
        --queue-dir "$work/q" >>"$work/chairwatchd.log" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$http_port/healthz" && return
        sleep 0.1
    done
    echo "chairwatchd did not start; see $work/chairwatchd.log" >&2
    exit 1
}
stop_daemon() { kill "$daemon_pid" && wait "$daemon_pid" || true; }
pub() { mosquitto_pub -p "$port" -q 1 -t "clinic/$1" -m "$2"; }

# One real record, copied RECORDS times over 50 chairs.
start_daemon
pub chair-01/session '{"action":"start","session_id":"R1"}'
pub chair-01/vitals/bp '{"sbp":120,"dbp":80}'
pub chair-01/session '{"action":"end"}'
for _ in $(seq 50); do
    record=$(ls "$work"/logs/chair-01/*.summary.json 2>/dev/null | head -1) && [ -n "$record" ] && break
    sleep 0.1
done
stop_daemon
[ -n "$record" ] || { echo "no session record was written" >&2; exit 1; }
per_chair=$(((records + 49) / 50))
for c in $(seq -w 1 50); do
    mkdir -p "$work/logs/chair-$c"
    for i in $(seq "$per_chair"); do
        sed "s/\"R1\"/\"R$c-$i\"/g" "$record" >"$work/logs/chair-$c/R$c-$i.summary.json"
    done
done
echo "$(find "$work/logs" -name '*.summary.json' | wc -l) session records; $runs runs"

results=()
for run in $(seq "$runs"); do
    start_daemon
    pub chair-99/session "{\"action\":\"start\",\"session_id\":\"P$run\"}"
    pub chair-99/vitals/bp '{"sbp":120,"dbp":80}'
    mosquitto_sub -p "$port" -t clinic/chair-99/alerts -F '%U' -C 1 -W 30 >"$work/alert" &
    sub=$!
    sleep 0.5
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$http_port/api/history" >"$work/history" &
    reader=$!
    sleep 0.05
    sent=$(date +%s.%N)
    pub chair-99/vitals/bp '{"sbp":205,"dbp":100}'
    wait "$sub" "$reader"
    line=$(python3 -c "import sys; h=float(open('$work/history').read()); a=float(open('$work/alert').read().split()[0]); print('%.0f %.1f' % (h*1000, (a-$sent)*1000))")
    echo "run $run: GET /api/history ${line% *} ms; alert latency meanwhile ${line#* } ms"
    results+=("$line")
    stop_daemon
done
printf '%s\n' "${results[@]}" | python3 -c "
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print('median: GET /api/history %.0f ms; alert latency %.1f ms (max %.1f)' % (
    statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
    max(r[1] for r in rows)))"
