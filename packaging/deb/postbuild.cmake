# CPack runs this after building the packages. CMake 3.25's -dbgsym package lists its files
# in md5sums under the staging path, and has no doc directory: rebuild it with md5sums
# relative to its root and /usr/share/doc/chairwatch-dbgsym -> chairwatch, as Debian's own
# dbgsym packages have (it depends on chairwatch of the same version).
foreach(ddeb IN LISTS CPACK_PACKAGE_FILES)
    if(NOT ddeb MATCHES "-dbgsym_.*\\.ddeb$")
        continue()
    endif()
    set(tree "${ddeb}.tree")
    file(REMOVE_RECURSE "${tree}")
    execute_process(COMMAND dpkg-deb -R "${ddeb}" "${tree}" COMMAND_ERROR_IS_FATAL ANY)
    file(MAKE_DIRECTORY "${tree}/usr/share/doc")
    file(CREATE_LINK chairwatch "${tree}/usr/share/doc/chairwatch-dbgsym" SYMBOLIC)
    file(GLOB_RECURSE debug_files RELATIVE "${tree}" "${tree}/usr/lib/debug/*")
    execute_process(COMMAND md5sum ${debug_files} WORKING_DIRECTORY "${tree}"
                    OUTPUT_FILE "${tree}/DEBIAN/md5sums" COMMAND_ERROR_IS_FATAL ANY)
    foreach(f IN LISTS debug_files)
        file(CHMOD "${tree}/${f}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    endforeach()
    execute_process(COMMAND dpkg-deb --root-owner-group -Zxz -z3 -b "${tree}" "${ddeb}"
                    OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
    file(REMOVE_RECURSE "${tree}")
endforeach()
