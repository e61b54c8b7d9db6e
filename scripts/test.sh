#!/usr/bin/env bash
# Builds chairwatch and runs every test: first a normal build (warnings are errors) and the
# Debian package test, then the same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# playwright-core for the board's browser test, pinned in tests/board/package-lock.json; the
# fhir and ajv validators of the records tests, pinned in tests/records/package-lock.json.
for dir in tests/board tests/records; do
    if [ ! -d $dir/node_modules ] ||
        [ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]; then
        (cd $dir && npm ci --no-audit --no-fund)
    fi
done

jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAIRWATCH_WERROR=ON \
    -DCMAKE_INSTALL_PREFIX=/usr
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j 2

# The Debian package from that build: installed, upgraded and purged on this machine, so only
# where that is allowed (CI sets CHAIRWATCH_PACKAGE_TEST=1; see the script).
if [ "$(id -u)" -eq 0 ] && { [ "${CI:-}" = true ] || [ "${CHAIRWATCH_PACKAGE_TEST:-}" = 1 ]; }; then
    scripts/package-test.sh build
else
    echo "scripts/package-test.sh skipped: it needs root and CI=true or CHAIRWATCH_PACKAGE_TEST=1"
fi

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCHAIRWATCH_WERROR=ON \
    -DCHAIRWATCH_SANITIZE=address,undefined
cmake --build build-asan -j "$jobs"
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j 2

# libFuzzer with ASan/UBSan on the payload decoders and the config loader, for a bounded time;
# a crash input lands in fuzz/regressions/ and fails the run.
FUZZ_SECONDS=45 scripts/fuzz.sh
