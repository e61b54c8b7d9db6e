# Warnings as an INTERFACE target; -Werror with CHAIRWATCH_WERROR (CI and developers).
add_library(chairwatch_warnings INTERFACE)
target_compile_options(chairwatch_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wmisleading-indentation)
if(CHAIRWATCH_WERROR)
    target_compile_options(chairwatch_warnings INTERFACE -Werror)
endif()
