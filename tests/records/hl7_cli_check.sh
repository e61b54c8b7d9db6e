#!/usr/bin/env bash
# `chairwatch report --format hl7` for the IV, IM and intranasal fixtures, with the shipped
# config plus a records section, and every message checked with python3-hl7 against its log.
# Usage: hl7_cli_check.sh CHAIRWATCH PYTHON SOURCE_DIR WORK_DIR
set -euo pipefail
chairwatch=$1 python=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
{ cat "$src/config/chairwatch.yaml"
  printf '\nrecords:\n  patient_identifier_system: urn:oid:1.2.3.4.5\n'; } > "$work/chairwatch.yaml"
for log in "$src"/tests/report/fixtures/session.jsonl \
           "$src"/tests/report/fixtures/intranasal_session.jsonl \
           "$src"/tests/records/fixtures/im_session.jsonl \
           "$src"/tests/records/fixtures/intranasal_session.jsonl; do
    out="$work/$(basename "$(dirname "$(dirname "$log")")")-$(basename "$log" .jsonl).hl7"
    "$chairwatch" report "$log" --format hl7 --config "$work/chairwatch.yaml" -o "$out"
    "$python" "$src/tests/records/hl7_check.py" file --hl7 "$out" --log "$log" \
        --authority urn:oid:1.2.3.4.5
done
