#include <doctest/doctest.h>

#include "harness.hpp"

using namespace chairwatch::it;

TEST_CASE("--help, --version, and argument errors") {
    std::string out;
    CHECK(run({CHAIRWATCHD_BIN, "--help"}, out) == 0);
    CHECK(out.find("--check-config") != std::string::npos);
    CHECK(run({CHAIRWATCHD_BIN, "--version"}, out) == 0);
    CHECK(out.find("chairwatchd ") == 0);
    CHECK(run({CHAIRWATCHD_BIN}, out) == 2);
    CHECK(out.find("--config FILE is required") != std::string::npos);
    CHECK(run({CHAIRWATCHD_BIN, "--config", "x", "--bogus"}, out) == 2);
    CHECK(run({CHAIRWATCH_BIN, "--help"}, out) == 0);
    CHECK(out.find("simulate") != std::string::npos);
    CHECK(run({CHAIRWATCH_BIN, "frobnicate"}, out) == 2);
}

TEST_CASE("--check-config: 0 for the shipped file, 2 with FILE:LINE:COLUMN for each problem") {
    std::string out;
    CHECK(run({CHAIRWATCHD_BIN, "--config", CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml",
               "--check-config"},
              out) == 0);
    const auto dir = temp_dir("cli");
    const auto bad = dir + "/bad.yaml";
    write_file(bad, shipped_config(
                        {{"at_or_above: 160, priority: low", "at_or_above: 160, priority: urgent"},
                         {"  qos: 1 ", "  qos: 7 "},
                         {"max_chairs: 256", "max_chairs: lots"}}));
    CHECK(run({CHAIRWATCHD_BIN, "--config", bad, "--check-config"}, out) == 2);
    CHECK(out.find(bad + ":9:8: broker.qos: 7 is out of range [0, 2]") != std::string::npos);
    CHECK(out.find(bad + ":20:15: input.max_chairs: expected a whole number, got 'lots'") !=
          std::string::npos);
    CHECK(out.find("'urgent' is not one of low, medium, high") != std::string::npos);
    // The daemon refuses to start on the same file, with the same messages.
    CHECK(run({CHAIRWATCHD_BIN, "--config", bad}, out) == 2);
    CHECK(out.find("is out of range") != std::string::npos);
    // A missing broker URI can be supplied on the command line.
    const auto nouri = dir + "/nouri.yaml";
    write_file(nouri, shipped_config({{"  uri: tcp://127.0.0.1:1883 ", "  # no uri "}}));
    CHECK(run({CHAIRWATCHD_BIN, "--config", nouri, "--check-config"}, out) == 2);
    CHECK(out.find("broker.uri: missing") != std::string::npos);
    CHECK(
        run({CHAIRWATCHD_BIN, "--config", nouri, "--broker", "tcp://127.0.0.1:1", "--check-config"},
            out) == 0);
}

TEST_CASE("chairwatch alerts shows what anyone published on its topics, escaped") {
    Broker broker;
    Client prankster(broker.uri());
    // Retained, so that `chairwatch alerts` gets them as it subscribes.
    prankster.publish("clinic/chairwatchd/status", "\x1b[2J\x1b]0;owned\x07gone", 1, true);
    prankster.publish("clinic/chair-09/alerts",
                      R"({"priority":"high","state":"raised","ts":"2026-11-24T19:55:20Z",)"
                      R"("text":"Chair 9: fine\u001b[2J\n19:55:21  LOW  cleared  all clear"})",
                      1, true);
    std::string out;
    CHECK(
        run({CHAIRWATCH_BIN, "alerts", "--broker", broker.uri(), "--duration", "1.5", "--no-color"},
            out) == 0);
    INFO(out);
    CHECK(out.find("--- chairwatchd is \\x1b[2J\\x1b]0;owned\\x07gone (retained)") !=
          std::string::npos);
    CHECK(out.find("Chair 9: fine\\x1b[2J\\x0a19:55:21  LOW") != std::string::npos);
    for (char c : out)
        CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
}
