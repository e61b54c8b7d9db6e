// Session records end to end: nurse observations over MQTT into the session log (and never
// their text into the service log), and the session's ORU^R01 messages (IHE PCD-01) to an
// interface engine over MLLP at the session's end: the receiver (tests/records/hl7_check.py,
// python3-hl7) parses every message; a receiver down at first gets them on a retry.
#include <doctest/doctest.h>

#include <csignal>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace chairwatch::it;

namespace {

std::vector<boost::json::object> json_lines(const std::string& path) {
    std::vector<boost::json::object> out;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);) {
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (!ec && v.is_object()) out.push_back(v.as_object());
    }
    return out;
}

std::string str(const boost::json::object& o, const char* key) {
    const auto* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
}

}  // namespace

TEST_CASE("observations in the log; ORU^R01 to the interface engine at the end, after a retry") {
    const auto dir = temp_dir("records-hl7");
    const int port = free_port();
    const auto record = dir + "/received.jsonl";
    Broker broker;
    Daemon daemon(broker, shipped_config() + R"(
records:
  patient_identifier_system: urn:oid:1.2.3.4.5
  hl7_export: {host: 127.0.0.1, port: )" +
                              std::to_string(port) +
                              R"(, sending_facility: CLINIC, timeout_s: 2}
notifications:
  retry: {first_s: 1, max_s: 2}
)");
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/chair-06/session/result");
    station.publish("clinic/chair-06/session",
                    R"({"action":"start","session_id":"E-1","profile":"intranasal-esketamine",)"
                    R"("patient_ref":"PT-77"})");
    Client chair(broker.uri());
    chair.publish("clinic/chair-06/vitals/bp", R"({"sbp":128,"dbp":80,"map":96})");
    chair.publish("clinic/chair-06/vitals/hr", "71");
    chair.publish("clinic/chair-06/vitals/spo2", "98");
    station.publish("clinic/chair-06/session",
                    R"({"action":"observation","kind":"sedation","value":"present",)"
                    R"("text":"drowsy SECRET-CLINICAL-TEXT","by":"rn-4"})");
    station.publish("clinic/chair-06/session",
                    R"({"action":"observation","kind":"sedation","value":"asleep","by":"rn-4"})");
    auto refused = station.wait_for(
        [](const Message& m) { return m.payload.find("\"ok\":false") != std::string::npos; });
    REQUIRE(refused);
    CHECK(field(*refused, "action") == "?");  // as every message that cannot be decoded
    CHECK(field(*refused, "error") ==
          "sedation needs value none, present or resolved, not 'asleep'");
    chair.publish("clinic/chair-06/vitals/bp", R"({"sbp":131,"dbp":82})");
    station.publish("clinic/chair-06/session", R"({"action":"end"})");

    // The log has the observation; the service log has its kind, never its text.
    const auto log_path = daemon.log_dir() + "/chair-06/E-1.jsonl";
    REQUIRE(
        eventually([&] { return read_file(log_path).find("session_end") != std::string::npos; }));
    std::size_t observations = 0, readings = 0;
    std::set<std::string> times;  // one message per measurement time
    for (const auto& l : json_lines(log_path)) {
        if (str(l, "type") == "reading") {
            ++readings;
            times.insert(str(l, "ts"));
        }
        if (str(l, "type") != "observation") continue;
        ++observations;
        CHECK(str(l, "kind") == "sedation");
        CHECK(str(l, "value") == "present");
        CHECK(str(l, "text") == "drowsy SECRET-CLINICAL-TEXT");
        CHECK(str(l, "by") == "rn-4");
    }
    CHECK(observations == 1);
    CHECK(readings >= 7);
    CHECK(daemon.output().find("SECRET-CLINICAL-TEXT") == std::string::npos);
    CHECK(daemon.output().find("nurse observation (sedation)") != std::string::npos);

    // Nobody listens yet: the export fails and waits; then the engine comes up.
    REQUIRE(eventually(
        [&] { return daemon.output().find("records.hl7_export") != std::string::npos; }));
    CHECK(daemon.output().find("attempt 1") != std::string::npos);
    Process engine({CHAIRWATCH_TEST_PYTHON, CHAIRWATCH_SOURCE_DIR "/tests/records/hl7_check.py",
                    "serve", "--port", std::to_string(port), "--record", record},
                   dir + "/engine.log");
    REQUIRE_MESSAGE(eventually([&] { return accepts(port); }, 15s), engine.output());
    REQUIRE_MESSAGE(eventually([&] { return json_lines(record).size() >= times.size(); }, 15s),
                    daemon.output());
    REQUIRE(
        eventually([&] { return daemon.output().find("ORU^R01 delivered") != std::string::npos; }));
    const auto messages = json_lines(record);
    CHECK(messages.size() == times.size());
    std::size_t obx = 0;
    for (const auto& m : messages) {
        CAPTURE(boost::json::serialize(m));
        CHECK(m.at("problems").as_array().empty());
        CHECK(str(m, "type") == "ORU^R01^ORU_R01");
        CHECK(str(m, "patient") == "PT-77^^^urn:oid:1.2.3.4.5^PI");
        CHECK(str(m, "location") == "^^chair-06^CLINIC");
        CHECK(str(m, "visit") == "E-1");
        obx += m.at("obx").as_array().size();
    }
    CHECK(obx == readings);
    // The first measurement: the cuff's three values first (with the HR and SpO2 if they came
    // in the same millisecond).
    const auto& first = messages[0].at("obx").as_array();
    REQUIRE(first.size() >= 3);
    CHECK(first[0].at("signal") == "sbp");
    CHECK(first[0].at("value") == 128.0);
    CHECK(first[1].at("signal") == "dbp");
    CHECK(first[2].at("signal") == "map");
}

TEST_CASE("an export not yet acknowledged when the daemon stops is sent at the next start") {
    const auto dir = temp_dir("records-hl7-restart");
    const int port = free_port();
    const auto record = dir + "/received.jsonl";
    Broker broker;
    Daemon daemon(broker, shipped_config() + R"(
records:
  hl7_export: {host: 127.0.0.1, port: )" +
                              std::to_string(port) +
                              R"(, timeout_s: 2}
notifications:
  retry: {first_s: 30, max_s: 60}
)");
    daemon.start();
    Client chair(broker.uri());
    chair.publish("clinic/chair-02/session", R"({"action":"start","session_id":"R-1"})");
    chair.publish("clinic/chair-02/vitals/bp", R"({"sbp":120,"dbp":78})");
    chair.publish("clinic/chair-02/session", R"({"action":"end"})");
    REQUIRE(eventually([&] { return daemon.output().find("(attempt 1)") != std::string::npos; }));
    daemon.kill(SIGTERM);
    REQUIRE(daemon.wait(10s) == 0);

    Process engine({CHAIRWATCH_TEST_PYTHON, CHAIRWATCH_SOURCE_DIR "/tests/records/hl7_check.py",
                    "serve", "--port", std::to_string(port), "--record", record},
                   dir + "/engine.log");
    REQUIRE_MESSAGE(eventually([&] { return accepts(port); }, 15s), engine.output());
    daemon.start();
    REQUIRE_MESSAGE(eventually([&] { return !json_lines(record).empty(); }, 15s), daemon.output());
    const auto messages = json_lines(record);
    REQUIRE(messages.size() == 1);  // one measurement
    CHECK(messages[0].at("problems").as_array().empty());
    CHECK(str(messages[0], "patient") == "R-1^^^CHAIRWATCH^VN");  // no pseudonym: the session
    CHECK(daemon.output().find("session chair-02/R-1 from the last run sent again") !=
          std::string::npos);
}
