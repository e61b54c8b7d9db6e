# Each generated man page renders without a warning, checked the way lintian does
# (`man --warnings -E UTF-8 -l -Tutf8 -Z`). Run as: cmake -DMAN=man -DDIR=<man dir> -P this
foreach(page chairwatch.1 chairwatch.yaml.5 chairwatchd.8)
    if(NOT EXISTS ${DIR}/${page}.gz)
        message(FATAL_ERROR "${DIR}/${page}.gz is missing: build the `man` target")
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C.UTF-8 MANROFFSEQ= MANWIDTH=80
            ${MAN} --warnings -E UTF-8 -l -Tutf8 -Z ${DIR}/${page}.gz
        OUTPUT_QUIET ERROR_VARIABLE warnings RESULT_VARIABLE failed)
    if(failed OR NOT warnings STREQUAL "")
        message(FATAL_ERROR "${page}: man reports (exit ${failed}):\n${warnings}")
    endif()
    message(STATUS "${page}: renders without warnings")
endforeach()
