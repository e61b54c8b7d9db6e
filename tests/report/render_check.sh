#!/usr/bin/env bash
# Renders a session report with the real `chairwatch report` in headless Chromium and checks what
# a reader would see: a real picture (not a blank page), the chart's SVG with its data points and
# the alarm table rows in the rendered DOM, and one printed A4 page.
#
# usage: render_check.sh CHAIRWATCH_BIN SESSION.jsonl CONFIG.yaml OUT_DIR
# OUT_DIR keeps report.html, report.png (look at it), dom.html, report.pdf and chromium.log.
set -euo pipefail

bin=$1 log=$2 config=$3 out=$4
fail() { echo "render_check: FAIL: $*" >&2; exit 1; }
pass() { echo "render_check: ok: $*"; }

chromium_bin=$(command -v chromium || true)
[[ -n $chromium_bin ]] || fail "chromium is not installed (apt-get install chromium; scripts/install-deps.sh installs it)"

mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium() {
    timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --window-size=1240,1754 "$@" 2>>"$out/chromium.log"
}
count() { grep -o -- "$1" "$2" | wc -l; }
size_of() { stat -c %s "$1"; }

# The command line: exit codes and the three formats.
set +e
"$bin" report "$out/no-such-session.jsonl" 2>/dev/null; [[ $? == 1 ]] || fail "unreadable input must exit 1"
"$bin" report 2>/dev/null; [[ $? == 2 ]] || fail "no arguments must exit 2"
"$bin" report "$log" --format pdf 2>/dev/null; [[ $? == 2 ]] || fail "an unknown format must exit 2"
set -e
"$bin" report "$log" --config "$config" -o "$out/report.html" || fail "chairwatch report failed"
"$bin" report "$log" --config "$config" --format json >"$out/report.json"
"$bin" report "$log" --format csv >"$out/report.csv"
readings=$(grep -c '"type":"reading"' "$log")
[[ $(($(wc -l <"$out/report.csv") - 1)) == "$readings" ]] || fail "CSV rows != readings ($readings)"
grep -q '"clock":"device"' "$out/report.json" || fail "JSON summary lacks its clock"
pass "report, --format json and csv; exit codes 1 and 2"

# A real picture: far larger than Chromium's PNG of a blank page of the same size.
echo '<!DOCTYPE html><html><body></body></html>' >"$out/blank.html"
: >"$out/chromium.log"
chromium --screenshot="$out/blank.png" "file://$out/blank.html" >/dev/null
chromium --screenshot="$out/report.png" "file://$out/report.html" >/dev/null
[[ -s $out/report.png ]] || fail "chromium wrote no screenshot (see $out/chromium.log)"
[[ $(head -c 8 "$out/report.png" | od -A n -t x1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
    fail "report.png is not a PNG"
blank=$(size_of "$out/blank.png") shot=$(size_of "$out/report.png")
((shot > 5 * blank)) || fail "report.png ($shot bytes) looks blank (a blank page is $blank bytes)"
pass "screenshot $out/report.png: $shot bytes (blank page: $blank)"

# The rendered DOM: the chart's SVG with its data points, limits and alarm bars, and the table.
chromium --dump-dom "file://$out/report.html" >"$out/dom.html"
grep -q '<svg class="chart"' "$out/dom.html" || fail "no chart <svg> in the rendered DOM"
sbp=$(count 'class="pt-sbp"' "$out/dom.html")
cuff=$(grep -c '"type":"reading".*"signal":"sbp"' "$log")
[[ $sbp == "$cuff" ]] || fail "the chart has $sbp SBP points, the log $cuff SBP readings"
(($(count 'class="pt-dbp"' "$out/dom.html") > 0)) || fail "no DBP points"
(($(count 'class="series-map"' "$out/dom.html") > 0)) || fail "no MAP line"
(($(count 'class="series-hr"' "$out/dom.html") > 0)) || fail "no HR line"
(($(count 'class="limit"' "$out/dom.html") > 0)) || fail "no limit lines"
(($(count 'class="phase phase-' "$out/dom.html") >= 3)) || fail "phases not shaded"
rows=$(count '<tr class="alarm-row"' "$out/dom.html")
alarms=$(grep -o '"type":"alarm","alert_id":"[^"]*"' "$log" | sort -u | wc -l)
[[ $rows == "$alarms" ]] || fail "the alarm table has $rows rows, the log $alarms alarms"
(($(count 'class="alarm-bar"' "$out/dom.html") == alarms)) || fail "alarm bars missing"
pass "DOM: chart with $sbp SBP points, MAP and HR lines, limits, phases; $rows alarm rows"

# One A4 page when printed.
chromium --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$out/report.html" \
    >/dev/null
[[ -s $out/report.pdf ]] || fail "chromium printed no PDF"
pages=$(grep -a -o '/Type */Pages*' "$out/report.pdf" | grep -c -v 'Pages$' || true)
[[ $pages == 1 ]] || fail "the report prints on $pages pages, not 1"
pass "prints on one A4 page ($out/report.pdf)"
