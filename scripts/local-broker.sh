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
    local dir=$1 pid
    port=$2
    # A port found free may be taken before Mosquitto binds it (tests run in parallel): then
    # Mosquitto exits, and the next port is tried. Ready when Mosquitto says it listens and its
    # port answers (10 s at most per try).
    for _ in $(seq 20); do
        while ! port_free "$port"; do port=$((port + 1)); done
        broker=tcp://127.0.0.1:$port
        printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" \
            >"$dir/mosquitto.conf"
        mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
        pid=$!
        for _ in $(seq 200); do
            kill -0 "$pid" 2>/dev/null || break
            if grep -q "listen socket on port $port" "$dir/mosquitto.log" && ! port_free "$port"; then
                pids+=("$pid")
                return 0
            fi
            sleep 0.05
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        port=$((port + 1))
    done
    echo "cannot start mosquitto (see $dir/mosquitto.log)" >&2
    return 1
}
