#!/usr/bin/env bash
# Installs the Debian 12 packages chairwatch needs to build, test and run its demo.
# Idempotent: does nothing when everything is already installed. Arguments name more packages
# a script needs beside these (scripts/fuzz.sh: clang).
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git
    libboost1.81-dev libboost-json1.81-dev
    libpaho-mqttpp-dev libpaho-mqtt-dev
    libspdlog-dev libyaml-cpp-dev doctest-dev
    libcli11-dev        # cli/: the one command-line parser of both binaries (header-only)
    help2man man-db python3  # cmake/ManPages.cmake: the man pages; tests/docs: their checks
    libsodium-dev       # accounts/: Argon2id password hashes of the board's users
    libssl-dev          # drivers/notify: HTTPS webhooks, MLLP over TLS, HMAC signatures
    mosquitto mosquitto-clients openssl
    rabbitmq-server     # tests/integration/test_cluster.cpp: a 3-node cluster with its MQTT plugin
    python3-hl7         # tests/notify: the MLLP receiver and sender on a real HL7 library
    libmosquitto-dev    # bench/run.sh builds the shared load generator
    chromium
    systemd
    dpkg-dev lintian    # scripts/package.sh, package-test.sh: dpkg-shlibdeps for cpack, lintian
)

# node and npm run the board's browser test (tests/board; playwright-core needs node >= 18).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
