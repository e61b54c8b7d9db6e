#!/usr/bin/env bash
# The main job as a demo: a private Mosquitto on a free loopback port, chairwatchd with the
# shipped config, and the simulator for three chairs at accelerated time (chair 1 has a
# ketamine-typical BP surge, chair 2 stays normal but its monitor loses its link for 25 s while
# dosing). Prints the alerts as a nurse station shows
# them, stops everything it started, and says where the session logs are.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target chairwatchd chairwatch >/dev/null

speed=${SPEED:-150}
chairs=${CHAIRS:-3}
out=$root/demo-out
rm -rf "$out"
mkdir -p "$out"

source scripts/local-broker.sh
start_local_broker "$out" 18830

# The nurse-station board: on 8080 or the next free port, readable without a token, and a
# demo nurse account (printed below) to log in and acknowledge.
http_port=${HTTP_PORT:-8080}
while ! port_free "$http_port"; do http_port=$((http_port + 1)); done
head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$out/station.token"
demo_password=$(head -c 9 /dev/urandom | base64 | tr '+/' '-_')
rm -f "$out/users"
printf '%s\n' "$demo_password" |
    build/tools/chairwatch user add demo-nurse --role nurse --users "$out/users" --password-stdin >/dev/null
# The simulator runs the clinic 150 times faster than real time. So that the sessions keep
# their own timeline (a 15-minute baseline, 60 minutes of observation before discharge), its
# readings carry the simulated time (--clock simulated), which runs up to two hours ahead of
# the receive time: the demo lets it (input.max_future_s). With the shipped limit the readings
# would carry the real time (--clock real, the default) and every one would still be accepted,
# but no baseline and no discharge readiness would form in the demo's 50 seconds.
{ sed 's/max_future_s: 300 /max_future_s: 86400/' config/chairwatch.yaml
  printf '\nhttp:\n  token_file: %s\n  users_file: %s\n  read_only_without_token: true\n  station_name: demo-station\n' \
      "$out/station.token" "$out/users"; } >"$out/chairwatch.yaml"

echo "== chairwatchd on $broker (config: config/chairwatch.yaml + http:, log: demo-out/chairwatchd.log)"
build/daemon/chairwatchd --config "$out/chairwatch.yaml" --broker "$broker" \
    --log-dir "$out/sessions" --queue-dir "$out/queue" --http "127.0.0.1:$http_port" \
    2>"$out/chairwatchd.log" &
daemon=$!
pids+=($daemon)

echo "== NURSE-STATION BOARD: open http://127.0.0.1:$http_port/ in a browser"
echo "   (to acknowledge there too, log in as demo-nurse with the password $demo_password)"
if [ -t 0 ]; then
    read -r -t 60 -p "   press Enter to start the simulation (it starts by itself in 60 s) " || echo
fi
echo "== nurse station view (chairwatch alerts):"
build/tools/chairwatch alerts --broker "$broker" &
pids+=($!)
sleep 1

echo "== simulating $chairs chairs at ${speed}x: baseline 15 min, IV ketamine over 40 min, 70 min observation;"
echo "   a simulated nurse acknowledges each alarm 3 s after it appears; each monitor says it is"
echo "   online with a last will, and chair 2's monitor loses its link at the dose start for 25 s"
echo "   (monitor_link_lost: HIGH while dosing, cleared when it is back)"
build/tools/chairwatch simulate --broker "$broker" --chairs "$chairs" --speed "$speed" --ack-after 3 \
    --observation-min 70 --clock simulated --quiet --monitor-links --link-drop 2

sleep 1
kill -TERM "$daemon"
wait "$daemon" || true
sleep 0.5
cleanup
trap - EXIT

echo
echo "== session logs and summaries in $out/sessions:"
find "$out/sessions" -type f | sort | sed 's/^/   /'
echo
echo "== the report of chair 1, for the chart: open it in a browser"
ls "$out"/sessions/chair-01/*.html | sed 's/^/   /'
echo
echo "== what chairwatchd counted (from demo-out/chairwatchd.log):"
grep "stats:" "$out/chairwatchd.log" | tail -1 | sed 's/^.*stats:/   /'
