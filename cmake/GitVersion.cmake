# Writes OUT from IN with the git revision and the build date, run at every build by the
# chairwatch_version_info target; the file only changes (and only it is recompiled, and the two
# binaries relinked) when the revision or the date changes. The date honours SOURCE_DATE_EPOCH
# (reproducible builds, Debian) and has no time of day, so that rebuilds within a day are no-ops.
# Run as: cmake -DSRC=<source dir> -DIN=<template> -DOUT=<file> -DVERSION=<x.y.z> -P GitVersion.cmake
set(CHAIRWATCH_GIT_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SRC}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" describe --always --dirty --abbrev=12
        OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE failed ERROR_QUIET)
    if(NOT failed AND rev)
        set(CHAIRWATCH_GIT_REVISION "${rev}")
    endif()
endif()
string(TIMESTAMP CHAIRWATCH_BUILD_DATE "%Y-%m-%d" UTC)
set(CHAIRWATCH_VERSION "${VERSION}")
configure_file("${IN}" "${OUT}" @ONLY)
