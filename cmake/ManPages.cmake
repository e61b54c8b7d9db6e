# Man pages, built from what they describe so that they cannot drift (docs/operations.md):
#   chairwatchd(8), chairwatch(1)  help2man from the binaries' --help and --version; chairwatch(1)
#                                  also has each subcommand's --help (scripts/subcommands2man.py)
#   chairwatch.yaml(5)             docs/configuration.md through scripts/md2man.py
# Part of ALL when help2man and python3 are found; installed gzipped to share/man/man{1,5,8}.
find_program(HELP2MAN help2man)
find_package(Python3 COMPONENTS Interpreter)
if(NOT HELP2MAN OR NOT Python3_Interpreter_FOUND)
    message(STATUS "help2man or python3 not found: no man pages")
    return()
endif()

set(man_dir ${PROJECT_BINARY_DIR}/man)
file(MAKE_DIRECTORY ${man_dir})
set(help2man ${HELP2MAN} --no-info --no-discard-stderr)
add_custom_command(OUTPUT ${man_dir}/chairwatchd.8
    COMMAND ${help2man} --section 8 --name "monitor vital signs of infusion chairs and raise alarms"
        --include ${PROJECT_SOURCE_DIR}/cmake/chairwatchd.h2m
        --output ${man_dir}/chairwatchd.8 $<TARGET_FILE:chairwatchd>
    DEPENDS chairwatchd ${PROJECT_SOURCE_DIR}/cmake/chairwatchd.h2m
    COMMENT "Generating chairwatchd(8)" VERBATIM)
add_custom_command(OUTPUT ${man_dir}/chairwatch.1
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/subcommands2man.py
        $<TARGET_FILE:chairwatch> ${man_dir}/subcommands.h2m
    COMMAND ${help2man} --section 1 --name "vital-sign alarm monitor tools"
        --include ${man_dir}/subcommands.h2m --include ${PROJECT_SOURCE_DIR}/cmake/chairwatch.h2m
        --output ${man_dir}/chairwatch.1 $<TARGET_FILE:chairwatch>
    DEPENDS chairwatch ${PROJECT_SOURCE_DIR}/scripts/subcommands2man.py
        ${PROJECT_SOURCE_DIR}/cmake/chairwatch.h2m
    COMMENT "Generating chairwatch(1)" VERBATIM)
add_custom_command(OUTPUT ${man_dir}/chairwatch.yaml.5
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/md2man.py
        ${PROJECT_SOURCE_DIR}/docs/configuration.md ${man_dir}/chairwatch.yaml.5
        --name chairwatch.yaml --section 5 --summary "configuration file of chairwatchd"
        --version ${PROJECT_VERSION} --see-also "chairwatchd(8)" "chairwatch(1)"
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/configuration.md ${PROJECT_SOURCE_DIR}/scripts/md2man.py
    COMMENT "Generating chairwatch.yaml(5)" VERBATIM)

set(pages chairwatch.1 chairwatch.yaml.5 chairwatchd.8)
set(compressed "")
foreach(page ${pages})
    add_custom_command(OUTPUT ${man_dir}/${page}.gz
        COMMAND gzip -9 -n -c ${man_dir}/${page} > ${man_dir}/${page}.gz
        DEPENDS ${man_dir}/${page} VERBATIM)
    list(APPEND compressed ${man_dir}/${page}.gz)
    string(REGEX MATCH "[0-9]$" section ${page})
    install(FILES ${man_dir}/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(man ALL DEPENDS ${compressed})
set(CHAIRWATCH_MAN_DIR ${man_dir})
