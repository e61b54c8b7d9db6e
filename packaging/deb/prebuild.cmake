# CPack runs this in the staging tree after the install rules and before building the .deb:
# what only the Debian package has. The docs and man pages are under /usr (DOCDIR and MANDIR
# are relative to the prefix); the configuration is under /etc.
set(root "${CPACK_TEMPORARY_DIRECTORY}")
set(doc "${root}/usr/${CPACK_CHAIRWATCH_DOCDIR}")
set(deb "${CPACK_CHAIRWATCH_DEB_DIR}")
set(mode OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# file(COPY), not file(INSTALL): cpack has set DESTDIR.
file(COPY "${deb}/copyright" "${deb}/README.Debian" DESTINATION "${doc}" FILE_PERMISSIONS ${mode})
# Debian wants the changelog and man pages compressed with gzip -9n (no name, no timestamp).
execute_process(COMMAND gzip -9nc "${deb}/changelog" OUTPUT_FILE "${doc}/changelog.gz"
                COMMAND_ERROR_IS_FATAL ANY)
file(CHMOD "${doc}/changelog.gz" PERMISSIONS ${mode})
file(GLOB_RECURSE pages "${root}/usr/${CPACK_CHAIRWATCH_MANDIR}/*")
list(FILTER pages EXCLUDE REGEX "\\.gz$")
foreach(page IN LISTS pages)
    execute_process(COMMAND gzip -9nf "${page}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()

# The packaged configuration names the station token that the postinst creates
# (README.Debian); the source tree's file leaves it commented out for tests and the demo.
set(yaml "${root}/etc/chairwatch/chairwatch.yaml")
file(READ "${yaml}" text)
set(commented "# http:\n#   address: 127.0.0.1")
set(token_line "#   token_file: /etc/chairwatch/station.token\n")
string(FIND "${text}" "${commented}" at_http)
string(FIND "${text}" "${token_line}" at_token)
if(at_http EQUAL -1 OR at_token EQUAL -1)
    message(FATAL_ERROR "${yaml}: the commented http: section changed; update ${CMAKE_CURRENT_LIST_FILE}")
endif()
string(REPLACE "${commented}" "http:\n#   address: 127.0.0.1" text "${text}")
string(REPLACE "${token_line}"
       "  token_file: /etc/chairwatch/station.token   # made by the package at install\n"
       text "${text}")
file(WRITE "${yaml}" "${text}")
