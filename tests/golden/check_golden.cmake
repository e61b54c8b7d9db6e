# Replays a recording and compares the output with its golden file, byte for byte.
# -DBIN=chairwatch -DSRC=<project dir> -DRECORDING=<path from SRC> -DGOLDEN=... -DFORMAT=table|jsonl
# Runs from the project directory with relative paths, as scripts/update-golden.sh does.
execute_process(
    COMMAND ${BIN} replay --config config/chairwatch.yaml --format ${FORMAT} --sample-hold 120 ${RECORDING}
    WORKING_DIRECTORY ${SRC}
    OUTPUT_VARIABLE actual RESULT_VARIABLE code)
if(NOT code EQUAL 0)
    message(FATAL_ERROR "chairwatch replay exited with ${code}")
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
    file(WRITE ${GOLDEN}.actual "${actual}")
    message(FATAL_ERROR "replay of ${RECORDING} differs from ${GOLDEN}\n"
        "see: diff ${GOLDEN} ${GOLDEN}.actual\n"
        "if the change is intended, regenerate with scripts/update-golden.sh and review the diff")
endif()
