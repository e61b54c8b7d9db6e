// Restart recovery: a session written by one Clinic and read back into a fresh one must leave
// the chair exactly as it was: session, phase, baseline, and every listed alarm with its id.
#include <doctest/doctest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "drivers/session_log/session_log.hpp"
#include "drivers/session_log/session_recovery.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
namespace fs = std::filesystem;

namespace {

struct Run {
    explicit Run(const config::Config& c, const fs::path& dir)
        : clinic(c.clinic_profiles(), c.clinic_settings()), log(dir.string()) {}

    void record(alerts::Instant t) {
        for (const auto& e : events)
            REQUIRE(log.write(e, t));
        events.clear();
    }
    // The daemon ticks every second whatever arrives; so does this run.
    void advance(Millis t) {
        for (; next_tick < t; next_tick += 1s) {
            clinic.on_tick(at(next_tick), events);
            record(at(next_tick));
        }
    }
    void bp(Millis t, double sbp, double dbp) {
        advance(t);
        const alerts::Reading r[] = {{alerts::Signal::sbp, sbp, at(t).wall},
                                     {alerts::Signal::dbp, dbp, at(t).wall}};
        clinic.on_readings("chair-1", r, at(t), events);
        record(at(t));
    }
    void hr(Millis t, double v) {
        advance(t);
        clinic.on_reading("chair-1", {alerts::Signal::hr, v, at(t).wall}, at(t), events);
        record(at(t));
    }
    void control(Millis t, alerts::ControlAction a, const alerts::SessionInfo& info = {}) {
        advance(t);
        REQUIRE(clinic.on_control("chair-1", a, info, at(t), events) == alerts::ControlResult::ok);
        record(at(t));
    }
    void tick(Millis t) { advance(t + 1ms); }

    alerts::Clinic clinic;
    drivers::SessionLog log;
    std::vector<alerts::ClinicEvent> events;
    Millis next_tick{1s};
};

config::Config shipped() {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    return *loaded.config;
}

}  // namespace

TEST_CASE("a session read back from its log leaves the chair as it was, alarm ids and all") {
    const auto dir = fs::temp_directory_path() / ("cw-recovery-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto cfg = shipped();
    Run before(cfg, dir);

    alerts::SessionInfo info;
    info.session_id = "S-7";
    info.profile = "iv-ketamine";
    info.patient_ref = "pseudonym-7";
    before.control(0s, alerts::ControlAction::start, info);
    Millis t = 0s;
    for (int i = 0; i < 3; ++i, t += 300s) {
        before.bp(t + 1s, 124 + i, 78);
        for (Millis s = 2s; s < 300s; s += 5s)
            before.hr(t + s, 74);
    }
    before.control(t, alerts::ControlAction::dose_start);
    before.bp(t + 60s, 212, 110);  // high
    before.bp(t + 120s, 214, 111);
    for (Millis s = 1s; s < 200s; s += 1s)
        before.tick(t + s);  // escalations of the unacknowledged high alarm
    const auto listed = before.clinic.listed_alarms("chair-1");
    REQUIRE_FALSE(listed.empty());
    const auto* s1 = before.clinic.session("chair-1");
    REQUIRE(s1);
    const auto high_id = s1->alert_id(listed.front().alarm_no);
    before.advance(t + 205s);
    REQUIRE(before.clinic.acknowledge("chair-1", high_id, "nurse-a", at(t + 205s), before.events,
                                      {"infusion paused", "pump stopped"}) ==
            alerts::AckResult::ok);
    before.record(at(t + 205s));
    // The daemon's own technical alarm, written into the open session's log: it changes no
    // alarm of the chair and is no problem to recovery.
    REQUIRE(before.log.write_service_alarm(
        *s1,
        {"chairwatchd:run-1:a1", "notification_failed", "raised", "medium", "pagers may not ring"},
        at(t + 205s)));
    // A nurse's limit change: the recovered session judges by it again.
    REQUIRE(before.clinic.change_limit("chair-1", {"hr_high", 1, 105, "baseline HR 98", "nurse-a"},
                                       at(t + 205s), before.events) == alerts::ControlResult::ok);
    before.record(at(t + 205s));
    before.hr(t + 206s, 75);
    const auto end = t + 206s;

    const auto logs = drivers::find_open_session_logs(dir.string());
    REQUIRE(logs.size() == 1);
    alerts::Clinic after(cfg.clinic_profiles(), cfg.clinic_settings());
    std::size_t ended = 0;
    const auto r = drivers::recover_session(
        logs[0], after, at(end + 1s), [&](const std::vector<alerts::ClinicEvent>& events) {
            for (const auto& e : events)
                ended += e.type == alerts::ClinicEvent::Type::session_ended;
        });
    CHECK(r.problems.empty());
    CHECK(r.restored);
    CHECK(ended == 0);
    CHECK(r.session_id == "S-7");
    CHECK(r.restored_alarms == r.alarm_lines);
    CHECK(r.reconciled == 0);

    const auto* s2 = after.session("chair-1");
    REQUIRE(s2);
    CHECK(s2->id == s1->id);
    CHECK(s2->phase == s1->phase);
    CHECK(s2->info().patient_ref == "pseudonym-7");
    CHECK(s2->baseline.value == s1->baseline.value);
    CHECK(s2->readings == s1->readings);
    REQUIRE(s2->limit_changes.size() == 1);
    CHECK(s2->limit_changes[0].to == 105);
    CHECK(s2->limit_changes[0].reason == "baseline HR 98");
    const auto limits = after.limits("chair-1");
    const auto hr_high = std::find_if(limits.begin(), limits.end(), [](const auto& l) {
        return l.bound->condition == "hr_high" && l.bound->tier == 1;
    });
    REQUIRE(hr_high != limits.end());
    CHECK(hr_high->tier->limit == 105);
    CHECK(hr_high->changed);
    const auto again = after.listed_alarms("chair-1");
    const auto now_listed = before.clinic.listed_alarms("chair-1");
    REQUIRE(again.size() == now_listed.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        CHECK(s2->alert_id(again[i].alarm_no) == s1->alert_id(now_listed[i].alarm_no));
        CHECK(again[i].condition == now_listed[i].condition);
        CHECK(again[i].priority == now_listed[i].priority);
        CHECK(again[i].latched == now_listed[i].latched);
        CHECK(again[i].acknowledged == now_listed[i].acknowledged);
        CHECK(again[i].escalation_level == now_listed[i].escalation_level);
        CHECK(bool(again[i].ack_action) == bool(now_listed[i].ack_action));
        if (again[i].ack_action && now_listed[i].ack_action) {
            CHECK(again[i].ack_action->taken == now_listed[i].ack_action->taken);
            CHECK(again[i].ack_action->note == now_listed[i].ack_action->note);
        }
    }
    // The acknowledged high alarm (latched: done once acknowledged) kept what the nurse did.
    const auto acked_no = alerts::parse_alert_id(high_id)->alarm_no;
    const auto rec =
        std::find_if(s2->alarms.begin(), s2->alarms.end(),
                     [&](const alerts::AlarmRecord& a) { return a.alarm_no == acked_no; });
    REQUIRE(rec != s2->alarms.end());
    REQUIRE(rec->ack_action);
    CHECK(rec->ack_action->taken == "infusion paused");
    CHECK(rec->ack_action->note == "pump stopped");

    // Both go on alike: the next alarm gets the next number in both.
    std::vector<alerts::ClinicEvent> a, b;
    for (Millis s = 2s; s < 30s; s += 1s) {
        const alerts::Reading r2{alerts::Signal::spo2, 80, at(end + s).wall};
        before.clinic.on_reading("chair-1", r2, at(end + s), a);
        after.on_reading("chair-1", r2, at(end + s), b);
    }
    std::vector<std::string> ids_a, ids_b;
    for (const auto& e : a)
        if (e.type == alerts::ClinicEvent::Type::alarm)
            ids_a.push_back(e.session->alert_id(e.alarm.alarm_no) + " " +
                            std::string(alerts::to_string(e.alarm.state)));
    for (const auto& e : b)
        if (e.type == alerts::ClinicEvent::Type::alarm)
            ids_b.push_back(e.session->alert_id(e.alarm.alarm_no) + " " +
                            std::string(alerts::to_string(e.alarm.state)));
    CHECK_FALSE(ids_a.empty());
    CHECK(ids_a == ids_b);
    fs::remove_all(dir);
}

TEST_CASE("only logs without an end line are open; a cut-off last line is reported, not fatal") {
    const auto dir = fs::temp_directory_path() / ("cw-recovery-open-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "chair-2");
    std::ofstream(dir / "chair-2" / "A.jsonl")
        << R"({"type":"session_start","ts":"2025-11-24T16:00:00.000Z","chair":"chair-2",)"
        << R"("session_id":"A","implicit":true,"profile":"iv-ketamine","phase":"monitoring"})"
        << "\n"
        << R"({"type":"session_end","ts":"2025-11-24T16:10:00.000Z","chair":"chair-2",)"
        << R"("session_id":"A","reason":"idle","discharge_ready":false})"
        << "\n";
    std::ofstream(dir / "chair-2" / "B.jsonl")
        << R"({"type":"session_start","ts":"2025-11-24T17:00:00.000Z","chair":"chair-2",)"
        << R"("session_id":"B","implicit":false,"profile":"iv-ketamine","phase":"baseline"})"
        << "\n"
        << R"({"type":"reading","ts":"2025-11-24T17:00:01.000Z","rx":"2025-11-24T17:00:01.000Z",)"
        << R"("signal":"hr","value":71})"
        << "\n"
        << R"({"type":"reading","ts":"2025-11-24T17:00:0)";
    std::ofstream(dir / "chair-2" / "notes.txt") << "not a log\n";

    const auto open = drivers::find_open_session_logs(dir.string());
    REQUIRE(open.size() == 1);
    CHECK(open[0].find("B.jsonl") != std::string::npos);

    const auto cfg = shipped();
    alerts::Clinic clinic(cfg.clinic_profiles(), cfg.clinic_settings());
    const auto wall = alerts::Millis(1'764'003'602'000);  // 2025-11-24T17:00:02Z
    const auto r = drivers::recover_session(open[0], clinic, {alerts::Millis(5'000'000), wall},
                                            [](const std::vector<alerts::ClinicEvent>&) {});
    CHECK(r.restored);
    CHECK(r.readings == 1);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].find(":3: not a JSON object") != std::string::npos);
    REQUIRE(clinic.session("chair-2"));
    CHECK(clinic.session("chair-2")->id == "B");
    CHECK(clinic.session("chair-2")->phase == alerts::Phase::baseline);
    fs::remove_all(dir);
}

TEST_CASE(
    "a feed that went silent while the daemon was down is raised LOW, then MEDIUM, as it "
    "would have been") {
    const auto dir = fs::temp_directory_path() / ("cw-recovery-gap-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto cfg = shipped();  // hr_feed_lost: LOW after 10 s of silence, MEDIUM after 30 s
    Run before(cfg, dir);
    alerts::SessionInfo info;
    info.session_id = "S-9";
    info.profile = "iv-ketamine";
    before.control(0s, alerts::ControlAction::start, info);
    before.bp(1s, 124, 78);
    for (Millis s = 2s; s <= 60s; s += 2s)
        before.hr(s, 74);
    // The daemon dies after the last HR reading (60 s), written to the log, and is back 45 s
    // later; its first tick comes a second after that.
    REQUIRE(before.log.flush());
    const auto back = 105s;
    const auto story = [](const std::vector<alerts::ClinicEvent>& events) {
        std::vector<std::string> lines;
        for (const auto& e : events)
            if (e.type == alerts::ClinicEvent::Type::alarm)
                lines.push_back(e.session->alert_id(e.alarm.alarm_no) + " " + e.alarm.condition +
                                " " + std::string(alerts::to_string(e.alarm.state)) + " " +
                                std::string(alerts::to_string(e.alarm.priority)));
        return lines;
    };

    const auto logs = drivers::find_open_session_logs(dir.string());
    REQUIRE(logs.size() == 1);
    alerts::Clinic after(cfg.clinic_profiles(), cfg.clinic_settings());
    const auto r = drivers::recover_session(logs[0], after, at(back),
                                            [](const std::vector<alerts::ClinicEvent>&) {});
    CHECK(r.restored);
    CHECK(r.reconciled == 0);
    std::vector<alerts::ClinicEvent> resumed;
    after.on_tick(at(back + 1s), resumed);

    std::vector<alerts::ClinicEvent> lived;
    for (; before.next_tick <= back + 1s; before.next_tick += 1s)
        before.clinic.on_tick(at(before.next_tick), lived);

    const std::vector<std::string> want{"chair-1:S-9:a1 hr_feed_lost raised low",
                                        "chair-1:S-9:a1 hr_feed_lost updated medium"};
    CHECK(story(lived) == want);
    CHECK(story(resumed) == want);
    fs::remove_all(dir);
}
