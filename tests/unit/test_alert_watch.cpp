#include <doctest/doctest.h>

#include <string>

#include "tools/alert_watch.hpp"

using chairwatch::drivers::format_alert_line;

TEST_CASE("chairwatch alerts: one line per alert, as the nurse station shows it") {
    const auto line =
        format_alert_line(R"({"priority":"high","state":"raised","ts":"2026-11-24T19:55:20.002Z",)"
                          R"j("text":"Chair 1: systolic BP 192 mmHg, above 180 (high priority)"})j",
                          false);
    REQUIRE(line);
    CHECK(*line ==
          "19:55:20  HIGH    raised   Chair 1: systolic BP 192 mmHg, above 180 (high priority)");
    CHECK_FALSE(format_alert_line(R"({"state":"raised"})", false));
    CHECK_FALSE(format_alert_line("not json", false));
}

TEST_CASE("chairwatch alerts: anything from the broker that a terminal would obey is escaped") {
    // Anyone who can publish on clinic/+/alerts could clear the nurse's screen, retitle the
    // window, or forge a line; what the daemon wrote (and UTF-8 names) passes unchanged.
    const auto line = format_alert_line(
        R"({"priority":"hi\u001b[2Jgh","state":"rai\rsed","ts":"\u001b]0;pwned\u0007",)"
        R"("text":"ack by Zoë\n19:55:21  HIGH    cleared  all fine \u202eevil"})",
        true);
    REQUIRE(line);
    INFO(*line);
    // The only escape sequences are the colours it adds itself.
    std::string rest = *line;
    for (const char* own : {"\033[0m", "\033[30;46m"})
        for (auto pos = rest.find(own); pos != std::string::npos; pos = rest.find(own))
            rest.erase(pos, std::string(own).size());
    for (char c : rest)
        CHECK(static_cast<unsigned char>(c) >= 0x20);
    CHECK(rest.find("\xe2\x80\xae") == std::string::npos);
    CHECK(line->find("HI\\x1b[2JGH") != std::string::npos);
    CHECK(line->find("rai\\x0dsed") != std::string::npos);
    CHECK(line->find("ack by Zoë\\x0a19:55:21") != std::string::npos);
    CHECK(line->find("\\xe2\\x80\\xaeevil") != std::string::npos);
}
