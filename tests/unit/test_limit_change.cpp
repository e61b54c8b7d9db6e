// A nurse's change of a session's limit (Clinic::change_limit) with the shipped profiles: within
// the profile's limit_bounds only, judged at once (a raised limit clears, a lowered one raises
// as its tier says), kept over a reload, gone with the session.
#include <doctest/doctest.h>

#include <algorithm>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AlarmState;
using alerts::ClinicEvent;
using alerts::ControlAction;
using alerts::ControlResult;
using alerts::LimitRequest;
using alerts::Priority;
using alerts::Signal;

namespace {

struct Ward {
    Ward() : profiles(load()), clinic(profiles, {std::chrono::hours(4), 16}) {}
    static alerts::ClinicProfiles load() {
        auto r = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
        REQUIRE(r.config);
        return r.config->clinic_profiles();
    }
    ControlResult start(Millis t) {
        alerts::SessionInfo info;
        info.session_id = "s-" + std::to_string(t.count());
        return clinic.on_control("chair-01", ControlAction::start, info, at(t), events);
    }
    // HR at 1 Hz over [from, to) with a tick each second, as the daemon does.
    void hr(Millis from, Millis to, double v) {
        for (Millis t = from; t < to; t += 1s) {
            clinic.on_reading("chair-01", {Signal::hr, v, at(t).wall}, at(t), events);
            clinic.on_tick(at(t), events);
        }
    }
    // A change; what its limit_changed event said is kept (the event's pointer is valid only
    // until the next call into the Clinic).
    ControlResult change(Millis t, std::string rule, int tier, double value) {
        const auto before = events.size();
        const auto r = clinic.change_limit(
            "chair-01", {std::move(rule), tier, value, "baseline HR 104", "rn-2"}, at(t), events);
        for (auto i = before; i < events.size(); ++i)
            if (events[i].type == ClinicEvent::Type::limit_changed)
                changed.push_back(*events[i].limit_change);
        return r;
    }
    std::vector<alerts::AlarmTransition> alarms(std::string_view condition) const {
        std::vector<alerts::AlarmTransition> out;
        for (const auto& e : events)
            if (e.type == ClinicEvent::Type::alarm && e.alarm.condition == condition)
                out.push_back(e.alarm);
        return out;
    }
    // The value in force of that limit, and whether it was changed (nullopt: not offered).
    std::optional<std::pair<double, bool>> limit(std::string_view rule, int tier) const {
        for (const auto& l : clinic.limits("chair-01"))
            if (l.bound->condition == rule && l.bound->tier == tier)
                return std::pair{l.tier->limit, l.changed};
        return std::nullopt;
    }
    alerts::ClinicProfiles profiles;
    alerts::Clinic clinic;
    std::vector<ClinicEvent> events;
    std::vector<alerts::LimitChange> changed;
};

}  // namespace

TEST_CASE(
    "limit changes are refused outside the profile's bounds, off its list, or with no session") {
    Ward w;
    CHECK(w.change(0s, "hr_high", 1, 120) == ControlResult::no_session);
    REQUIRE(w.start(0s) == ControlResult::ok);
    // The shipped bounds: hr_high tier 1 (LOW above 110) from 100 to 120.
    REQUIRE(w.limit("hr_high", 1));
    CHECK(w.limit("hr_high", 1)->first == 110);
    CHECK_FALSE(w.limit("hr_high", 1)->second);
    CHECK(w.limit("sbp_high", 3)->first == 180);
    CHECK(w.change(1s, "hr_high", 1, 121) == ControlResult::limit_out_of_bounds);
    CHECK(w.change(1s, "hr_high", 1, 99.5) == ControlResult::limit_out_of_bounds);
    CHECK(w.change(1s, "hr_high", 2, 125) == ControlResult::unknown_limit);  // no bounds
    CHECK(w.change(1s, "hr_low", 1, 40) == ControlResult::unknown_limit);
    CHECK(w.change(1s, "bp_rise", 1, 50) == ControlResult::unknown_limit);  // relative
    CHECK(w.change(1s, "no_such_rule", 1, 50) == ControlResult::unknown_limit);
    CHECK(w.changed.empty());
    CHECK(w.clinic.session("chair-01")->limit_changes.empty());
    // The bounds themselves are allowed.
    CHECK(w.change(2s, "hr_high", 1, 120) == ControlResult::ok);
    CHECK(w.change(3s, "hr_high", 1, 100) == ControlResult::ok);
    const auto& c = w.changed;
    REQUIRE(c.size() == 2);
    CHECK(c[0].from == 110);
    CHECK(c[0].to == 120);
    CHECK(c[1].from == 120);  // the limit in force, not the configured one
    CHECK(c[1].to == 100);
    CHECK(c[1].by == "rn-2");
    CHECK(c[1].reason == "baseline HR 104");
    CHECK(c[1].at.mono == at(3s).mono);
}

TEST_CASE("a limit raised above the current value clears its alarm at once") {
    Ward w;
    REQUIRE(w.start(0s) == ControlResult::ok);
    w.hr(0s, 100s, 114);  // above 110 for 60 s: hr_high LOW
    auto raised = w.alarms("hr_high");
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].priority == Priority::low);
    CHECK(raised[0].limit == 110);
    w.events.clear();
    REQUIRE(w.change(100s, "hr_high", 1, 120) == ControlResult::ok);
    // The change is recorded before anything it causes; the alarm the new limit no longer
    // holds clears at once (the limit moved by a decision, not the value by chance: no hold).
    REQUIRE(w.events.size() >= 2);
    CHECK(w.events.front().type == ClinicEvent::Type::limit_changed);
    CHECK(w.limit("hr_high", 1) == std::pair{120.0, true});
    const auto after = w.alarms("hr_high");
    REQUIRE(after.size() == 1);
    CHECK(after[0].state == AlarmState::cleared);
    CHECK(after[0].at.mono == at(100s).mono);
    // Nothing raises again at 114 with the new limit.
    w.hr(140s, 400s, 114);
    CHECK(w.alarms("hr_high").size() == 1);
}

TEST_CASE(
    "a limit lowered below the current value raises after the tier's delay, at the new limit") {
    Ward w;
    REQUIRE(w.start(0s) == ControlResult::ok);
    w.hr(0s, 120s, 106);  // under 110: quiet
    CHECK(w.alarms("hr_high").empty());
    REQUIRE(w.change(120s, "hr_high", 1, 100) == ControlResult::ok);
    w.hr(120s, 179s, 106);  // the tier's 60 s delay runs from the change
    CHECK(w.alarms("hr_high").empty());
    w.hr(179s, 185s, 106);
    const auto raised = w.alarms("hr_high");
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].state == AlarmState::raised);
    CHECK(raised[0].limit == 100);
}

TEST_CASE("a limit change holds over a reload and ends with its session") {
    Ward w;
    REQUIRE(w.start(0s) == ControlResult::ok);
    REQUIRE(w.change(1s, "sbp_high", 3, 190) == ControlResult::ok);
    CHECK(w.limit("sbp_high", 3) == std::pair{190.0, true});
    CHECK(w.limit("sbp_high", 2) == std::pair{180.0, false});  // its own tier only
    w.clinic.reconfigure(Ward::load(), {std::chrono::hours(4), 16}, at(2s), w.events);
    CHECK(w.limit("sbp_high", 3) == std::pair{190.0, true});
    REQUIRE(w.clinic.on_control("chair-01", ControlAction::end, {}, at(3s), w.events) ==
            ControlResult::ok);
    CHECK(w.clinic.limits("chair-01").empty());
    // The next session on the chair has the configured limit.
    REQUIRE(w.start(4s) == ControlResult::ok);
    CHECK(w.limit("sbp_high", 3) == std::pair{180.0, false});
    CHECK(w.clinic.session("chair-01")->limit_changes.empty());
}
