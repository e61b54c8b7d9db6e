// The real chairwatchd against a real mosquitto, through real MQTT clients.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "harness.hpp"

using namespace chairwatch::it;
namespace fs = std::filesystem;

namespace {

std::vector<boost::json::object> jsonl(const std::string& path) {
    std::vector<boost::json::object> lines;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);)
        lines.push_back(boost::json::parse(line).as_object());
    return lines;
}

std::vector<fs::path> files_in(const std::string& dir, const std::string& suffix) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.path().string().size() >= suffix.size() &&
            e.path().string().compare(e.path().string().size() - suffix.size(), suffix.size(),
                                      suffix) == 0)
            out.push_back(e.path());
    return out;
}

}  // namespace

TEST_CASE("a BP surge raises an alert with every field, updates the retained state, and clears") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    nurse.subscribe("clinic/+/alarms");
    Client monitor(broker.uri());

    monitor.publish("clinic/chair-03/vitals/bp", R"({"ts":1764000000.5,"sbp":152,"dbp":94})");
    monitor.publish("clinic/chair-03/vitals/bp", R"({"sbp":192,"dbp":96})");
    auto raised = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-03", "sbp_high", "raised"); });
    REQUIRE(raised);
    auto a = raised->json().as_object();
    for (const char* key : {"alert_id", "chair", "session_id", "condition", "kind", "priority",
                            "state", "signal", "value", "limit", "unit", "onset", "ts", "text"})
        CHECK_MESSAGE(a.contains(key), key);
    CHECK(a["priority"] == "medium");
    CHECK(a["kind"] == "physiological");
    CHECK(a["value"] == 192);
    CHECK(a["limit"] == 180);
    CHECK(a["unit"] == "mmHg");
    CHECK(a["text"] == "Chair 3: systolic BP 192 mmHg, above 180 (medium priority)");
    const auto id = std::string(a["alert_id"].as_string());

    auto state = nurse.wait_for([&](const Message& m) {
        return m.topic == "clinic/chair-03/alarms" && m.payload.find(id) != std::string::npos;
    });
    REQUIRE(state);
    CHECK(state->json().as_array().size() == 1);

    // A second high reading within 10 minutes confirms: high priority, same alarm.
    monitor.publish("clinic/chair-03/vitals/bp", R"({"sbp":188,"dbp":97})");
    auto high = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-03", "sbp_high", "updated", "high"); });
    REQUIRE(high);
    CHECK(field(*high, "alert_id") == id);

    // A late nurse station sees the truth at once from the retained state (the list follows
    // the alert: once it has reached a station, the broker keeps it).
    REQUIRE(nurse.wait_for([](const Message& m) {
        const auto list = m.json();
        return m.topic == "clinic/chair-03/alarms" && list.is_array() &&
               list.as_array().size() == 1 &&
               list.as_array()[0].as_object().at("priority") == "high";
    }));
    Client late(broker.uri());
    late.subscribe("clinic/chair-03/alarms");
    auto retained = late.wait_for([](const Message& m) { return m.retained; });
    REQUIRE(retained);
    REQUIRE(retained->json().as_array().size() == 1);
    CHECK(retained->json().as_array()[0].as_object()["priority"] == "high");

    monitor.publish("clinic/chair-03/vitals/bp", R"({"sbp":140,"dbp":85})");
    auto cleared = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-03", "sbp_high", "cleared"); });
    REQUIRE(cleared);
    CHECK(field(*cleared, "alert_id") == id);
    CHECK(field(*cleared, "cause") == "back_in_range");
    // High priority latches: it stays listed until a nurse acknowledges it.
    CHECK(field(*cleared, "latched") == "true");
    auto still = nurse.wait_for([&](const Message& m) {
        return m.topic == "clinic/chair-03/alarms" &&
               m.payload.find("\"latched\":true") != std::string::npos;
    });
    REQUIRE(still);
    CHECK(still->json().as_array().size() == 1);

    Client station(broker.uri());
    station.subscribe("clinic/chair-03/alerts/ack/result");
    station.publish("clinic/chair-03/alerts/ack", R"({"alert_id":")" + id + R"(","by":"nurse-7"})");
    auto acked = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-03", "sbp_high", "acknowledged"); });
    REQUIRE(acked);
    CHECK(field(*acked, "acknowledged_by") == "nurse-7");
    auto result = station.wait_for([](const Message&) { return true; });
    REQUIRE(result);
    CHECK(field(*result, "ok") == "true");
    auto empty = nurse.wait_for(
        [](const Message& m) { return m.topic == "clinic/chair-03/alarms" && m.payload == "[]"; });
    CHECK(empty);

    // An unknown id gets a clear error and changes nothing.
    station.clear();
    station.publish("clinic/chair-03/alerts/ack", R"({"alert_id":"nope","by":"nurse-7"})");
    auto error = station.wait_for([](const Message&) { return true; });
    REQUIRE(error);
    CHECK(field(*error, "ok") == "false");
    CHECK(field(*error, "error") == "malformed alert_id (expected <chair>:<session_id>:a<n>)");
    // An id of another chair, sent to this chair's topic, is not this chair's to acknowledge.
    station.clear();
    station.publish(
        "clinic/chair-03/alerts/ack",
        R"({"alert_id":"chair-04:)" + field(*raised, "session_id") + R"(:a1","by":"nurse-7"})");
    error = station.wait_for([](const Message&) { return true; });
    REQUIRE(error);
    CHECK(field(*error, "error") == "alert_id belongs to another chair");
}

TEST_CASE("a normal chair raises nothing while its neighbour alarms") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    for (int i = 0; i < 5; ++i) {
        monitor.publish("clinic/chair-01/vitals/bp", R"({"sbp":205,"dbp":100})");
        monitor.publish("clinic/chair-02/vitals/bp", R"({"sbp":125,"dbp":80})");
        monitor.publish("clinic/chair-02/vitals/hr", "72");
    }
    REQUIRE(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-01", "sbp_high", "raised", "high"); }));
    CHECK(nurse.messages("clinic/chair-02/").empty());
}

TEST_CASE("status: online while running, offline from the last will when killed -9") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/chairwatchd/status");
    auto online = station.wait_for([](const Message& m) { return m.retained; });
    REQUIRE(online);
    CHECK(field(*online, "state") == "online");
    daemon.kill(SIGKILL);
    auto offline =
        station.wait_for([](const Message& m) { return field(m, "state") == "offline"; }, 15s);
    REQUIRE(offline);
    CHECK(field(*offline, "reason") == "connection lost");
    // Retained, so a station that connects later learns it too.
    Client later(broker.uri());
    later.subscribe("clinic/chairwatchd/status");
    auto seen = later.wait_for([](const Message& m) { return m.retained; });
    REQUIRE(seen);
    CHECK(field(*seen, "state") == "offline");
}

TEST_CASE(
    "SIGTERM stops cleanly: offline status; with on_shutdown: end, sessions closed with logs and "
    "summaries") {
    Broker broker;
    Daemon daemon(broker, shipped_config({{"on_shutdown: suspend", "on_shutdown: end"}}));
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/chairwatchd/status");
    station.subscribe("clinic/chair-05/alerts");
    Client monitor(broker.uri());
    monitor.publish("clinic/chair-05/vitals/bp", R"({"sbp":165,"dbp":90})");
    monitor.publish("clinic/chair-05/vitals/hr", R"({"hr":77})");
    REQUIRE(station.wait_for(
        [](const Message& m) { return is_alert(m, "chair-05", "sbp_high", "raised", "low"); }));
    // The HR message may still be on its way after the alert: wait until it has been judged
    // (its line reaches the log within 200 ms), so that the stop is what this test looks at.
    REQUIRE(eventually([&] {
        const auto logs = files_in(daemon.log_dir() + "/chair-05", ".jsonl");
        return logs.size() == 1 &&
               read_file(logs[0].string()).find(R"("signal":"hr")") != std::string::npos;
    }));

    daemon.kill(SIGTERM);
    CHECK(daemon.wait(10s) == 0);
    auto offline =
        station.wait_for([](const Message& m) { return field(m, "state") == "offline"; });
    REQUIRE(offline);
    CHECK(field(*offline, "reason") == "shutdown");

    auto logs = files_in(daemon.log_dir() + "/chair-05", ".jsonl");
    REQUIRE(logs.size() == 1);
    auto lines = jsonl(logs[0].string());
    REQUIRE(lines.size() >= 6);
    CHECK(lines.front()["type"] == "session_start");
    CHECK(lines.front()["implicit"] == true);
    int readings = 0, alarms = 0;
    for (auto& l : lines) {
        readings += l["type"] == "reading";
        alarms += l["type"] == "alarm";
    }
    CHECK(readings == 4);  // sbp, dbp, derived map, hr
    CHECK(alarms == 2);    // raised, then closed at the session's end
    CHECK(lines.back()["type"] == "session_end");
    CHECK(lines.back()["reason"] == "shutdown");
    auto summaries = files_in(daemon.log_dir() + "/chair-05", ".summary.json");
    REQUIRE(summaries.size() == 1);
    auto summary = boost::json::parse(read_file(summaries[0].string())).as_object();
    CHECK(summary["signals"].as_object()["sbp"].as_object()["max"] == 165);
    CHECK(summary["alarms"].as_array().size() == 1);
    CHECK(daemon.output().find("stats:") != std::string::npos);
}

TEST_CASE("a silent HR feed raises a technical alarm, and the feed's return clears it") {
    Broker broker;
    Daemon daemon(broker,
                  shipped_config(
                      {{"- {after_s: 10, priority: low}", "- {after_s: 2, priority: low}"},
                       {"- {after_s: 30, priority: medium}", "- {after_s: 4, priority: medium}"}}));
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    monitor.publish("clinic/chair-09/vitals/hr", "80");
    auto low = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-09", "hr_feed_lost", "raised", "low"); });
    REQUIRE(low);
    CHECK(field(*low, "kind") == "technical");
    CHECK(field(*low, "unit") == "s");
    REQUIRE(nurse.wait_for([](const Message& m) {
        return is_alert(m, "chair-09", "hr_feed_lost", "updated", "medium");
    }));
    monitor.publish("clinic/chair-09/vitals/hr", "81");
    auto back = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-09", "hr_feed_lost", "cleared"); });
    REQUIRE(back);
    CHECK(field(*back, "cause") == "feed_resumed");
}

TEST_CASE("a session ends after the idle time and its summary is written") {
    Broker broker;
    Daemon daemon(broker, shipped_config({{"idle_end_s: 1800", "idle_end_s: 2"}}));
    daemon.start();
    Client monitor(broker.uri());
    monitor.publish("clinic/chair-04/vitals/bp", R"({"sbp":130,"dbp":80})");
    eventually([&] { return !files_in(daemon.log_dir(), ".summary.json").empty(); });
    auto summaries = files_in(daemon.log_dir(), ".summary.json");
    REQUIRE(summaries.size() == 1);
    auto summary = boost::json::parse(read_file(summaries[0].string())).as_object();
    CHECK(summary["schema_version"] == 1);
    CHECK(summary["session"].as_object()["end_reason"] == "idle");
    CHECK(summary["session"].as_object()["chair"] == "chair-04");
}

TEST_CASE(
    "the simulator drives a surging and a normal chair: high alert raised then cleared, none for "
    "the normal chair") {
    Broker broker;
    // At 600x the simulated device clocks run hours ahead of the receive time.
    Daemon daemon(broker, shipped_config({{"max_future_s: 300 ", "max_future_s: 86400 "}}));
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    std::string out;
    const int code = run({CHAIRWATCH_BIN, "simulate", "--broker", broker.uri(), "--chairs", "2",
                          "--speed", "600", "--seed", "7", "--clock", "simulated", "--quiet"},
                         out, 120s);
    INFO(out);
    REQUIRE(code == 0);
    REQUIRE(nurse.wait_for([](const Message& m) {
        return m.topic == "clinic/chair-01/alerts" && field(m, "condition") == "sbp_high" &&
               field(m, "priority") == "high" && field(m, "state") != "cleared";
    }));
    REQUIRE(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-01", "sbp_high", "cleared"); }));
    for (const auto& m : nurse.messages("clinic/chair-02/"))
        CHECK_MESSAGE(field(m, "kind") != "physiological", m.payload);
}

TEST_CASE("the simulator at 150x against the shipped config: every reading is accepted") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    std::string out;
    // 14 simulated minutes in under 6 s: simulated time would run 800 s ahead of the clock.
    const int code =
        run({CHAIRWATCH_BIN, "simulate", "--broker", broker.uri(), "--chairs", "2", "--speed",
             "150", "--baseline-min", "2", "--dose-min", "6", "--observation-min", "6"},
            out, 120s);
    INFO(out);
    REQUIRE(code == 0);
    // What was sent, from the simulator's summary; what was accepted, from the daemon's stats.
    const auto number_after = [](const std::string& text, const std::string& label) {
        const auto at = text.rfind(label);
        return at == std::string::npos ? -1L : std::stol(text.substr(at + label.size()));
    };
    const auto sent_bp = number_after(out, "(bp ");
    const auto sent_hr = number_after(out, ", hr ");
    const auto sent_spo2 = number_after(out, ", spo2 ");
    const auto zeros = number_after(out, " spikes, ");  // HR 0: refused as sensor off
    REQUIRE(sent_bp > 0);
    const auto expected = 3 * sent_bp + sent_hr + sent_spo2 - zeros;
    // The simulator is done once the broker has its messages; the last of them may still be on
    // their way to the daemon, and a stop leaves those in the broker's queue.
    CHECK(eventually([&] {
        return daemon.metric("chairwatch_readings_received_total") >= static_cast<double>(expected);
    }));
    daemon.kill(SIGTERM);
    REQUIRE(daemon.wait(15s) == 0);
    const auto log = daemon.output();
    INFO(log);
    CHECK(log.find("reading refused") == std::string::npos);
    const auto stats = log.substr(log.rfind("stats: "));
    CHECK(stats.find("bad_timestamp") == std::string::npos);
    CHECK(number_after(stats, " messages, ") == expected);
}

TEST_CASE(
    "SIGHUP reloads the rules without losing alarms; an invalid file is rejected and the old rules "
    "kept") {
    Broker broker;
    Daemon daemon(broker, shipped_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-08/alerts");
    nurse.subscribe("clinic/chair-08/alarms");
    Client monitor(broker.uri());
    monitor.publish("clinic/chair-08/vitals/bp", R"({"sbp":185,"dbp":104})");
    auto raised = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-08", "sbp_high", "raised"); });
    REQUIRE(raised);

    // A valid change: the low tier moves from 160 to 150. Alarms carry over under their names.
    write_file(daemon.config_path(), shipped_config({{"- {at_or_above: 160, priority: low}",
                                                      "- {at_or_above: 150, priority: low}"}}));
    daemon.kill(SIGHUP);
    CHECK(eventually(
        [&] { return daemon.output().find("reload: configuration") != std::string::npos; }));
    monitor.publish("clinic/chair-08/vitals/bp", R"({"sbp":155,"dbp":90})");
    auto low = nurse.wait_for([&](const Message& m) {
        return is_alert(m, "chair-08", "sbp_high", "updated", "low") &&
               field(m, "alert_id") == field(*raised, "alert_id");
    });
    REQUIRE(low);
    CHECK(field(*low, "limit") ==
          "150");  // 155 alarms under the new limit; it would have cleared under 160
    auto listed = nurse.wait_for([](const Message& m) {
        return m.topic == "clinic/chair-08/alarms" &&
               m.payload.find("\"limit\":150") != std::string::npos;
    });
    REQUIRE(listed);
    const auto list = listed->json();
    for (const auto& a : list.as_array()) {
        const auto condition = std::string(a.as_object().at("condition").as_string());
        CHECK((condition == "sbp_high" || condition == "dbp_high"));
    }

    // An invalid file: rejected with its errors logged, the running rules kept.
    write_file(daemon.config_path(), shipped_config({{"max_chairs: 256", "max_chairs: lots"}}));
    daemon.kill(SIGHUP);
    // "reload rejected" comes first, then one line for each error.
    CHECK(eventually([&] { return daemon.output().find("reload rejected") != std::string::npos; }));
    CHECK(eventually([&] {
        return daemon.output().find("input.max_chairs: expected a whole number") !=
               std::string::npos;
    }));
    monitor.publish("clinic/chair-08/vitals/bp", R"({"sbp":139,"dbp":80})");
    REQUIRE(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-08", "sbp_high", "cleared"); }));
}
