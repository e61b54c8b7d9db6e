#!/usr/bin/env bash
# The package test: builds the .deb from an existing build tree (default: build, configured
# with -DCMAKE_INSTALL_PREFIX=/usr), installs it on THIS machine with apt, checks files, owners
# and modes, the unit and the configuration as the service user, upgrades over an edited
# conffile, then removes and purges it and checks that the session logs stay.
#
# It changes the system (a package, the chairwatch user, /etc/chairwatch, /var/lib/chairwatch),
# so it runs only as root with CI=true or CHAIRWATCH_PACKAGE_TEST=1, and refuses where
# chairwatch is already installed or /var/lib/chairwatch exists. It undoes what it did on
# exit, failure included; a run that was killed is cleaned up by the next one.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")

if [ "$(id -u)" -ne 0 ] || { [ "${CI:-}" != true ] && [ "${CHAIRWATCH_PACKAGE_TEST:-}" != 1 ]; }; then
    echo "package-test: installs, upgrades and purges the chairwatch package on this machine;" >&2
    echo "run it as root with CI=true or CHAIRWATCH_PACKAGE_TEST=1 (a throwaway machine)." >&2
    exit 2
fi

state=/var/tmp/chairwatch-package-test.state # what this test created, for the cleanup
work=""

cleanup() {
    set +e
    [ -n "$work" ] && rm -rf "$work"
    [ -f "$state" ] || return 0
    dpkg-query -W -f='${Status}' chairwatch 2>/dev/null | grep -qv not-installed &&
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq chairwatch >/dev/null
    grep -qx user "$state" && { userdel chairwatch 2>/dev/null; groupdel chairwatch 2>/dev/null; }
    grep -qx state-dir "$state" && rm -rf /var/lib/chairwatch
    grep -qx etc-dir "$state" && rm -rf /etc/chairwatch
    grep -qx policy-rc.d "$state" && rm -f /usr/sbin/policy-rc.d
    rm -f "$state"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "package-test: FAIL: $*" >&2
    exit 1
}
# expect PATH OWNER:GROUP MODE
expect() {
    [ -e "$1" ] || fail "$1 is missing"
    local got
    got=$(stat -c '%U:%G %a' "$1")
    [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
}
installed_version() { dpkg-query -W -f='${Version}' chairwatch; }

cleanup # a killed earlier run
dpkg-query -W -f='${Status}' chairwatch 2>/dev/null | grep -q 'install ok installed' &&
    fail "chairwatch is installed on this machine; not touching it"
[ -e /var/lib/chairwatch ] && fail "/var/lib/chairwatch exists (session logs?); not touching it"
grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$build/CMakeCache.txt" ||
    fail "$build is not configured with -DCMAKE_INSTALL_PREFIX=/usr"
: >"$state"
getent passwd chairwatch >/dev/null || echo user >>"$state"
echo state-dir >>"$state"
[ -e /etc/chairwatch ] || echo etc-dir >>"$state"
# Nothing is started while testing, even where systemd runs: deb-systemd-invoke asks policy-rc.d.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    echo policy-rc.d >>"$state"
fi
work=$(mktemp -d)

echo "== package: the first build and a newer one from $build"
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
newer="$version+test1"
# The newer one without its -dbgsym package, which only costs time here.
(cd "$build" && cpack -G DEB -B "$work/a" >"$work/cpack-a.log" &&
    cpack -G DEB -B "$work/b" -D CPACK_DEBIAN_PACKAGE_VERSION="$newer" \
        -D CPACK_DEBIAN_DEBUGINFO_PACKAGE=OFF -D CPACK_STRIP_FILES=ON >"$work/cpack-b.log") ||
    { cat "$work"/cpack-*.log; fail "cpack"; }
deb_a=$(echo "$work"/a/chairwatch_"$version"_*.deb)
deb_b=$(echo "$work"/b/chairwatch_"$newer"_*.deb)
[ -f "$deb_a" ] && [ -f "$deb_b" ] || fail "no .deb in $work/a or $work/b"
lintian --fail-on error "$deb_a" ||
    fail "lintian reports errors"

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$1" >/dev/null
}

dpkg -c "$work"/a/chairwatch-dbgsym_*.ddeb >"$work/dbgsym.list"

echo "== install $version"
apt_install "$deb_a"
[ "$(installed_version)" = "$version" ] || fail "installed $(installed_version), not $version"
for bin in /usr/bin/chairwatchd /usr/bin/chairwatch; do
    expect "$bin" root:root 755
    readelf -S "$bin" >"$work/sections"
    grep -q '\.debug_info' "$work/sections" && fail "$bin is not stripped"
    id=$(readelf -n "$bin" | sed -n 's/.*Build ID: //p')
    grep -q "/${id:0:2}/${id:2}.debug$" "$work/dbgsym.list" ||
        fail "no debug symbols for $bin (build id $id) in the -dbgsym package"
done
expect /etc/chairwatch/chairwatch.yaml root:root 644
dpkg-query -W -f='${Conffiles}' chairwatch | grep -q ' /etc/chairwatch/chairwatch.yaml ' ||
    fail "chairwatch.yaml is not a conffile"
expect /etc/chairwatch/station.token root:chairwatch 640
expect /etc/chairwatch/users root:chairwatch 640
[ "$(wc -l </etc/chairwatch/station.token)" = 1 ] && [ "$(wc -c </etc/chairwatch/station.token)" -gt 16 ] ||
    fail "the station token is not one line of at least 16 characters"
token=$(cat /etc/chairwatch/station.token)
expect /var/lib/chairwatch chairwatch:chairwatch 750
[ "$(getent passwd chairwatch | cut -d: -f6)" = /var/lib/chairwatch ] || fail "chairwatch's home"
unit=/lib/systemd/system/chairwatchd.service
expect "$unit" root:root 644
expect /usr/lib/sysusers.d/chairwatch.conf root:root 644
for f in README.md README.Debian copyright changelog.gz docs/operations.md examples/mosquitto/acl \
    examples/mosquitto/chairwatch.conf; do
    expect "/usr/share/doc/chairwatch/$f" root:root 644
done
doc=$(sed -n 's|^Documentation=file://||p' "$unit")
[ -f "$doc" ] || fail "the unit's Documentation= ($doc) is not installed"
[ -L /etc/systemd/system/multi-user.target.wants/chairwatchd.service ] || fail "the unit is not enabled"
systemd-analyze verify "$unit"
runuser -u chairwatch -- chairwatchd --config /etc/chairwatch/chairwatch.yaml --check-config
grep -q '^  token_file: /etc/chairwatch/station.token' /etc/chairwatch/chairwatch.yaml ||
    fail "the packaged configuration does not name the station token"

echo "== edit the configuration, upgrade to $newer"
sed -i 's/^  level: info$/  level: debug   # edited by package-test/' /etc/chairwatch/chairwatch.yaml
grep -q 'edited by package-test' /etc/chairwatch/chairwatch.yaml || fail "could not edit the configuration"
mkdir -p /var/lib/chairwatch/sessions/chair-01
echo '{"type":"session_start"}' >/var/lib/chairwatch/sessions/chair-01/package-test.jsonl
apt_install "$deb_b"
[ "$(installed_version)" = "$newer" ] || fail "installed $(installed_version) after the upgrade"
grep -q 'edited by package-test' /etc/chairwatch/chairwatch.yaml || fail "the upgrade lost the edit"
[ "$(cat /etc/chairwatch/station.token)" = "$token" ] || fail "the upgrade changed the token"
runuser -u chairwatch -- chairwatchd --config /etc/chairwatch/chairwatch.yaml --check-config

echo "== remove"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq chairwatch >/dev/null
[ -e /usr/bin/chairwatchd ] && fail "remove left /usr/bin/chairwatchd"
[ -f /etc/chairwatch/chairwatch.yaml ] && [ -f /etc/chairwatch/station.token ] ||
    fail "remove deleted the configuration"
[ -f /var/lib/chairwatch/sessions/chair-01/package-test.jsonl ] || fail "remove deleted a session log"

echo "== purge"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq chairwatch >/dev/null
dpkg-query -W -f='${Status}' chairwatch 2>/dev/null | grep -q 'install ok' && fail "still installed"
[ -e /etc/chairwatch/chairwatch.yaml ] && fail "purge left the configuration"
[ -e /etc/chairwatch/station.token ] && fail "purge left the station token"
[ -e /etc/chairwatch/users ] && fail "purge left the users file"
[ -e /etc/systemd/system/multi-user.target.wants/chairwatchd.service ] && fail "purge left the unit enabled"
[ -f /var/lib/chairwatch/sessions/chair-01/package-test.jsonl ] || fail "purge deleted a session log"
getent passwd chairwatch >/dev/null || fail "purge removed the chairwatch user, who owns the records"
echo "package-test: OK ($(basename "$deb_a"), $(stat -c %s "$deb_a") bytes)"
