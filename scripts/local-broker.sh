# Sourced by scripts/demo.sh and tests/records/check_records.sh: a private Mosquitto on a free
# loopback port, and the cleanup that stops it and everything else the script started.
#   start_local_broker DIR FIRST_PORT   sets $port and $broker; config and log go in DIR
#   pids+=($!)                          after starting anything else that must be stopped
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

start_local_broker() {
    local dir=$1
    port=$2
    while ! port_free "$port"; do port=$((port + 1)); done
    broker=tcp://127.0.0.1:$port
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" \
        >"$dir/mosquitto.conf"
    mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
    pids+=($!)
    # Ready when the port answers (10 s at most).
    for _ in $(seq 200); do port_free "$port" || break; sleep 0.05; done
}
