#include <doctest/doctest.h>
#include <sys/stat.h>

#include <csignal>
#include <regex>
#include <sstream>

#include "harness.hpp"

using namespace chairwatch::it;

TEST_CASE("--help, --version, and argument errors") {
    std::string out;
    CHECK(run({CHAIRWATCHD_BIN, "--help"}, out) == 0);
    CHECK(out.find("--check-config") != std::string::npos);
    CHECK(out.find("without --config: /etc/chairwatch/chairwatch.yaml") != std::string::npos);
    for (const char* bin : {CHAIRWATCHD_BIN, CHAIRWATCH_BIN}) {
        CHECK(run({bin, "--version"}, out) == 0);
        INFO(out);
        CHECK(std::regex_search(
            out, std::regex("^chairwatchd? [0-9]+\\.[0-9]+\\.[0-9]+\n"
                            "git revision [0-9a-z.-]+, built [0-9]{4}-[0-9]{2}-[0-9]{2}\n$")));
    }
    CHECK(run({CHAIRWATCHD_BIN, "--config", "/nonexistent/c.yaml", "--check-config"}, out) == 2);
    CHECK(out.find("/nonexistent/c.yaml:1:1: cannot open /nonexistent/c.yaml: No such file or "
                   "directory") != std::string::npos);
    CHECK(run({CHAIRWATCHD_BIN, "--config", "x", "--bogus"}, out) == 2);
    CHECK(out == "chairwatchd: unknown option '--bogus' (see chairwatchd --help)\n");
    CHECK(run({CHAIRWATCH_BIN, "--help"}, out) == 0);
    CHECK(out.find("simulate") != std::string::npos);
    CHECK(run({CHAIRWATCH_BIN, "frobnicate"}, out) == 2);
    CHECK(out == "chairwatch: unknown subcommand 'frobnicate' (see chairwatch --help)\n");
    CHECK(run({CHAIRWATCH_BIN}, out) == 2);
    // An empty value stays empty: --check-config is not taken as the queue directory.
    CHECK(run({CHAIRWATCHD_BIN, "--config=" CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml",
               "--queue-dir=", "--check-config"},
              out, 10s) == 0);
    CHECK(out.find("configuration is valid") != std::string::npos);
}

TEST_CASE("one wording for usage errors in every subcommand, exit code 2; --opt=value works") {
    std::string out;
    for (const char* sub : {"simulate", "alerts", "report", "replay", "tune", "notify-test"}) {
        CAPTURE(sub);
        const std::string name = std::string("chairwatch ") + sub;
        CHECK(run({CHAIRWATCH_BIN, sub, "--help"}, out) == 0);
        CHECK(out.find("Usage: " + name) != std::string::npos);
        CHECK(run({CHAIRWATCH_BIN, sub, "--bogus"}, out) == 2);
        CHECK(out == name + ": unknown option '--bogus' (see " + name + " --help)\n");
    }
    CHECK(run({CHAIRWATCH_BIN, "replay", "x.csv", "--config"}, out) == 2);
    CHECK(out == "chairwatch replay: missing value for --config (see chairwatch replay --help)\n");
    CHECK(run({CHAIRWATCH_BIN, "simulate", "--broker=tcp://127.0.0.1:1", "--chairs=lots", "--speed",
               "1"},
              out) == 2);
    CHECK(out.find("chairwatch simulate: bad value for --chairs: value lots") == 0);
    CHECK(run({CHAIRWATCH_BIN, "report", "--format=pdf", "x.jsonl"}, out) == 2);
    CHECK(out.find(
              "chairwatch report: bad value for --format: pdf not in {html,json,fhir,csv,hl7}") ==
          0);
    CHECK(run({CHAIRWATCH_BIN, "alerts", "--prefix", "p"}, out) == 2);
    CHECK(out == "chairwatch alerts: missing option --broker (see chairwatch alerts --help)\n");
    CHECK(run({CHAIRWATCH_BIN, "report", "/nonexistent/s.jsonl"}, out) == 1);
    CHECK(out ==
          "chairwatch report: cannot open /nonexistent/s.jsonl: No such file or directory\n");
    CHECK(run({CHAIRWATCH_BIN, "tune", "--config=/nonexistent/c.yaml", "r.csv"}, out) == 2);
    CHECK(out == "chairwatch tune: cannot open /nonexistent/c.yaml: No such file or directory\n");

    // --opt=value and --opt value alike; --set takes one value per use, not the recordings.
    const auto dir = temp_dir("cli-eq");
    write_file(dir + "/r.csv", "t_s,signal,value,unit\n0,hr,80,bpm\n60,hr,80,bpm\n");
    const std::string config = CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml";
    std::string spaced;
    CHECK(run({CHAIRWATCH_BIN, "replay", "--config", config, "--format", "jsonl", dir + "/r.csv"},
              spaced) == 0);
    CHECK(run({CHAIRWATCH_BIN, "replay", "--config=" + config, "--format=jsonl", dir + "/r.csv"},
              out) == 0);
    CHECK(out == spaced);
    CHECK(out.find("\"recording\":") != std::string::npos);
    CHECK(run({CHAIRWATCH_BIN, "tune", "--set", "log.level=debug", dir + "/r.csv",
               "--set=log.level=info", "--config", config, "--format=json"},
              out) == 0);
    CHECK(out.find("\"session_hours\"") != std::string::npos);
}

TEST_CASE("under systemd (JOURNAL_STREAM names stderr) lines carry syslog priorities, no time") {
    const auto dir = temp_dir("journal");
    const auto config = dir + "/c.yaml";
    write_file(config,
               shipped_config({{"  uri: tcp://127.0.0.1:1883 ",
                                "  uri: tcp://127.0.0.1:" + std::to_string(free_port()) + " "}}));
    // An empty queue dir: the start warns that alerts are kept in memory only.
    auto output_of = [&](const std::string& name, bool stream_is_stderr) {
        const auto out = dir + "/" + name;
        write_file(out, "");
        struct stat st {};
        REQUIRE(::stat(out.c_str(), &st) == 0);
        const auto stream = stream_is_stderr
                                ? std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)
                                : std::string("0:0");
        Process daemon(
            {"/usr/bin/env", "JOURNAL_STREAM=" + stream, CHAIRWATCHD_BIN, "--config", config,
             "--log-dir", dir + "/logs", "--queue-dir=", "--http", "127.0.0.1:0"},
            out);
        CHECK(
            eventually([&] { return daemon.output().find("cannot reach") != std::string::npos; }));
        daemon.signal(SIGTERM);
        CHECK(daemon.wait(10s) == 0);
        return daemon.output();
    };
    const auto journal = output_of("journal.txt", true);
    INFO(journal);
    CHECK(journal.find("\n<4>alerts waiting for the broker are kept in memory only") !=
          std::string::npos);
    CHECK(journal.find("\n<3>cannot reach broker") != std::string::npos);
    CHECK(journal.rfind("<6>chairwatchd ", 0) == 0);
    std::istringstream lines(journal);
    for (std::string line; std::getline(lines, line);)
        CHECK(std::regex_search(line, std::regex("^<[0-7]>[a-zA-Z]")));

    const auto plain = output_of("plain.txt", false);
    INFO(plain);
    CHECK(std::regex_search(plain, std::regex("\n[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ warning "
                                              "alerts waiting for the broker are kept in memory")));
    CHECK(plain.find("<4>") == std::string::npos);
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
