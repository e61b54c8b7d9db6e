// node, Debian's chromium and playwright-core for the browser tests (board_browser, board_wall,
// group_board_browser): found, or the test fails saying which is missing.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <initializer_list>
#include <string>

namespace chairwatch::it {

inline std::string find_program(std::initializer_list<const char*> candidates) {
    for (const char* p : candidates)
        if (std::filesystem::exists(p)) return p;
    return "";
}

struct BrowserTools {
    std::string node;
    std::string chromium;
};

inline BrowserTools browser_tools() {
    BrowserTools t{find_program({"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"}),
                   find_program({"/usr/bin/chromium", "/usr/bin/chromium-browser"})};
    REQUIRE_MESSAGE(!t.node.empty(), "node is not installed");
    REQUIRE_MESSAGE(!t.chromium.empty(), "chromium is not installed (scripts/install-deps.sh)");
    REQUIRE_MESSAGE(
        std::filesystem::exists(BOARD_TEST_DIR "/node_modules/playwright-core"),
        "playwright-core is missing: run `npm ci` in tests/board (scripts/test.sh does)");
    return t;
}

}  // namespace chairwatch::it
