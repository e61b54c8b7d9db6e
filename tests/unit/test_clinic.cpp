#include <doctest/doctest.h>

#include <set>

#include "alerts/clinic.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ClinicEvent;
using alerts::Direction;
using alerts::Priority;
using alerts::Signal;
using Type = ClinicEvent::Type;

namespace {

std::shared_ptr<alerts::Profile> bp_profile() {
    return profile(
        {rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms, {tier(180, Priority::medium)})});
}

std::vector<Type> types(const std::vector<ClinicEvent>& events) {
    std::vector<Type> t;
    for (const auto& e : events)
        t.push_back(e.type);
    return t;
}

}  // namespace

TEST_CASE("a chair's first reading starts an implicit session, then the reading, then alarms") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    CHECK(clinic.on_reading("chair-03", {Signal::sbp, 190, 0ms}, at(0s), out) ==
          alerts::Admission::accepted);
    CHECK(types(out) == std::vector<Type>{Type::session_started, Type::reading, Type::alarm});
    REQUIRE(out[0].session != nullptr);
    CHECK(out[0].session->implicit);
    CHECK(out[0].session->chair == "chair-03");
    CHECK(out[0].session->id == "chair-03-20251124T160000Z");
    CHECK(out[2].session->alert_id(out[2].alarm.alarm_no) ==
          "chair-03:chair-03-20251124T160000Z:a1");
    CHECK(clinic.listed_alarms("chair-03").size() == 1);
    CHECK(clinic.open_sessions() == 1);
}

TEST_CASE("chairs are independent: one chair's alarm is not another's") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("chair-01", {Signal::sbp, 190, 0ms}, at(0s), out);
    out.clear();
    clinic.on_reading("chair-02", {Signal::sbp, 120, 0ms}, at(1s), out);
    CHECK(types(out) == std::vector<Type>{Type::session_started, Type::reading});
    CHECK(clinic.listed_alarms("chair-01").size() == 1);
    CHECK(clinic.listed_alarms("chair-02").empty());
    CHECK(clinic.listed_alarms("chair-99").empty());
}

TEST_CASE(
    "a session ends after the idle time, closing its alarms, and the next reading opens a new "
    "one") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {10min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("chair-01", {Signal::sbp, 190, 0ms}, at(0s), out);
    const auto first_id = out[0].session->id;
    out.clear();
    clinic.on_tick(at(599s), out);
    CHECK(out.empty());
    clinic.on_tick(at(600s), out);
    REQUIRE(types(out) == std::vector<Type>{Type::alarm, Type::session_ended});
    CHECK(out[0].alarm.cause == alerts::ClearCause::session_ended);
    CHECK(out[1].session->end_reason == alerts::EndReason::idle);
    REQUIRE(out[1].session->alarms.size() == 1);
    CHECK(out[1].session->alarms[0].end.has_value());
    CHECK(clinic.open_sessions() == 0);
    out.clear();
    clinic.on_reading("chair-01", {Signal::sbp, 120, 0ms}, at(700s), out);
    REQUIRE(out[0].type == Type::session_started);
    CHECK(out[0].session->id != first_id);
}

TEST_CASE("end_all closes every open session with the given reason") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(0s), out);
    clinic.on_reading("b", {Signal::sbp, 120, 0ms}, at(0s), out);
    out.clear();
    clinic.end_all(at(5s), alerts::EndReason::shutdown, out);
    CHECK(out.size() == 2);
    for (const auto& e : out) {
        CHECK(e.type == Type::session_ended);
        CHECK(e.session->end_reason == alerts::EndReason::shutdown);
    }
}

TEST_CASE("chairs beyond the configured maximum are refused and the others keep working") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 2});
    std::vector<ClinicEvent> out;
    CHECK(clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(0s), out) ==
          alerts::Admission::accepted);
    CHECK(clinic.on_reading("b", {Signal::sbp, 120, 0ms}, at(0s), out) ==
          alerts::Admission::accepted);
    out.clear();
    CHECK(clinic.on_reading("c", {Signal::sbp, 190, 0ms}, at(0s), out) ==
          alerts::Admission::too_many_chairs);
    CHECK(out.empty());
    CHECK(clinic.on_reading("a", {Signal::sbp, 190, 0ms}, at(1s), out) ==
          alerts::Admission::accepted);
    CHECK(clinic.chair_count() == 2);
}

TEST_CASE("session statistics and alarm records accumulate for the summary") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("a", {Signal::sbp, 150, 0ms}, at(0s), out);
    clinic.on_reading("a", {Signal::sbp, 195, 0ms}, at(300s), out);
    clinic.on_reading("a", {Signal::sbp, 160, 0ms}, at(600s), out);
    const auto* s = clinic.session("a");
    REQUIRE(s != nullptr);
    const auto& st = s->stats[alerts::index_of(Signal::sbp)];
    CHECK(st.count == 3);
    CHECK(st.min == 150);
    CHECK(st.max == 195);
    CHECK(st.mean() == doctest::Approx(505.0 / 3));
    REQUIRE(s->alarms.size() == 1);
    CHECK(s->alarms[0].peak == 195);
    CHECK(s->alarms[0].end->mono == Millis(600s));
}

TEST_CASE("reconfigure applies new rules to running sessions without ending them") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("a", {Signal::sbp, 170, 0ms}, at(0s), out);
    out.clear();
    clinic.reconfigure(
        alerts::ClinicProfiles::single(profile(
            {rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms, {tier(165, Priority::low)})})),
        {30min, 10}, at(100s), out);
    REQUIRE(types(out) == std::vector<Type>{Type::alarm});
    CHECK(out[0].alarm.state == alerts::AlarmState::raised);
    CHECK(out[0].alarm.at.mono == Millis(100s));
    CHECK(clinic.open_sessions() == 1);
}

TEST_CASE("two sessions of one chair started in the same second get distinct ids") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(0s), out);
    const auto first = clinic.session("a")->id;
    clinic.end_all(at(100ms), alerts::EndReason::explicit_end, out);
    clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(200ms), out);
    const auto second = clinic.session("a")->id;
    CHECK(second != first);
    CHECK(second == first + "-1");
    clinic.end_all(at(300ms), alerts::EndReason::explicit_end, out);
    clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(400ms), out);
    CHECK(clinic.session("a")->id == first + "-2");
    clinic.end_all(at(1500ms), alerts::EndReason::explicit_end, out);
    clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(2s), out);
    CHECK(clinic.session("a")->id == "a-20251124T160002Z");
}

TEST_CASE("a start message's session id that ends like a suffix is still told apart") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    int n = 0;
    const auto start = [&](std::string id, Millis t) {
        alerts::SessionInfo info;
        info.session_id = std::move(id);
        info.patient_ref = "P-" + std::to_string(++n);  // a different start each time
        clinic.on_control("a", alerts::ControlAction::start, info, at(t), out);
        return clinic.session("a")->id;
    };
    CHECK(start("S-1", 0ms) == "S-1");
    CHECK(start("S-1", 100ms) == "S-1-1");
    CHECK(start("S-1", 200ms) == "S-1-2");
    CHECK(start("S", 300ms) == "S");
    CHECK(start("S-1", 400ms) == "S-1");
    CHECK(clinic.session("a")->info().session_id == "S-1");
}

TEST_CASE("the same start message again (a redelivery, a double click) changes nothing") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    alerts::SessionInfo info;
    info.session_id = "S-9";
    info.patient_ref = "P-9";
    info.weight_kg = 70;
    REQUIRE(clinic.on_control("a", alerts::ControlAction::start, info, at(0s), out) ==
            alerts::ControlResult::ok);
    clinic.on_reading("a", {Signal::sbp, 190, at(1s).wall}, at(1s), out);
    REQUIRE(clinic.listed_alarms("a").size() == 1);
    out.clear();
    info.ts = at(2s).wall;  // sent again later: its own time differs, nothing else
    CHECK(clinic.on_control("a", alerts::ControlAction::start, info, at(2s), out) ==
          alerts::ControlResult::ok);
    CHECK(out.empty());
    CHECK(clinic.session("a")->id == "S-9");
    CHECK(clinic.listed_alarms("a").size() == 1);
    info.weight_kg = 71;  // a start that says something else is a new session
    CHECK(clinic.on_control("a", alerts::ControlAction::start, info, at(3s), out) ==
          alerts::ControlResult::ok);
    CHECK(clinic.session("a")->id == "S-9-1");
    CHECK(clinic.listed_alarms("a").empty());
}

TEST_CASE("a new session never takes an id an earlier session used, even one it has forgotten") {
    // What the daemon's log directory holds from before a restart: S-1 and S-1-1, and a-<time>.
    const std::set<std::string> logs = {"a/S-1", "a/S-1-1", "a/a-20251124T160000Z", "b/S-2"};
    alerts::ClinicSettings settings{30min, 10};
    std::vector<std::string> asked;
    settings.session_id_taken = [&](std::string_view chair, std::string_view id) {
        asked.push_back(std::string(chair) + "/" + std::string(id));
        return logs.count(asked.back()) > 0;
    };
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), settings);
    std::vector<ClinicEvent> out;
    const auto start = [&](std::string chair, std::string id, Millis t) {
        alerts::SessionInfo info;
        info.session_id = std::move(id);
        clinic.on_control(chair, alerts::ControlAction::start, info, at(t), out);
        return clinic.session(chair)->id;
    };
    CHECK(start("a", "S-1", 0ms) == "S-1-2");
    CHECK(asked == std::vector<std::string>{"a/S-1", "a/S-1-1", "a/S-1-2"});
    CHECK(clinic.session("a")->info().session_id == "S-1");  // what the start message asked for
    CHECK(start("a", "S-1", 100ms) == "S-1-3");              // the one before counts too
    CHECK(start("a", "S-2", 200ms) == "S-2");                // b's log is not a's
    CHECK(start("b", "S-2", 300ms) == "S-2-1");
    // An implicit session's id is a time: one taken by a log gets a suffix like any other.
    clinic.end_all(at(400ms), alerts::EndReason::explicit_end, out);
    clinic.on_reading("a", {Signal::sbp, 120, 0ms}, at(500ms), out);  // 16:00:00Z
    CHECK(clinic.session("a")->id == "a-20251124T160000Z-1");
    // The ids it hands out still reach the alerts.
    out.clear();
    clinic.on_reading("a", {Signal::sbp, 190, 0ms}, at(2s), out);
    REQUIRE(types(out) == std::vector<Type>{Type::reading, Type::alarm});
    CHECK(out.back().session->alert_id(out.back().alarm.alarm_no) == "a:a-20251124T160000Z-1:a1");
}

TEST_CASE("a tick visits a chair when a message other than a reading gave it something to do") {
    // A dosing-only rule on the last cuff value: the dose start itself raises it, with no new
    // reading, and its escalation falls due a minute later. The chair had nothing due before.
    auto p = profile(
        {rule("sbp_dosing", Signal::sbp, Direction::high, 10, 0ms, {tier(110, Priority::high)})});
    p->rules[0].phases = alerts::phase_bit(alerts::Phase::dosing);
    p->escalation[static_cast<std::size_t>(Priority::high)] = {60s, 0ms};
    alerts::Clinic clinic(alerts::ClinicProfiles::single(p), {30min, 10});
    std::vector<ClinicEvent> out;
    clinic.on_reading("chair-01", {Signal::sbp, 120, 0ms}, at(0s), out);
    for (Millis t = 1s; t < 10s; t += 1s)
        clinic.on_tick(at(t), out);
    out.clear();
    CHECK(clinic.on_control("chair-01", alerts::ControlAction::dose_start, {}, at(10s), out) ==
          alerts::ControlResult::ok);
    const auto listed = clinic.listed_alarms("chair-01");  // and the no_baseline advisory
    CHECK(std::any_of(listed.begin(), listed.end(),
                      [](const auto& a) { return a.condition == "sbp_dosing"; }));
    out.clear();
    for (Millis t = 11s; t < 70s; t += 1s)
        clinic.on_tick(at(t), out);
    CHECK(out.empty());
    clinic.on_tick(at(70s), out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].alarm.condition == "sbp_dosing");
    CHECK(out[0].alarm.state == alerts::AlarmState::escalated);
}

TEST_CASE("chairs idle past forget_chair_after leave; a chair whose session is open never does") {
    alerts::ClinicSettings settings{30min, 3};
    settings.forget_chair_after = 10min;
    auto profiles = alerts::ClinicProfiles::single(bp_profile());
    profiles.chair_default["named"] = profiles.default_profile;  // a chair of the config
    alerts::Clinic clinic(profiles, settings);
    std::vector<ClinicEvent> out;
    const auto reading = [&](const char* chair, Millis t) {
        return clinic.on_reading(chair, {Signal::sbp, 120, at(t).wall}, at(t), out);
    };
    CHECK(reading("fake-1", 0s) == alerts::Admission::accepted);
    CHECK(reading("fake-2", 0s) == alerts::Admission::accepted);
    CHECK(reading("named", 0s) == alerts::Admission::accepted);
    CHECK(reading("real", 1s) == alerts::Admission::too_many_chairs);  // all three places taken
    CHECK(clinic.forget_idle_chairs(at(20min)).empty());  // their sessions are still open
    for (Millis t = 1s; t <= 31min; t += 1s)              // the implicit sessions end, idle
        clinic.on_tick(at(t), out);
    CHECK(clinic.open_sessions() == 0);
    CHECK(clinic.forget_idle_chairs(at(9min + 59s)).empty());  // not idle long enough
    auto gone = clinic.forget_idle_chairs(at(10min));
    std::sort(gone.begin(), gone.end());
    CHECK(gone == std::vector<std::string>{"fake-1", "fake-2"});
    CHECK(clinic.chairs() == std::vector<std::string>{"named"});
    CHECK(reading("real", 11min) == alerts::Admission::accepted);
    CHECK(reading("fake-1", 11min) == alerts::Admission::accepted);  // a forgotten chair returns
    CHECK(clinic.session("real"));
    CHECK(clinic.session("named") == nullptr);
    // The chairs that stayed are found where they are, with their own state.
    out.clear();
    clinic.on_reading("real", {Signal::sbp, 190, at(12min).wall}, at(12min), out);
    REQUIRE(types(out) == std::vector<Type>{Type::reading, Type::alarm});
    CHECK(out.back().session->chair == "real");
    CHECK(clinic.forget_idle_chairs(at(5h)).size() == 0);  // both have open sessions
}

TEST_CASE("a chair far over its message rate: excess dropped unread, message_flood until calm") {
    alerts::ClinicSettings settings{30min, 10};
    settings.max_messages_per_s = 20;  // bursts of 5 s: 100 messages
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), settings);
    std::vector<ClinicEvent> out;
    // Unknown chairs are not limited here: their first reading makes them known.
    CHECK(clinic.on_message("flooder", at(0s), out) == alerts::Admission::accepted);
    clinic.on_reading("flooder", {Signal::sbp, 120, at(0s).wall}, at(0s), out);
    clinic.on_reading("calm", {Signal::sbp, 120, at(0s).wall}, at(0s), out);
    out.clear();
    // A monitor at a few messages a second never comes near the limit.
    for (Millis t = 0s; t < 60s; t += 200ms)
        CHECK(clinic.on_message("calm", at(t), out) == alerts::Admission::accepted);
    // 1,000 a second: the burst goes through, then 20 a second.
    int accepted = 0, dropped = 0;
    for (Millis t = 0ms; t < 10s; t += 1ms) {
        const auto a = clinic.on_message("flooder", at(t), out);
        (a == alerts::Admission::accepted ? accepted : dropped)++;
    }
    CHECK(accepted >= 100 + 20 * 9);
    CHECK(accepted <= 100 + 20 * 10 + 1);
    CHECK(dropped > 9000);
    REQUIRE(types(out) == std::vector<Type>{Type::alarm});  // once, not per dropped message
    CHECK(out[0].alarm.condition == "message_flood");
    CHECK(out[0].alarm.kind == alerts::AlarmKind::technical);
    CHECK(out[0].alarm.priority == Priority::medium);
    CHECK(out[0].session->chair == "flooder");
    // Calm again: cleared after 10 s without a drop, not before; no other chair touched.
    out.clear();
    for (Millis t = 11s; t < 19s; t += 1s) {
        CHECK(clinic.on_message("flooder", at(t), out) == alerts::Admission::accepted);
        clinic.on_tick(at(t), out);
    }
    CHECK(out.empty());
    for (Millis t = 19s; t < 22s; t += 1s)
        clinic.on_tick(at(t), out);
    REQUIRE(types(out) == std::vector<Type>{Type::alarm});
    CHECK(out[0].alarm.condition == "message_flood");
    CHECK(out[0].alarm.state == alerts::AlarmState::cleared);
    CHECK(clinic.listed_alarms("calm").empty());
}

TEST_CASE("a nurse's observation: one event for the open session, none without one") {
    alerts::Clinic clinic(alerts::ClinicProfiles::single(bp_profile()), {30min, 10});
    std::vector<ClinicEvent> out;
    const alerts::Observation o{"sedation", "present", "drowsy", "rn-4"};
    CHECK(clinic.observe("chair-03", o, at(0s), out) == alerts::ControlResult::no_session);
    CHECK(out.empty());
    clinic.on_reading("chair-03", {Signal::sbp, 120, 0ms}, at(0s), out);
    out.clear();
    CHECK(clinic.observe("chair-03", o, at(10s), out) == alerts::ControlResult::ok);
    REQUIRE(types(out) == std::vector<Type>{Type::observation});
    REQUIRE(out[0].observation != nullptr);
    CHECK(out[0].observation->kind == "sedation");
    CHECK(out[0].observation->text == "drowsy");
    CHECK(out[0].session->chair == "chair-03");
    CHECK(clinic.listed_alarms("chair-03").empty());
}
