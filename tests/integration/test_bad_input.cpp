// Bad input gets a clear, rate-limited warning and a count, and loses nothing valid.
#include <doctest/doctest.h>

#include <thread>

#include "harness.hpp"

using namespace chairwatch::it;

namespace {

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1))
        ++n;
    return n;
}

}  // namespace

TEST_CASE(
    "every kind of malformed payload is rejected with its reason, and valid readings still alarm") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());

    const std::vector<std::tuple<std::string, std::string, std::string>> bad{
        {"clinic/chair-01/vitals/bp", "{\"sbp\":", "bad_json"},
        {"clinic/chair-01/vitals/bp", "[1,2]", "bad_json"},
        {"clinic/chair-01/vitals/bp", R"({"sbp":"high"})", "wrong_type"},
        {"clinic/chair-01/vitals/hr", "NaN", "not_finite"},
        {"clinic/chair-01/vitals/hr", "0", "sensor_off"},
        {"clinic/chair-01/vitals/bp", R"({"sbp":400,"dbp":90})", "implausible"},
        {"clinic/chair-01/vitals/hr", R"({"ts":"tuesday","hr":80})", "bad_timestamp"},
        {"clinic/chair-01/vitals/bp", R"({"note":"cuff off"})", "no_values"},
        {"clinic/chair-01/vitals/bp", "150", "unknown_signal"},
        {"clinic/chair-01/vitals/bp", std::string(5000, '{'), "too_large"},
        {"clinic/bad chair/vitals/hr", "80", "chair id"},
    };
    for (const auto& [topic, payload, reason] : bad)
        monitor.publish(topic, payload);
    // In the middle of the garbage, a valid surge on the same chair and on another.
    monitor.publish("clinic/chair-01/vitals/bp", R"({"sbp":201,"dbp":99})");
    monitor.publish("clinic/chair-02/vitals/bp", R"({"sbp":202,"dbp":99,"hr":"x"})");
    CHECK(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-01", "sbp_high", "raised", "high"); }));
    CHECK(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-02", "sbp_high", "raised", "high"); }));

    const auto log = daemon.output();
    for (const auto& [topic, payload, reason] : bad) {
        INFO(reason);
        CHECK(log.find(reason) != std::string::npos);
    }
    CHECK(log.find("chair chair-01, topic clinic/chair-01/vitals/bp: rejected (implausible): sbp "
                   "400 outside 40-270 mmHg") != std::string::npos);
    CHECK(log.find("hr is \"x\", not a number") != std::string::npos);
}

TEST_CASE("a flood of the same bad payload gives one warning, and the daemon keeps up") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    for (int i = 0; i < 200; ++i)
        monitor.publish("clinic/chair-07/vitals/hr", "not a number", 0);
    monitor.publish("clinic/chair-07/vitals/bp", R"({"sbp":185,"dbp":90})");
    REQUIRE(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-07", "sbp_high", "raised"); }));
    CHECK(count_of(daemon.output(), "rejected (bad_json)") == 1);
}

TEST_CASE("chairs beyond input.max_chairs are refused with a warning; known chairs keep working") {
    Broker broker;
    Daemon daemon(broker, shipped_config({{"max_chairs: 256", "max_chairs: 2"}}));
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    monitor.publish("clinic/a/vitals/hr", "70");
    monitor.publish("clinic/b/vitals/hr", "70");
    monitor.publish("clinic/c/vitals/bp", R"({"sbp":210,"dbp":100})");
    monitor.publish("clinic/a/vitals/bp", R"({"sbp":210,"dbp":100})");
    REQUIRE(
        nurse.wait_for([](const Message& m) { return is_alert(m, "a", "sbp_high", "raised"); }));
    CHECK(nurse.messages("clinic/c/").empty());
    CHECK(daemon.output().find("refused readings for new chair c") != std::string::npos);
}

TEST_CASE("outside text cannot forge a log line: refused in names, escaped in warnings") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/+/alerts/ack/result");
    station.subscribe("clinic/+/session/result");
    const std::string forged = "[2026-11-24 19:55:00.000] [chairwatchd] [info] all alarms cleared";

    station.publish("clinic/chair-05/alerts/ack",
                    R"({"alert_id":"x","by":"nurse\n)" + forged + R"("})");
    auto ack = station.wait_for([](const Message& m) { return m.topic.ends_with("ack/result"); });
    REQUIRE(ack);
    CHECK(field(*ack, "error") == "by must not contain control characters");
    station.publish("clinic/chair-05/session", R"({"action":"start","profile":"\u202eevil"})");
    auto start =
        station.wait_for([](const Message& m) { return m.topic.ends_with("session/result"); });
    REQUIRE(start);
    CHECK(field(*start, "error").starts_with("profile must not contain invisible formatting"));
    // The broker passes a right-to-left override in a topic; the warning shows it escaped.
    Client monitor(broker.uri());
    monitor.publish("clinic/chair\u202e5/vitals/hr", "80");
    monitor.publish("clinic/chair-05/vitals/hr", R"({"hr":80,"hr":150})");
    REQUIRE(eventually(
        [&] { return daemon.output().find("duplicate field 'hr'") != std::string::npos; }));
    const auto log = daemon.output();
    INFO(log);
    CHECK(log.find("'clinic/chair\\xe2\\x80\\xae5/vitals/hr'") != std::string::npos);
    CHECK(log.find("\u202e") == std::string::npos);
    CHECK(log.find("\n" + forged) == std::string::npos);
    CHECK(log.find("rejected (bad_json): duplicate field 'hr'") != std::string::npos);
}
