// A session whose monitor never sends raises the technical alarm of every feed its profile
// expects, counted from the session's start (REFERENCE §8; §2 for SpO2 with esketamine).
#include <doctest/doctest.h>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ClinicEvent;

namespace {

config::Config shipped() {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    return *loaded.config;
}

// "condition priority state" of each alarm transition, ticking every second until `until`.
std::vector<std::string> silent_session(const std::string& profile, Millis until,
                                        bool start_message = true) {
    const auto cfg = shipped();
    alerts::Clinic clinic(cfg.clinic_profiles(), cfg.clinic_settings());
    std::vector<ClinicEvent> events;
    if (start_message) {
        alerts::SessionInfo info;
        info.profile = profile;
        REQUIRE(clinic.on_control("chair-5", alerts::ControlAction::start, info, at(0s), events) ==
                alerts::ControlResult::ok);
    } else {  // an implicit session: one cuff reading, then nothing
        const alerts::Reading r[] = {{alerts::Signal::sbp, 120, at(0s).wall},
                                     {alerts::Signal::dbp, 80, at(0s).wall}};
        clinic.on_readings("chair-5", r, at(0s), events);
    }
    std::vector<std::string> seen;
    for (Millis t = 1s; t <= until; t += 1s) {
        events.clear();
        clinic.on_tick(at(t), events);
        for (const auto& e : events)
            if (e.type == ClinicEvent::Type::alarm)
                seen.push_back(std::to_string(t.count() / 1000) + " " + e.alarm.condition + " " +
                               std::string(alerts::to_string(e.alarm.priority)) + " " +
                               std::string(alerts::to_string(e.alarm.state)));
    }
    return seen;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("a started session that never receives data raises the feeds its profile expects") {
    const auto iv = silent_session("iv-ketamine", 600s);
    CHECK(has(iv, "11 hr_feed_lost low raised"));
    CHECK(has(iv, "31 hr_feed_lost medium updated"));
    CHECK(has(iv, "481 bp_overdue low raised"));  // the first baseline cycle + 3 min
    for (const auto& s : iv)
        CHECK_MESSAGE(s.find("spo2") == std::string::npos, s);  // SpO2 is optional for IV

    const auto nasal = silent_session("intranasal-esketamine", 120s);
    CHECK(has(nasal, "11 hr_feed_lost low raised"));
    CHECK(has(nasal, "31 spo2_feed_lost low raised"));  // pulse oximetry required (REF §2)
}

TEST_CASE("an implicit session watches HR from its first reading, whatever signal that was") {
    const auto seen = silent_session("", 40s, false);
    CHECK(has(seen, "11 hr_feed_lost low raised"));
    CHECK(has(seen, "31 hr_feed_lost medium updated"));
}

TEST_CASE("a feed the profile does not expect is watched only once it has delivered") {
    auto cfg = shipped();
    alerts::Clinic clinic(cfg.clinic_profiles(), cfg.clinic_settings());
    std::vector<ClinicEvent> events;
    alerts::SessionInfo info;
    REQUIRE(clinic.on_control("chair-5", alerts::ControlAction::start, info, at(0s), events) ==
            alerts::ControlResult::ok);
    int spo2_alarms = 0;
    for (Millis t = 1s; t <= 200s; t += 1s) {
        events.clear();
        clinic.on_reading("chair-5", {alerts::Signal::hr, 72, at(t).wall}, at(t), events);
        if (t == 100s)
            clinic.on_reading("chair-5", {alerts::Signal::spo2, 97, at(t).wall}, at(t), events);
        clinic.on_tick(at(t + 500ms), events);
        for (const auto& e : events)
            if (e.type == ClinicEvent::Type::alarm) {
                CHECK(e.alarm.condition == "spo2_feed_lost");
                CHECK(t >= 130s);  // 30 s after its only reading, not after the start
                ++spo2_alarms;
            }
    }
    CHECK(spo2_alarms == 1);
}
