# What `cmake --install` and the Debian package (cmake/Packaging.cmake) put in place, besides
# the binaries (daemon/, tools/). Configure with -DCMAKE_INSTALL_PREFIX=/usr for a system
# install: GNUInstallDirs then maps the configuration directory to /etc (not /usr/etc), where
# the unit looks for it.

install(FILES config/chairwatch.yaml DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/chairwatch)

# Debian 12 keeps the units of packages in /lib/systemd/system (the /usr merge moratorium).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(chairwatch_unit_dir /lib/systemd/system)
else()
    set(chairwatch_unit_dir ${CMAKE_INSTALL_LIBDIR}/systemd/system)
endif()
set(CHAIRWATCH_SYSTEMD_UNIT_DIR ${chairwatch_unit_dir} CACHE PATH "Where the systemd unit goes")
install(FILES systemd/chairwatchd.service DESTINATION ${CHAIRWATCH_SYSTEMD_UNIT_DIR})
# The group board's unit (not enabled) and an example of its file (docs/high-availability.md).
install(FILES systemd/chairwatch-group-board.service DESTINATION ${CHAIRWATCH_SYSTEMD_UNIT_DIR})
install(FILES config/group-board.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES systemd/chairwatch.sysusers DESTINATION lib/sysusers.d RENAME chairwatch.conf)

# The unit's Documentation= points at README.md; docs/ keeps README's relative links working.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB chairwatch_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${chairwatch_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# The recommended Mosquitto configuration and ACL, for the administrator to copy into
# /etc/mosquitto/ (docs/operations.md): not activated, since Mosquitto refuses to start with
# them before the password file and the certificates exist.
install(FILES config/mosquitto/chairwatch.conf config/mosquitto/acl
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/mosquitto)
