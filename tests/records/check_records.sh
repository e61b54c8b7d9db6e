#!/usr/bin/env bash
# check_records.sh fixtures CHAIRWATCH OUTDIR
#   the session record and the FHIR Bundle of the IV, IM and intranasal fixture logs and of a
#   running session validate
#   (schema: ajv; Bundle: the fhir package), and a broken Bundle and record are rejected
# check_records.sh daemon CHAIRWATCH OUTDIR CHAIRWATCHD
#   sessions recorded by chairwatchd from the simulator (a private mosquitto on a free port):
#   its .summary.json validates and is the record `chairwatch report --format json` writes, and
#   the Bundle of each log validates
set -euo pipefail
mode=$1 chairwatch=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
schema=$root/docs/session-record.schema.json
system=https://clinic.example/patient-id
validate() { node "$here/validate.js" "$@"; }

if [ ! -d "$here/node_modules/fhir" ] || [ ! -d "$here/node_modules/ajv" ]; then
    echo "tests/records/node_modules is missing: run (cd tests/records && npm ci)" >&2
    exit 1
fi
rm -rf "$out"
mkdir -p "$out"
{ sed 's/max_future_s: 300 /max_future_s: 86400/' "$root/config/chairwatch.yaml"
  printf '\nrecords:\n  patient_identifier_system: %s\n' "$system"; } >"$out/chairwatch.yaml"

# The Bundle names the patient by the configured system wherever it has a patient_ref.
check_subject() {
    node -e '
const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const want = process.argv[2];
let n = 0;
for (const e of b.entry) for (const k of ["subject", "patient"]) {
  const id = e.resource[k] && e.resource[k].identifier;
  if (!id) continue;
  n++;
  if (id.system !== want) { console.error(`${e.fullUrl}: ${k} system ${id.system}`); process.exit(1); }
}
const types = new Set(b.entry.map((e) => e.resource.resourceType));
for (const t of ["Encounter", "Observation", "DocumentReference"])
  if (!types.has(t)) { console.error(`no ${t}`); process.exit(1); }
console.log(`   ${process.argv[1]}: ${b.entry.length} entries, ${n} patient references`);
' "$1" "$system"
}

export_log() {  # LOG NAME: writes NAME.json and NAME.fhir.json
    "$chairwatch" report "$1" --config "$out/chairwatch.yaml" --format json -o "$out/$2.json"
    "$chairwatch" report "$1" --config "$out/chairwatch.yaml" --format fhir -o "$out/$2.fhir.json"
}

if [ "$mode" = fixtures ]; then
    export_log "$root/tests/report/fixtures/session.jsonl" iv
    export_log "$here/fixtures/im_session.jsonl" im
    export_log "$here/fixtures/intranasal_session.jsonl" intranasal
    # A session still running (its log cut short in the dosing phase): in-progress resources.
    head -n 500 "$root/tests/report/fixtures/session.jsonl" >"$out/running.jsonl"
    export_log "$out/running.jsonl" running
    grep -q '"resourceType":"Encounter",.*"status":"in-progress"' "$out/running.fhir.json"
    # Breathing: the IV log with an RR and an EtCO2 reading beside each HR reading.
    sed -e 'p' -e '/"signal":"hr"/!d' -e 's/"signal":"hr","value":[0-9.]*/"signal":"rr","value":14/' \
        "$root/tests/report/fixtures/session.jsonl" |
        sed -e 'p' -e '/"signal":"rr"/!d' -e 's/"signal":"rr","value":14/"signal":"etco2","value":38/' \
            >"$out/breathing.jsonl"
    export_log "$out/breathing.jsonl" breathing
    grep -q '"code":"9279-1"' "$out/breathing.fhir.json"
    grep -q '"code":"19889-5"' "$out/breathing.fhir.json"
    # A site's session (docs/high-availability.md, "Many sites"): the record and the Bundle
    # carry the site; its ids are the site's.
    sid=chair-04-20260302T090100Z
    sed -e "s/\"session_id\":\"$sid\"/\"session_id\":\"north-$sid\"/g" \
        -e "s/\"alert_id\":\"$sid-a\([0-9]*\)\"/\"alert_id\":\"north:chair-04:north-$sid:a\1\"/g" \
        -e '1s/"implicit"/"site":"north","implicit"/' \
        "$root/tests/report/fixtures/session.jsonl" >"$out/site.jsonl"
    export_log "$out/site.jsonl" site
    grep -q '"site":"north"' "$out/site.json"
    grep -q "\"alert_id\":\"north:chair-04:north-$sid:a1\"" "$out/site.json"
    grep -q '"value":"north/chair-04/north-chair-04-' "$out/site.fhir.json"
    validate record "$schema" "$out"/{iv,im,intranasal,running,breathing,site}.json
    validate fhir "$out"/{iv,im,intranasal,running,breathing,site}.fhir.json
    for r in iv intranasal; do check_subject "$out/$r.fhir.json"; done
    # The checks must be able to fail: a broken Bundle and a broken record are rejected.
    validate --expect-invalid fhir "$here/fixtures/invalid_bundle.json"
    validate --expect-invalid record "$schema" "$here/fixtures/invalid_record.json"
    exit 0
fi

[ "$mode" = daemon ] || { echo "unknown mode $mode" >&2; exit 2; }
chairwatchd=$4
source "$root/scripts/local-broker.sh"
start_local_broker "$out" $((20000 + RANDOM % 20000))
"$chairwatchd" --config "$out/chairwatch.yaml" --broker "$broker" \
    --log-dir "$out/sessions" --queue-dir "$out/queue" --http 127.0.0.1:0 2>"$out/chairwatchd.log" &
pids+=($!)
for _ in $(seq 200); do grep -q "connected" "$out/chairwatchd.log" && break; sleep 0.05; done
"$chairwatch" simulate --broker "$broker" --chairs 2 --speed 600 --ack-after 1 \
    --observation-min 30 --clock simulated --quiet
# The records are written when the sessions end: wait for both.
for _ in $(seq 600); do
    [ "$(find "$out/sessions" -name '*.summary.json' | wc -l)" -ge 2 ] && break
    sleep 0.05
done
summaries=$(find "$out/sessions" -name '*.summary.json' | sort)
[ "$(echo "$summaries" | wc -l)" -ge 2 ] || { echo "no session records from chairwatchd" >&2; cat "$out/chairwatchd.log" >&2; exit 1; }
validate record "$schema" $summaries
for summary in $summaries; do
    log=${summary%.summary.json}.jsonl
    name=$(basename "$log" .jsonl)
    export_log "$log" "$name"
    validate fhir "$out/$name.fhir.json"
    check_subject "$out/$name.fhir.json"
    # One record: the daemon's summary is what `chairwatch report --format json` writes, but for
    # when and from which path it was made.
    node -e '
const fs = require("fs");
const [a, b] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
for (const r of [a, b]) { delete r.record.generated_at; delete r.record.source; }
if (JSON.stringify(a) !== JSON.stringify(b)) { console.error("the daemon record differs from the report record"); process.exit(1); }
' "$summary" "$out/$name.json"
done
echo "chairwatchd's records and Bundles validate"
