// The service tier with its real parts but a scripted MQTT client: what goes out on which
// topic, in which order, for what comes in. (The daemon binary against a real broker is
// tests/integration.)
#include <filesystem>
#include <fstream>

#include "drivers/session_log/log_reader.hpp"
#include "service_rig.hpp"

using namespace chairwatch;
using namespace chairwatch::test;

TEST_CASE("service: it subscribes to vitals, session messages and acks, and says it is online") {
    ServiceRig rig;
    rig.start();
    const auto subs = rig.mqtt->subscriptions();
    CHECK(std::count(subs.begin(), subs.end(), "clinic/+/vitals/#") == 1);
    CHECK(std::count(subs.begin(), subs.end(), "clinic/+/session") == 1);
    CHECK(std::count(subs.begin(), subs.end(), "clinic/+/alerts/ack") == 1);
    const auto status = rig.mqtt->published_on("clinic/chairwatchd/status");
    REQUIRE(status.size() == 1);
    CHECK(status[0].retain);
    CHECK(text_of(json_of(status[0]), "state") == "online");
}

TEST_CASE("service: it says it is online only once the broker has answered its subscriptions") {
    ServiceRig rig(std::vector<std::pair<std::string, std::string>>{
        {"  keepalive_s: 30", "  keepalive_s: 30\n  refresh_retained_s: 30"}});
    rig.service->start();
    rig.mqtt->hold_subscriptions();
    rig.mqtt->come_up();
    rig.settle();
    CHECK(rig.mqtt->subscriptions().size() >= 3);
    CHECK(rig.mqtt->published_on("clinic/chairwatchd/status").empty());
    rig.mqtt->answer_subscriptions();
    rig.settle();
    auto status = rig.mqtt->published_on("clinic/chairwatchd/status");
    REQUIRE(status.size() == 1);
    CHECK(text_of(json_of(status[0]), "state") == "online");
    CHECK_FALSE(json_of(status[0]).contains("reason"));

    // An answer for a connection lost since says nothing of the next one: of the two answers
    // below, only the second connection's counts.
    rig.mqtt->hold_subscriptions();
    for (int i = 0; i < 2; ++i) {
        rig.mqtt->go_down("cut");
        rig.settle();
        rig.mqtt->come_up();
        rig.settle();
    }
    CHECK(rig.mqtt->published_on("clinic/chairwatchd/status").size() == 1);
    rig.mqtt->answer_subscriptions("clinic/+/vitals/# refused (reason code 135)");
    rig.settle();
    status = rig.mqtt->published_on("clinic/chairwatchd/status");
    REQUIRE(status.size() == 2);
    CHECK(text_of(json_of(status[1]), "reason").find("refused") != std::string::npos);
    // Every later `online` of that connection says so too (here the retained refresh)...
    rig.advance(std::chrono::seconds(31));
    status = rig.mqtt->published_on("clinic/chairwatchd/status");
    REQUIRE(status.size() == 3);
    CHECK(text_of(json_of(status[2]), "reason").find("refused") != std::string::npos);
    // ...until a connection whose subscriptions are all granted.
    rig.mqtt->go_down("cut");
    rig.settle();
    rig.mqtt->come_up();
    rig.settle();
    status = rig.mqtt->published_on("clinic/chairwatchd/status");
    REQUIRE(status.size() == 4);
    CHECK_FALSE(json_of(status[3]).contains("reason"));
}

TEST_CASE("service: a reading beyond a limit gives the alert, then the chair's retained list") {
    ServiceRig rig;
    rig.start();
    const auto before = rig.mqtt->published().size();
    rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":90})");
    const auto out = rig.mqtt->published();
    REQUIRE(out.size() == before + 2);
    CHECK(out[before].topic == "clinic/chair-1/alerts");
    CHECK(out[before].qos == 1);
    CHECK_FALSE(out[before].retain);
    const auto alert = json_of(out[before]);
    CHECK(text_of(alert, "condition") == "sbp_high");
    CHECK(text_of(alert, "state") == "raised");
    CHECK(text_of(alert, "priority") == "high");
    const auto id = text_of(alert, "alert_id");
    CHECK(id.rfind("chair-1:chair-1-", 0) == 0);
    CHECK(id.substr(id.size() - 3) == ":a1");
    CHECK(out[before + 1].topic == "clinic/chair-1/alarms");
    CHECK(out[before + 1].retain);
    const auto list = boost::json::parse(out[before + 1].payload).as_array();
    REQUIRE(list.size() == 1);
    CHECK(text_of(list[0].as_object(), "alert_id") == id);
    CHECK(rig.service->counters().readings == 3);  // sbp, dbp and the MAP worked out from them
    CHECK(rig.service->counters().alerts == 1);
}

TEST_CASE("service: bad payloads and topics publish nothing and are counted by reason") {
    ServiceRig rig;
    rig.start();
    const auto before = rig.mqtt->published().size();
    rig.deliver("clinic/chair-1/vitals/hr", "{");
    rig.deliver("clinic/chair-1/vitals/hr", R"({"hr":80,"hr":150})");
    rig.deliver("clinic/chair-1/vitals/hr", R"({"hr":900})");
    rig.deliver("clinic/bad chair/vitals/hr", R"({"hr":80})");
    CHECK(rig.mqtt->published().size() == before);
    const auto& c = rig.service->counters();
    const auto count = [&](drivers::RejectReason r) { return c.rejected[std::size_t(r)]; };
    CHECK(count(drivers::RejectReason::bad_json) == 2);
    CHECK(count(drivers::RejectReason::implausible) == 1);
    CHECK(count(drivers::RejectReason::bad_chair) == 1);
    CHECK(c.readings == 0);
}

TEST_CASE("service: a start message and an acknowledgement each get their result") {
    ServiceRig rig;
    rig.start();
    rig.deliver("clinic/chair-2/session", R"({"action":"start","session_id":"S-2"})");
    auto result = rig.mqtt->published_on("clinic/chair-2/session/result");
    REQUIRE(result.size() == 1);
    CHECK(text_of(json_of(result[0]), "session_id") == "S-2");
    rig.deliver("clinic/chair-2/vitals/bp", R"({"sbp":205,"dbp":90})");
    rig.deliver("clinic/chair-2/alerts/ack", R"({"alert_id":"chair-2:S-2:a2","by":"nurse-1"})");
    auto acks = rig.mqtt->published_on("clinic/chair-2/alerts/ack/result");
    REQUIRE(acks.size() == 1);
    CHECK(json_of(acks[0]).at("ok") == true);
    const auto alerts = rig.mqtt->published_on("clinic/chair-2/alerts");
    REQUIRE_FALSE(alerts.empty());
    CHECK(text_of(json_of(alerts.back()), "state") == "acknowledged");
    CHECK(text_of(json_of(alerts.back()), "acknowledged_by") == "nurse-1");
    rig.deliver("clinic/chair-2/alerts/ack", R"({"alert_id":"chair-3:S-2:a2","by":"nurse-1"})");
    acks = rig.mqtt->published_on("clinic/chair-2/alerts/ack/result");
    REQUIRE(acks.size() == 2);
    CHECK(text_of(json_of(acks[1]), "error") == "alert_id belongs to another chair");
}

TEST_CASE("service: a publish the client refuses is kept and sent later, in order") {
    ServiceRig rig;
    rig.start();
    rig.mqtt->refuse_next(2);  // the alert, and the attempt again when the list follows
    const auto before = rig.mqtt->published().size();
    rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":90})");
    CHECK(rig.mqtt->published().size() == before);  // the alert waits, the list behind it
    CHECK(rig.service->counters().publish_retries == 2);
    rig.advance(1s);  // the next tick tries again
    const auto out = rig.mqtt->published();
    REQUIRE(out.size() >= before + 2);
    CHECK(out[before].topic == "clinic/chair-1/alerts");
    CHECK(out[before + 1].topic == "clinic/chair-1/alarms");
}

TEST_CASE("service: no readings arriving for 15 s is a technical alarm; their return clears it") {
    ServiceRig rig;
    rig.start();
    rig.mqtt->link(drivers::MqttLink::receiving, false);
    rig.settle();
    rig.advance(10s);
    CHECK(rig.mqtt->published_on("clinic/chairwatchd/alerts").empty());  // not yet
    rig.advance(6s);
    auto alarms = rig.mqtt->published_on("clinic/chairwatchd/alerts");
    REQUIRE(alarms.size() == 1);
    CHECK(text_of(json_of(alarms[0]), "condition") == "readings_link_lost");
    CHECK(text_of(json_of(alarms[0]), "state") == "raised");
    CHECK(text_of(json_of(alarms[0]), "priority") == "medium");
    rig.mqtt->link(drivers::MqttLink::receiving, true);
    rig.settle();
    alarms = rig.mqtt->published_on("clinic/chairwatchd/alerts");
    REQUIRE(alarms.size() == 2);
    CHECK(text_of(json_of(alarms[1]), "state") == "cleared");
    CHECK(text_of(json_of(alarms[1]), "alert_id") == text_of(json_of(alarms[0]), "alert_id"));
}

TEST_CASE("service: a chair that floods gets message_flood once; another chair is still judged") {
    ServiceRig rig;
    rig.start();
    rig.deliver("clinic/chair-8/session", R"({"action":"start","session_id":"F-8"})");
    for (int i = 0; i < 400; ++i)  // at one instant: far beyond 20 a second and its burst
        rig.deliver("clinic/chair-8/vitals/hr", R"({"hr":80})");
    rig.deliver("clinic/chair-9/vitals/bp", R"({"sbp":205,"dbp":90})");
    const auto flood = rig.mqtt->published_on("clinic/chair-8/alerts");
    REQUIRE(flood.size() == 1);
    CHECK(text_of(json_of(flood[0]), "condition") == "message_flood");
    CHECK(rig.service->counters().rejected[std::size_t(drivers::RejectReason::flooding)] >= 290);
    CHECK(rig.mqtt->published_on("clinic/chair-9/alerts").size() == 1);
}

TEST_CASE("service: a stop takes no more messages first, then says offline, then disconnects") {
    ServiceRig rig;
    rig.start();
    rig.deliver("clinic/chair-1/vitals/hr", R"({"hr":80})");
    rig.service->stop();
    CHECK(rig.mqtt->stopped_receiving());
    CHECK(rig.mqtt->disconnected());
    const auto out = rig.mqtt->published();
    REQUIRE_FALSE(out.empty());
    CHECK(out.back().topic == "clinic/chairwatchd/status");
    CHECK(text_of(json_of(out.back()), "state") == "offline");
    CHECK(std::filesystem::exists(rig.dir / "sessions" / "chair-1"));
}

TEST_CASE("service: a HIGH alarm goes out before a lower one of the same reading, and lists last") {
    ServiceRig rig;
    rig.start();
    const auto before = rig.mqtt->published().size();
    // In the profile's order sbp_high (165: low) comes before dbp_high (125: high).
    rig.deliver("clinic/chair-4/vitals/bp", R"({"sbp":165,"dbp":125})");
    const auto out = rig.mqtt->published();
    REQUIRE(out.size() == before + 3);
    CHECK(text_of(json_of(out[before]), "condition") == "dbp_high");
    CHECK(text_of(json_of(out[before]), "priority") == "high");
    CHECK(text_of(json_of(out[before + 1]), "condition") == "sbp_high");
    CHECK(out[before + 2].topic == "clinic/chair-4/alarms");
}

namespace {

struct Recorder final : daemon::EventSink {
    Recorder(std::string n, std::vector<std::string>& log) : name(std::move(n)), seen(log) {}
    void on_events(std::span<const alerts::ClinicEvent> events, const daemon::Batch& b) override {
        for (const auto& e : events)
            seen.push_back(name + (b.urgent ? " urgent " : " ") +
                           (e.type == alerts::ClinicEvent::Type::alarm ? e.alarm.condition
                                                                       : std::string("other")));
    }
    void on_done(const daemon::Batch&) override { seen.push_back(name + " done"); }
    std::string name;
    std::vector<std::string>& seen;
};

}  // namespace

TEST_CASE("pipeline: each sink in the order added, the urgent batch first, then done") {
    std::vector<std::string> seen;
    Recorder a("log", seen), b("mqtt", seen);
    daemon::Pipeline p;
    p.add(a);
    p.add(b);
    alerts::Session s;
    std::vector<alerts::ClinicEvent> events(3);
    events[0].type = alerts::ClinicEvent::Type::reading;
    events[1].type = events[2].type = alerts::ClinicEvent::Type::alarm;
    events[1].alarm.condition = "low_one";
    events[1].alarm.priority = alerts::Priority::low;
    events[2].alarm.condition = "high_one";
    events[2].alarm.priority = alerts::Priority::high;
    for (auto& e : events)
        e.session = &s;
    p.handle(events, {});
    CHECK(seen == std::vector<std::string>{"log urgent high_one", "mqtt urgent high_one",
                                           "log other", "log low_one", "mqtt other", "mqtt low_one",
                                           "log done", "mqtt done"});
}

TEST_CASE("pipeline: a HIGH never goes ahead of the start of its session in the same call") {
    std::vector<std::string> seen;
    Recorder a("log", seen);
    daemon::Pipeline p;
    p.add(a);
    alerts::Session s;
    std::vector<alerts::ClinicEvent> events(3);
    events[0].type = alerts::ClinicEvent::Type::session_started;
    events[1].type = alerts::ClinicEvent::Type::reading;
    events[2].type = alerts::ClinicEvent::Type::alarm;
    events[2].alarm.condition = "high_one";
    events[2].alarm.priority = alerts::Priority::high;
    for (auto& e : events)
        e.session = &s;
    p.handle(events, {});
    CHECK(seen == std::vector<std::string>{"log urgent other", "log urgent high_one", "log other",
                                           "log done"});
}

TEST_CASE(
    "service: a HIGH raised by the reading that starts a session is not raised again "
    "after a restart") {
    std::filesystem::path dir;
    std::string first_line;
    {
        ServiceRig rig;
        rig.keep = true;
        dir = rig.dir;
        rig.start();
        rig.deliver("clinic/chair-9/vitals/bp", R"({"sbp":205,"dbp":80})");
        REQUIRE(rig.mqtt->published_on("clinic/chair-9/alerts").size() == 1);
        rig.service->stop();
        for (const auto& f : std::filesystem::recursive_directory_iterator(dir / "sessions"))
            if (f.path().extension() == ".jsonl") {
                std::ifstream in(f.path());
                std::getline(in, first_line);
            }
    }
    CHECK(first_line.find(R"("type":"session_start")") != std::string::npos);
    ServiceRig again({}, "", {}, dir);
    again.keep = false;
    again.start();
    again.advance(1s);
    // The alarm is taken back from the log: listed again, not published as news.
    CHECK(again.mqtt->published_on("clinic/chair-9/alerts").empty());
    CHECK(again.service->counters().recovered_sessions == 1);
}

TEST_CASE("service: a technical alarm goes into every open session's log, once, never in a loop") {
    ServiceRig rig;
    rig.start();
    rig.deliver("clinic/chair-1/vitals/hr", R"({"hr":72})");
    const auto sessions = rig.dir / "sessions";
    std::filesystem::path log1;
    for (const auto& f : std::filesystem::directory_iterator(sessions / "chair-1"))
        log1 = f.path();
    REQUIRE_FALSE(log1.empty());
    // chair-2's log cannot be written: its directory's name is taken by a file.
    std::ofstream(sessions / "chair-2") << "in the way\n";
    rig.deliver("clinic/chair-2/vitals/hr", R"({"hr":75})");
    rig.deliver("clinic/chair-2/vitals/hr", R"({"hr":76})");
    const auto alarms = rig.mqtt->published_on("clinic/chairwatchd/alerts");
    REQUIRE(alarms.size() == 1);  // raised once, for all the failed writes
    CHECK(text_of(json_of(alarms[0]), "condition") == "session_log_failed");
    // In chair-1's log, which can be written; chair-2's line failed like its other lines and
    // was counted, without raising the alarm again.
    std::ifstream in(log1);
    drivers::LogReader reader(in);
    std::vector<drivers::LogServiceAlarm> lines;
    for (drivers::LogLine l; reader.next(l);) {
        CHECK(l.problem.empty());
        if (l.entry && std::holds_alternative<drivers::LogServiceAlarm>(*l.entry))
            lines.push_back(std::get<drivers::LogServiceAlarm>(*l.entry));
    }
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].condition == "session_log_failed");
    CHECK(lines[0].state == "raised");
    CHECK(lines[0].alert_id == text_of(json_of(alarms[0]), "alert_id"));
    CHECK(rig.service->counters().log_errors >= 2);  // chair-2's start, and the alarm's line
    CHECK(rig.service->counters().log_errors < 10);
}
