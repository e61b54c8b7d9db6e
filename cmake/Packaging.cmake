# The Debian package: `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr
# (scripts/package.sh does both) writes chairwatch_<version>_<arch>.deb and, when the build
# has debug information, chairwatch-dbgsym_<version>_<arch>.ddeb. The install rules are the
# same as `cmake --install`; packaging/deb/prebuild.cmake then adds what only the package has
# (copyright, changelog, README.Debian, the station token setting) and compresses man pages.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chairwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "chairwatch developers <dev@chairwatch.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "vital-sign alarm monitor for ketamine-infusion clinics")
set(CPACK_PACKAGE_DESCRIPTION
    "chairwatchd watches the vital signs of patients in infusion chairs during
ketamine and esketamine sessions. It subscribes to the monitors' MQTT feeds,
applies the clinic's alarm rules, publishes alerts on MQTT, serves a
nurse-station board and writes a log and a report of every session. It is a
secondary alarm system: the bedside monitor remains the primary alarm.

The chairwatch command simulates a clinic, prints alerts, replays recordings
through the rules and renders session reports.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared-library dependencies come from dpkg-shlibdeps; adduser is what the postinst falls
# back to without systemd-sysusers.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto-clients")

# Absolute destinations (/etc, /lib/systemd) must land in the staging tree, never on this host.
set(CPACK_SET_DESTDIR ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Stripped binaries; when the build has debug information, it goes into the -dbgsym package,
# as Debian does (CPackDeb splits it off and strips the binaries itself).
if(CMAKE_BUILD_TYPE MATCHES "^(RelWithDebInfo|Debug)$" OR CMAKE_CXX_FLAGS MATCHES "(^| )-g( |$)")
    set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
else()
    set(CPACK_STRIP_FILES ON)
endif()

set(chairwatch_deb_dir ${PROJECT_SOURCE_DIR}/packaging/deb)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${chairwatch_deb_dir}/conffiles ${chairwatch_deb_dir}/postinst
    ${chairwatch_deb_dir}/prerm ${chairwatch_deb_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PRE_BUILD_SCRIPTS ${chairwatch_deb_dir}/prebuild.cmake)
set(CPACK_POST_BUILD_SCRIPTS ${chairwatch_deb_dir}/postbuild.cmake)
# For prebuild.cmake: CPack passes on only CPACK_* variables.
set(CPACK_CHAIRWATCH_DEB_DIR ${chairwatch_deb_dir})
set(CPACK_CHAIRWATCH_DOCDIR ${CMAKE_INSTALL_DOCDIR})
set(CPACK_CHAIRWATCH_MANDIR ${CMAKE_INSTALL_MANDIR})

include(CPack)
