# CHAIRWATCH_SANITIZE=address,undefined builds every target with those sanitizers.
add_library(chairwatch_sanitizers INTERFACE)
if(CHAIRWATCH_SANITIZE)
    target_compile_options(chairwatch_sanitizers INTERFACE
        -fsanitize=${CHAIRWATCH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(chairwatch_sanitizers INTERFACE -fsanitize=${CHAIRWATCH_SANITIZE})
    # Tests that measure load or exhaust descriptors skip themselves (tests/sanitized.hpp).
    target_compile_definitions(chairwatch_sanitizers INTERFACE CHAIRWATCH_SANITIZED=1)
endif()
