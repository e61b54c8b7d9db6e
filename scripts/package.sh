#!/usr/bin/env bash
# Builds the Debian package: build-deb/chairwatch_<version>_<arch>.deb and its debug symbols,
# build-deb/chairwatch-dbgsym_<version>_<arch>.ddeb. A Release build (-O3) with Debian's
# hardening flags and debug information (split off into the -dbgsym package), no tests.
# Arguments go to cmake's configure step (e.g. -DCHAIRWATCH_WERROR=ON).
# Environment: BUILD_DIR (default build-deb).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=${BUILD_DIR:-build-deb}

# dpkg-buildflags: -g, -fstack-protector-strong, _FORTIFY_SOURCE, relro and bindnow, as
# Debian builds its own packages.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CXXFLAGS LDFLAGS

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCHAIRWATCH_BUILD_TESTS=OFF "$@"
cmake --build "$build" -j "$(nproc)"
(cd "$build" && cpack -G DEB)
ls -l "$build"/chairwatch_*.deb "$build"/chairwatch-dbgsym_*.ddeb
