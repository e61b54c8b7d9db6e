# The architecture, kept true: which folders each folder's sources may include (docs/architecture.md).
#   alerts                          pure core: nothing of ours but itself, no I/O, no clock
#   accounts                        the users file and password hashes: nothing of ours
#   config, drivers/*               -> alerts (and drivers/codec for the other driver folders);
#                                      config also -> accounts (it checks the users file)
#   drivers/notify                  -> alerts, drivers/codec (the notification transports)
#   report                          -> alerts, drivers/codec, drivers/session_log
#   board                           -> alerts, accounts, config, drivers/codec, report
#   cli                             the command-line conventions: nothing of ours but itself
#   daemon                          -> everything but tools
#   tools                           -> everything but daemon and board
# Run as: cmake -DROOT=<source dir> -P check_layers.cmake
set(allowed_alerts alerts)
set(allowed_accounts accounts)
set(allowed_cli cli)
set(allowed_config alerts accounts config)
set(allowed_drivers/codec alerts drivers/codec)
set(allowed_drivers/mqtt alerts drivers/mqtt)
set(allowed_drivers/session_log alerts drivers/codec drivers/session_log)
set(allowed_drivers/recording alerts drivers/codec drivers/session_log drivers/recording)
set(allowed_drivers/notify alerts drivers/codec drivers/notify)
set(allowed_report alerts drivers/codec drivers/session_log report)
set(allowed_board alerts accounts config drivers/codec report board)
set(allowed_daemon alerts accounts config drivers/codec drivers/mqtt drivers/session_log drivers/recording
    drivers/notify report board daemon cli)
set(allowed_tools alerts accounts config drivers/codec drivers/mqtt drivers/session_log drivers/recording
    drivers/notify report tools cli)
set(folders alerts accounts cli config drivers/codec drivers/mqtt drivers/session_log drivers/recording
    drivers/notify report board daemon tools)

set(bad "")
set(checked 0)
foreach(folder ${folders})
    file(GLOB_RECURSE sources ${ROOT}/${folder}/*.hpp ${ROOT}/${folder}/*.cpp)
    foreach(f ${sources})
        math(EXPR checked "${checked} + 1")
        file(STRINGS ${f} includes REGEX "^#include *\"")
        foreach(line ${includes})
            string(REGEX REPLACE "^#include *\"([^\"]+)\".*" "\\1" path "${line}")
            string(REGEX MATCH "^[^/]+" top "${path}")
            set(layer "${top}")
            if(top STREQUAL "drivers")
                string(REGEX MATCH "^drivers/[^/]+" layer "${path}")
            endif()
            if(NOT EXISTS ${ROOT}/${layer})
                continue()  # not a folder of ours ("profile_builder.hpp" and the like)
            endif()
            list(FIND allowed_${folder} ${layer} found)
            if(found EQUAL -1)
                list(APPEND bad "${f}: ${folder}/ may not include ${path}")
            endif()
        endforeach()
    endforeach()
endforeach()

# The core also stays free of I/O, threads and clocks.
file(GLOB_RECURSE core ${ROOT}/alerts/*.hpp ${ROOT}/alerts/*.cpp)
foreach(f ${core})
    file(STRINGS ${f} lines REGEX
        "#include *<(boost|mqtt|spdlog|yaml-cpp|thread|mutex|fstream|iostream)|::now\\(")
    foreach(l ${lines})
        list(APPEND bad "${f}: alerts/ must stay pure: ${l}")
    endforeach()
endforeach()
# The codecs are pure too: Boost.JSON and the standard library only.
file(GLOB_RECURSE codec ${ROOT}/drivers/codec/*.hpp ${ROOT}/drivers/codec/*.cpp)
foreach(f ${codec})
    file(STRINGS ${f} lines REGEX
        "#include *<(mqtt|spdlog|yaml-cpp|thread|mutex|fstream|iostream|boost/asio)|::now\\(")
    foreach(l ${lines})
        list(APPEND bad "${f}: drivers/codec/ must stay pure: ${l}")
    endforeach()
endforeach()

# The notifier's decisions are pure too (time is an argument): routing, grouping, retries,
# failure tracking and the outbox record; its I/O is in daemon/sinks/notifier.cpp.
foreach(name router grouper receiver_health outbox_record)
    foreach(ext hpp cpp)
        file(STRINGS ${ROOT}/daemon/notify/${name}.${ext} lines REGEX
            "#include *<(boost/asio|mqtt|spdlog|yaml-cpp|thread|mutex|fstream|iostream)|::now\\(")
        foreach(l ${lines})
            list(APPEND bad "daemon/notify/${name}.${ext} must stay pure: ${l}")
        endforeach()
    endforeach()
endforeach()

if(bad)
    list(JOIN bad "\n" msg)
    message(FATAL_ERROR "include directions broken:\n${msg}")
endif()
message(STATUS "${checked} files checked: every include goes the way docs/architecture.md shows")
