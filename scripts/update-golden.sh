#!/usr/bin/env bash
# Regenerates the golden replay outputs in tests/golden/ after an intended change of rules or
# alert format. Review `git diff tests/golden` before committing: every changed line is an
# alarm that would now be raised differently.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-build/tools/chairwatch}
vitals=../shared/data/vitals
replay() { "$bin" replay --config config/chairwatch.yaml --format "$1" --sample-hold 120 "$vitals/$2.csv"; }
replay jsonl mimic2wdb_s25047-2704-05-04-10-44n > tests/golden/mimic2wdb_s25047.jsonl
replay table physionet2012_157273 > tests/golden/physionet2012_157273.txt
for route in iv im intranasal; do
    "$bin" replay --config config/chairwatch.yaml --format table --sample-hold 120 \
        "tests/fixtures/route_$route.csv" > "tests/golden/route_$route.txt"
done
"$bin" replay --config config/chairwatch.yaml --format table --sample-hold 120 \
    tests/fixtures/breathing_iv.csv > tests/golden/breathing_iv.txt
echo "regenerated; review: git diff --stat tests/golden"
