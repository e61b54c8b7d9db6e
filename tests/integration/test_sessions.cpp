// Sessions and the alarm lifecycle end to end: the real daemon, a real broker, real clients.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace chairwatch::it;
namespace fs = std::filesystem;

namespace {

// The shipped config with baseline and observation times short enough for a test.
std::string fast_session_config() {
    return shipped_config(
        {{"min_cuff_span_s: 300", "min_cuff_span_s: 1"},
         {"seated_rest_s: 300", "seated_rest_s: 0"},
         {"min_hr_span_s: 120", "min_hr_span_s: 1"},
         {"min_observation_s: 3600        #", "min_observation_s: 2           #"}});
}

std::vector<std::string> states_of(const std::vector<Message>& msgs, const std::string& condition) {
    std::vector<std::string> out;
    for (const auto& m : msgs)
        if (field(m, "condition") == condition) out.push_back(field(m, "state"));
    return out;
}

}  // namespace

TEST_CASE(
    "a full IV session over MQTT: start, baseline, dose, surge, ack, recovery, discharge_ready, "
    "end") {
    Broker broker;
    Daemon daemon(broker, fast_session_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-02/alerts");
    nurse.subscribe("clinic/chair-02/session/result");
    Client chair(broker.uri());
    const auto session = [&](const std::string& payload) {
        chair.publish("clinic/chair-02/session", payload);
    };

    session(
        R"({"action":"start","session_id":"S-1","profile":"iv-ketamine","route":"iv","weight_kg":72,)"
        R"("dose_mg_per_kg":0.5,"planned_duration_min":40,"patient_ref":"pseudonym-77"})");
    REQUIRE(nurse.wait_for([](const Message& m) {
        return field(m, "ok") == "true" && field(m, "action") == "start";
    }));
    chair.publish("clinic/chair-02/vitals/bp", R"({"sbp":128,"dbp":80})");
    for (int i = 0; i < 3; ++i)
        chair.publish("clinic/chair-02/vitals/hr", "72");
    std::this_thread::sleep_for(1200ms);
    chair.publish("clinic/chair-02/vitals/bp", R"({"sbp":132,"dbp":82})");
    chair.publish("clinic/chair-02/vitals/hr", "73");
    session(R"({"action":"dose_start"})");
    REQUIRE(nurse.wait_for([](const Message& m) { return field(m, "action") == "dose_start"; }));

    chair.publish("clinic/chair-02/vitals/bp",
                  R"({"sbp":176,"dbp":96})");  // +46 over a baseline of 130
    auto rise = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-02", "bp_rise", "raised", "medium"); });
    REQUIRE(rise);
    CHECK(field(*rise, "limit") == "170");
    CHECK(field(*rise, "phase") == "dosing");
    chair.publish("clinic/chair-02/vitals/bp", R"({"sbp":205,"dbp":104})");
    auto high = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-02", "sbp_high", "updated", "high"); });
    REQUIRE(high);
    const auto id = field(*high, "alert_id");
    CHECK(id.rfind("chair-02:S-1:a", 0) == 0);
    chair.publish("clinic/chair-02/alerts/ack", R"({"alert_id":")" + id + R"(","by":"nurse-7"})");
    REQUIRE(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-02", "sbp_high", "acknowledged"); }));

    session(R"({"action":"dose_end"})");
    chair.publish("clinic/chair-02/vitals/bp", R"({"sbp":131,"dbp":81})");
    auto cleared = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-02", "sbp_high", "cleared"); });
    REQUIRE(cleared);
    CHECK(field(*cleared, "latched") == "false");  // acknowledged before it ended
    std::this_thread::sleep_for(2200ms);
    chair.publish("clinic/chair-02/vitals/bp", R"({"sbp":129,"dbp":80})");
    chair.publish("clinic/chair-02/vitals/hr", "72");
    auto ready = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-02", "discharge_ready", "raised"); });
    REQUIRE(ready);
    CHECK(field(*ready, "kind") == "advisory");
    session(R"({"action":"end"})");
    REQUIRE(nurse.wait_for([](const Message& m) { return field(m, "action") == "end"; }));

    // The right messages in the right order.
    const auto alerts = nurse.messages("clinic/chair-02/alerts");
    CHECK(states_of(alerts, "sbp_high") ==
          std::vector<std::string>{"raised", "updated", "acknowledged", "cleared"});
    CHECK(states_of(alerts, "bp_rise").front() == "raised");
    CHECK(states_of(alerts, "bp_rise").back() == "cleared");

    // The session log tells the whole story; the pseudonym is there and not in the service log.
    const auto log = read_file(daemon.log_dir() + "/chair-02/S-1.jsonl");
    for (const char* part :
         {R"("type":"session_start")", R"("patient_ref":"pseudonym-77")", R"("phase":"dosing")",
          R"("baseline":{)", R"("state":"acknowledged")", R"("acknowledged_by":"nurse-7")",
          R"("condition":"discharge_ready")", R"("type":"session_end")", R"("reason":"end")"})
        CHECK_MESSAGE(log.find(part) != std::string::npos, part);
    CHECK(daemon.output().find("pseudonym-77") == std::string::npos);
    const auto summary = read_file(daemon.log_dir() + "/chair-02/S-1.summary.json");
    CHECK(summary.find(R"("schema_version":1)") != std::string::npos);
    CHECK(summary.find(R"("patient_ref":"pseudonym-77")") != std::string::npos);
    CHECK(summary.find(R"("acknowledged_after_s")") != std::string::npos);
    CHECK(summary.find(R"("criteria_met":true,"met_at":"20)") != std::string::npos);

    // The report the daemon wrote at the session's end, and the tool's JSON and CSV of it.
    const auto html = read_file(daemon.log_dir() + "/chair-02/S-1.html");
    for (const char* part :
         {"<svg", "sbp_high", "bp_rise", "discharge_ready", "nurse-7", "iv-ketamine"})
        CHECK_MESSAGE(html.find(part) != std::string::npos, part);
    const auto jsonl = daemon.log_dir() + "/chair-02/S-1.jsonl";
    std::string out;
    REQUIRE(
        run({CHAIRWATCH_BIN, "report", jsonl, "--format", "json", "--config", daemon.config_path()},
            out) == 0);
    const auto report = boost::json::parse(out).as_object();
    CHECK(report.at("session").as_object().at("session_id") == "S-1");
    std::size_t readings = 0;
    std::istringstream lines(read_file(jsonl));
    for (std::string line; std::getline(lines, line);)
        readings += line.find(R"("type":"reading")") != std::string::npos;
    REQUIRE(run({CHAIRWATCH_BIN, "report", jsonl, "--format", "csv"}, out) == 0);
    std::size_t rows = 0;
    std::istringstream csv(out);
    for (std::string line; std::getline(csv, line);)
        rows += !line.empty();
    CHECK(rows == readings + 1);  // a header, then one row per reading
}

TEST_CASE(
    "an unacknowledged high alarm escalates on the alerts and escalation topics, again and again") {
    Broker broker;
    Daemon daemon(
        broker,
        shipped_config({{"high: {after_s: 60, repeat_s: 60}", "high: {after_s: 1, repeat_s: 1}"}}));
    daemon.start();
    Client charge(broker.uri());
    charge.subscribe("clinic/escalations");
    charge.subscribe("clinic/chair-04/alerts");
    Client chair(broker.uri());
    chair.publish("clinic/chair-04/vitals/bp", R"({"sbp":212,"dbp":100})");
    auto first = charge.wait_for([](const Message& m) {
        return m.topic == "clinic/escalations" && field(m, "escalation_level") == "1";
    });
    REQUIRE(first);
    CHECK(field(*first, "state") == "escalated");
    CHECK(field(*first, "condition") == "sbp_high");
    REQUIRE(charge.wait_for(
        [](const Message& m) { return is_alert(m, "chair-04", "sbp_high", "escalated"); }));
    REQUIRE(charge.wait_for([](const Message& m) {
        return m.topic == "clinic/escalations" && field(m, "escalation_level") == "2";
    }));
    // The ack stops the ladder.
    chair.publish("clinic/chair-04/alerts/ack",
                  R"({"alert_id":")" + field(*first, "alert_id") + R"(","by":"charge-nurse"})");
    auto acked = charge.wait_for(
        [](const Message& m) { return is_alert(m, "chair-04", "sbp_high", "acknowledged"); });
    REQUIRE(acked);
    std::this_thread::sleep_for(2500ms);
    for (const auto& m : charge.messages("clinic/escalations"))
        CHECK(m.at <= acked->at + 100ms);
}

TEST_CASE("bad session and ack messages get a clear error on the result topic and change nothing") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/chair-06/session/result");
    station.subscribe("clinic/chair-06/alerts/ack/result");
    station.publish("clinic/chair-06/session", R"({"action":"dose_start"})");
    auto no_session = station.wait_for([](const Message&) { return true; });
    REQUIRE(no_session);
    CHECK(field(*no_session, "ok") == "false");
    CHECK(field(*no_session, "error") == "no session is open on this chair");
    station.clear();
    station.publish("clinic/chair-06/session", R"({"action":"start","profile":"ketamine-x"})");
    auto bad_profile = station.wait_for([](const Message&) { return true; });
    REQUIRE(bad_profile);
    CHECK(field(*bad_profile, "error") == "unknown profile 'ketamine-x'");
    station.clear();
    station.publish("clinic/chair-06/session", R"({"action":"pause"})");
    auto bad_action = station.wait_for([](const Message&) { return true; });
    REQUIRE(bad_action);
    CHECK(field(*bad_action, "error")
              .find("action must be start, dose_start, dose_end, end, observation, pause_feeds, "
                    "resume_feeds, out_of_service, in_service or limit_change") == 0);
    station.clear();
    station.publish("clinic/chair-06/alerts/ack", R"({"alert_id":"x-a1"})");
    auto no_by = station.wait_for([](const Message&) { return true; });
    REQUIRE(no_by);
    CHECK(field(*no_by, "error").find("by is missing") == 0);
}

TEST_CASE(
    "a session id used before, also before a restart, gets a suffix: a log and alert ids of its "
    "own, and the result says which") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/chair-08/session/result");
    station.subscribe("clinic/chair-08/alerts");
    // Starts a session asking for "IV-77", crosses a limit, ends it; the id it went by.
    const auto session = [&](const std::string& expected_id) {
        station.clear();
        station.publish("clinic/chair-08/session", R"({"action":"start","session_id":"IV-77"})");
        auto started = station.wait_for([](const Message& m) { return field(m, "ok") == "true"; });
        REQUIRE(started);
        CHECK(field(*started, "session_id") == expected_id);
        station.publish("clinic/chair-08/vitals/bp", R"({"sbp":215,"dbp":110})");
        station.publish("clinic/chair-08/vitals/bp", R"({"sbp":216,"dbp":110})");
        auto alert = station.wait_for(
            [](const Message& m) { return is_alert(m, "chair-08", "sbp_high", "raised"); });
        REQUIRE(alert);
        CHECK(field(*alert, "session_id") == expected_id);
        CHECK(field(*alert, "alert_id").rfind("chair-08:" + expected_id + ":a", 0) == 0);
        station.publish("clinic/chair-08/session", R"({"action":"end"})");
        REQUIRE(station.wait_for([](const Message& m) { return field(m, "action") == "end"; }));
    };
    const auto dir = daemon.log_dir() + "/chair-08/";
    session("IV-77");
    REQUIRE(eventually([&] { return fs::exists(dir + "IV-77.summary.json"); }));
    const auto first_log = read_file(dir + "IV-77.jsonl");
    session("IV-77-1");  // the daemon remembers the chair's last session

    // After a restart only the logs remember: the old ones stay as they were.
    daemon.kill(SIGTERM);
    REQUIRE(daemon.wait(10s) == 0);
    daemon.start();
    session("IV-77-2");
    REQUIRE(eventually([&] { return fs::exists(dir + "IV-77-2.summary.json"); }));
    CHECK(read_file(dir + "IV-77.jsonl") == first_log);
    const auto third_log = read_file(dir + "IV-77-2.jsonl");
    CHECK(third_log.rfind(R"({"type":"session_start")", 0) == 0);
    CHECK(third_log.find(R"("session_id":"IV-77-2")") != std::string::npos);
}

TEST_CASE("two chairs given one session id keep their own logs, alarms and acknowledgements") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/+/session/result");
    station.subscribe("clinic/+/alerts");
    station.subscribe("clinic/+/alerts/ack/result");
    for (const char* chair : {"chair-21", "chair-22"}) {
        station.publish(std::string("clinic/") + chair + "/session",
                        R"({"action":"start","session_id":"SHARED-1"})");
        REQUIRE(station.wait_for([&](const Message& m) {
            return m.topic == std::string("clinic/") + chair + "/session/result" &&
                   field(m, "ok") == "true" && field(m, "session_id") == "SHARED-1";
        }));
    }
    station.publish("clinic/chair-21/vitals/bp", R"({"sbp":205,"dbp":100})");
    station.publish("clinic/chair-22/vitals/bp", R"({"sbp":186,"dbp":90})");
    auto a21 = station.wait_for(
        [](const Message& m) { return is_alert(m, "chair-21", "sbp_high", "raised"); });
    auto a22 = station.wait_for(
        [](const Message& m) { return is_alert(m, "chair-22", "sbp_high", "raised"); });
    REQUIRE(a21);
    REQUIRE(a22);
    const auto id21 = field(*a21, "alert_id"), id22 = field(*a22, "alert_id");
    CHECK(id21 == "chair-21:SHARED-1:a1");
    CHECK(id22 == "chair-22:SHARED-1:a1");

    // chair-22's id sent to chair-21's topic acknowledges nothing.
    station.clear();
    station.publish("clinic/chair-21/alerts/ack", R"({"alert_id":")" + id22 + R"(","by":"n-1"})");
    auto refused = station.wait_for(
        [](const Message& m) { return m.topic == "clinic/chair-21/alerts/ack/result"; });
    REQUIRE(refused);
    CHECK(field(*refused, "ok") == "false");
    CHECK(field(*refused, "error") == "alert_id belongs to another chair");
    // The right topic acknowledges exactly that alarm, and no other chair's.
    station.publish("clinic/chair-22/alerts/ack", R"({"alert_id":")" + id22 + R"(","by":"n-1"})");
    REQUIRE(station.wait_for([&](const Message& m) {
        return field(m, "alert_id") == id22 && field(m, "state") == "acknowledged";
    }));
    std::this_thread::sleep_for(300ms);
    for (const auto& m : station.messages("clinic/chair-21/alerts"))
        CHECK_MESSAGE(field(m, "state") != "acknowledged", m.payload);

    // Two logs, each with its own chair's readings only.
    for (const char* chair : {"chair-21", "chair-22"}) {
        const auto path = daemon.log_dir() + "/" + chair + "/SHARED-1.jsonl";
        REQUIRE(
            eventually([&] { return read_file(path).find("\"value\":") != std::string::npos; }));
        const auto log = read_file(path);
        CHECK(log.find(std::string("\"chair\":\"") + (chair[7] == '1' ? "chair-22" : "chair-21")) ==
              std::string::npos);
        CHECK(log.find(std::string(chair[7] == '1' ? "\"value\":186" : "\"value\":205")) ==
              std::string::npos);
    }
}
