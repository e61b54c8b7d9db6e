// Sessions through the Clinic with the shipped route profiles: phases, baseline, relative
// rules, phase-specific limits, cuff cadence, discharge, acknowledgements by alert id.
#include <doctest/doctest.h>

#include <algorithm>

#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AlarmKind;
using alerts::AlarmState;
using alerts::ClinicEvent;
using alerts::ControlAction;
using alerts::ControlResult;
using alerts::Phase;
using alerts::Priority;
using alerts::Signal;

namespace {

// The shipped configuration's Clinic, and everything it said.
struct Ward {
    Ward() : clinic(load(), {std::chrono::hours(4), 16}) {}
    static alerts::ClinicProfiles load() {
        auto r = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
        REQUIRE(r.config);
        return r.config->clinic_profiles();
    }
    ControlResult control(Millis t, ControlAction a, std::string profile = "") {
        alerts::SessionInfo info;
        info.profile = std::move(profile);
        info.session_id = a == ControlAction::start ? "s-" + std::to_string(t.count()) : "";
        return clinic.on_control("chair-01", a, info, at(t), events);
    }
    void bp(Millis t, double sbp, double dbp) {
        const auto ts = at(t).wall;
        clinic.on_reading("chair-01", {Signal::sbp, sbp, ts}, at(t), events);
        clinic.on_reading("chair-01", {Signal::dbp, dbp, ts}, at(t), events);
        clinic.on_reading("chair-01", {Signal::map, dbp + (sbp - dbp) / 3, ts}, at(t), events);
    }
    // HR at 1 Hz over [from, to) with a tick each second, as the daemon does.
    void hr(Millis from, Millis to, double v) {
        for (Millis t = from; t < to; t += 1s) {
            clinic.on_reading(
                "chair-01",
                {Signal::hr, v + static_cast<double>(t.count() / 1000 % 3) - 1, at(t).wall}, at(t),
                events);
            clinic.on_tick(at(t), events);
        }
    }
    std::vector<alerts::AlarmTransition> alarms(std::string_view condition) const {
        std::vector<alerts::AlarmTransition> out;
        for (const auto& e : events)
            if (e.type == ClinicEvent::Type::alarm && e.alarm.condition == condition)
                out.push_back(e.alarm);
        return out;
    }
    alerts::Clinic clinic;
    std::vector<ClinicEvent> events;
};

}  // namespace

TEST_CASE("a full IV session: baseline, dose, relative rise, recovery, discharge_ready, end") {
    Ward w;
    REQUIRE(w.control(0s, ControlAction::start, "iv-ketamine") == ControlResult::ok);
    REQUIRE(w.clinic.session("chair-01"));
    CHECK(w.clinic.session("chair-01")->phase == Phase::baseline);
    CHECK_FALSE(w.clinic.session("chair-01")->implicit);
    // Baseline after 5 min seated rest (the readings before do not count): noisy cuff readings
    // over 5 min and 5 min of HR around 72.
    w.bp(0s, 140, 88);  // settling: would have moved the median
    w.hr(0s, 300s, 90);
    w.bp(300s, 136, 84);
    w.hr(300s, 600s, 72);
    w.bp(450s, 124, 78);
    w.bp(600s, 130, 80);
    REQUIRE(w.control(600s, ControlAction::dose_start) == ControlResult::ok);
    const auto* s = w.clinic.session("chair-01");
    CHECK(s->phase == Phase::dosing);
    REQUIRE(s->baseline.bp_formed());
    CHECK(*s->baseline.value[alerts::index_of(Signal::sbp)] == 130);  // median of 136, 124, 130
    CHECK(*s->baseline.value[alerts::index_of(Signal::hr)] == doctest::Approx(72).epsilon(0.02));
    CHECK(w.alarms("no_baseline").empty());

    // The ketamine rise: +44 over a baseline of 130 is a bp_rise (low) and SBP >= 160 too.
    w.hr(600s, 1800s, 76);
    w.bp(1800s, 150, 88);
    CHECK(w.alarms("bp_rise").empty());
    w.hr(1800s, 2400s, 80);
    w.bp(2400s, 174, 96);
    auto rise = w.alarms("bp_rise");
    REQUIRE(rise.size() == 1);
    CHECK(rise[0].state == AlarmState::raised);
    CHECK(rise[0].priority == Priority::medium);  // >= baseline + 40 and also >= 160
    CHECK(rise[0].limit == 170);
    REQUIRE(w.alarms("sbp_high").size() == 1);

    w.hr(2400s, 3000s, 78);
    REQUIRE(w.control(3000s, ControlAction::dose_end) == ControlResult::ok);
    CHECK(w.clinic.session("chair-01")->phase == Phase::observation);
    w.bp(3300s, 138, 82);
    CHECK(w.alarms("bp_rise").back().state == AlarmState::cleared);
    CHECK(w.alarms("sbp_high").back().state == AlarmState::cleared);

    // Discharge only after 60 min of observation with BP in range.
    w.hr(3000s, 6500s, 74);
    w.bp(6000s, 133, 81);
    w.bp(6300s, 132, 80);
    CHECK(w.alarms("discharge_ready").empty());
    w.bp(6600s, 131, 80);
    w.hr(6600s, 6605s, 74);
    auto ready = w.alarms("discharge_ready");
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].kind == AlarmKind::advisory);
    REQUIRE(w.control(6700s, ControlAction::end) == ControlResult::ok);
    CHECK(w.events.back().type == ClinicEvent::Type::session_ended);
    CHECK(w.events.back().session->discharge_ready.has_value());
    CHECK(w.events.back().session->end_reason == alerts::EndReason::explicit_end);
}

TEST_CASE("no baseline: an advisory says so, and relative rules stay silent") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.bp(0s, 128, 80);
    REQUIRE(w.control(60s, ControlAction::dose_start) == ControlResult::ok);
    auto nb = w.alarms("no_baseline");
    REQUIRE(nb.size() == 1);
    CHECK(nb[0].kind == AlarmKind::advisory);
    CHECK(nb[0].text_hint.find("absolute limits only") != std::string_view::npos);
    w.bp(1200s, 172, 90);
    CHECK(w.alarms("bp_rise").empty());
    CHECK(w.alarms("sbp_high").size() == 1);  // absolute limits still work
}

TEST_CASE("phase-specific limits: predose_bp_high only before the dose") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.bp(0s, 152, 88);
    auto pre = w.alarms("predose_bp_high");
    REQUIRE(pre.size() == 1);
    CHECK(pre[0].kind == AlarmKind::advisory);
    CHECK(pre[0].priority == Priority::medium);
    w.control(300s, ControlAction::dose_start);
    auto closed = w.alarms("predose_bp_high");
    REQUIRE(closed.size() == 2);
    CHECK(closed[1].state == AlarmState::cleared);
    CHECK(closed[1].cause == alerts::ClearCause::phase_changed);
    w.bp(600s, 152, 88);  // the same BP while dosing is no advisory
    CHECK(w.alarms("predose_bp_high").size() == 2);
}

TEST_CASE("bp_overdue follows the cuff schedule from the dose start: 10, then 5 from 20 min") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.bp(0s, 128, 80);
    w.control(60s, ControlAction::dose_start);
    w.bp(100s, 130, 80);
    for (Millis t = 101s; t <= 880s; t += 1s)
        w.clinic.on_tick(at(t), w.events);
    CHECK(w.alarms("bp_overdue").empty());  // 13 min = a 10-min cycle + 3
    w.clinic.on_tick(at(881s), w.events);
    auto dosing = w.alarms("bp_overdue");
    REQUIRE(dosing.size() == 1);
    CHECK(dosing[0].priority == Priority::medium);
    w.bp(900s, 130, 80);  // 14 min after the dose: the next is due at 20 min, the 5-min cycles
    for (Millis t = 901s; t <= 1440s; t += 1s)
        w.clinic.on_tick(at(t), w.events);
    CHECK(w.alarms("bp_overdue").size() == 2);  // raised, cleared by the reading
    w.clinic.on_tick(at(1441s), w.events);      // 20 min + 3 after the dose
    auto again = w.alarms("bp_overdue");
    REQUIRE(again.size() == 3);
    CHECK(again[2].priority == Priority::medium);
}

TEST_CASE("session messages out of order are refused and change nothing") {
    Ward w;
    CHECK(w.control(0s, ControlAction::dose_start) == ControlResult::no_session);
    CHECK(w.control(0s, ControlAction::start, "no-such-profile") == ControlResult::unknown_profile);
    CHECK(w.clinic.session("chair-01") == nullptr);
    w.control(0s, ControlAction::start);
    CHECK(w.control(10s, ControlAction::dose_end) == ControlResult::wrong_phase);
    CHECK(w.clinic.session("chair-01")->phase == Phase::baseline);
}

TEST_CASE("a start message supersedes a session that readings had opened") {
    Ward w;
    w.bp(0s, 128, 80);
    REQUIRE(w.clinic.session("chair-01"));
    CHECK(w.clinic.session("chair-01")->implicit);
    CHECK(w.clinic.session("chair-01")->phase == Phase::monitoring);
    w.control(60s, ControlAction::start, "im-ketamine");
    const auto ended = std::find_if(w.events.begin(), w.events.end(), [](const ClinicEvent& e) {
        return e.type == ClinicEvent::Type::session_ended;
    });
    REQUIRE(ended != w.events.end());
    CHECK(ended->session->end_reason == alerts::EndReason::superseded);
    CHECK(w.clinic.session("chair-01")->profile == "im-ketamine");
    CHECK(w.clinic.session("chair-01")->id == "s-60000");
}

TEST_CASE("acknowledging by alert id: the chair's own alarms only") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.control(10s, ControlAction::dose_start);
    w.bp(20s, 205, 100);
    auto high = w.alarms("sbp_high");
    REQUIRE(high.size() == 1);
    const auto* s = w.clinic.session("chair-01");
    const auto id = s->alert_id(high[0].alarm_no);
    const auto events_before = w.events.size();
    CHECK(id == "chair-01:" + s->id + ":a" + std::to_string(high[0].alarm_no));
    CHECK(w.clinic.acknowledge("chair-01", "chair-01:" + s->id + ":a999", "n", at(30s), w.events) ==
          alerts::AckResult::unknown);
    CHECK(w.clinic.acknowledge("chair-01", "chair-01:other-session:a1", "n", at(30s), w.events) ==
          alerts::AckResult::not_open_session);
    CHECK(w.clinic.acknowledge("chair-02", id, "n", at(30s), w.events) ==
          alerts::AckResult::other_chair);
    for (const char* bad :
         {"", "a1", "chair-01::a1", "chair-01:s:a", "chair-01:s:a0", "chair-01:s:1",
          "chair-01:s:a1x", ":s:a1", "x::s:a1", "x:y:chair-01:s:a1", "chair-01:s:a99999999999"})
        CHECK(w.clinic.acknowledge("chair-01", bad, "n", at(30s), w.events) ==
              alerts::AckResult::malformed);
    // Four parts name a site: this clinic has none.
    CHECK(w.clinic.acknowledge("chair-01", "north:" + id, "n", at(30s), w.events) ==
          alerts::AckResult::other_site);
    CHECK(w.events.size() == events_before);  // a refused acknowledgement changes nothing
    CHECK(w.clinic.acknowledge("chair-01", id, "nurse-3", at(30s), w.events) ==
          alerts::AckResult::ok);
    CHECK(w.alarms("sbp_high").back().state == AlarmState::acknowledged);
    CHECK_FALSE(w.alarms("sbp_high").back().ack_action);  // nothing said, nothing recorded
}

TEST_CASE("an acknowledgement's action taken is on its transition and in the session record") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.control(10s, ControlAction::dose_start);
    w.bp(20s, 205, 100);
    const auto* s = w.clinic.session("chair-01");
    const auto id = s->alert_id(w.alarms("sbp_high").at(0).alarm_no);
    CHECK(w.clinic.acknowledge("chair-01", id, "nurse-3", at(30s), w.events,
                               {"physician called", "Dr Oduya aware"}) == alerts::AckResult::ok);
    const auto acked = w.alarms("sbp_high").back();
    REQUIRE(acked.ack_action);
    CHECK(acked.ack_action->taken == "physician called");
    CHECK(acked.ack_action->note == "Dr Oduya aware");
    const auto& rec = *std::find_if(s->alarms.begin(), s->alarms.end(),
                                    [](const auto& a) { return a.condition == "sbp_high"; });
    REQUIRE(rec.ack_action);
    CHECK(rec.ack_action->taken == "physician called");
}

TEST_CASE("a cuff artifact is a technical note until the next valid cuff reading") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.clinic.on_cuff_artifact("chair-01", "SBP 80 is not above DBP 95", at(10s), w.events);
    auto note = w.alarms("bp_artifact");
    REQUIRE(note.size() == 1);
    CHECK(note[0].kind == AlarmKind::technical);
    w.bp(20s, 128, 80);
    note = w.alarms("bp_artifact");
    REQUIRE(note.size() == 2);
    CHECK(note[1].state == AlarmState::cleared);
    CHECK(note[1].cause == alerts::ClearCause::valid_reading);
}

namespace {

bool listed(const Ward& w, std::string_view condition) {
    const auto list = w.clinic.listed_alarms("chair-01");
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& a) { return a.active && a.condition == condition; });
}

std::vector<const ClinicEvent*> pauses(const Ward& w) {
    std::vector<const ClinicEvent*> out;
    for (const auto& e : w.events)
        if (e.type == ClinicEvent::Type::feed_pause) out.push_back(&e);
    return out;
}

void ticks(Ward& w, Millis from, Millis to) {
    for (Millis t = from; t <= to; t += 1s)
        w.clinic.on_tick(at(t), w.events);
}

}  // namespace

TEST_CASE("a feed pause clears the feed alarms, keeps them quiet, and expires by itself") {
    Ward w;
    w.control(0s, ControlAction::start);
    ticks(w, 1s, 15s);  // HR is expected from the start: silent for 10 s, hr_feed_lost
    REQUIRE(listed(w, "hr_feed_lost"));
    const auto first_no = w.alarms("hr_feed_lost").front().alarm_no;
    // Bounded: more than 0, at most ClinicSettings::max_feed_pause (15 min by default).
    CHECK(w.clinic.pause_feeds("chair-01", 16min, "cuff off", "rn-1", at(16s), w.events) ==
          ControlResult::pause_too_long);
    CHECK(w.clinic.pause_feeds("chair-01", 0s, "cuff off", "rn-1", at(16s), w.events) ==
          ControlResult::pause_too_long);
    CHECK(w.clinic.pause_feeds("chair-09", 5min, "cuff off", "rn-1", at(16s), w.events) ==
          ControlResult::no_session);
    CHECK(w.clinic.resume_feeds("chair-01", "rn-1", at(16s), w.events) ==
          ControlResult::not_paused);
    CHECK(pauses(w).empty());

    REQUIRE(w.clinic.pause_feeds("chair-01", 5min, "bathroom break", "rn-1", at(16s), w.events) ==
            ControlResult::ok);
    REQUIRE(pauses(w).size() == 1);
    CHECK_FALSE(pauses(w)[0]->pause_end);
    CHECK(pauses(w)[0]->pause->reason == "bathroom break");
    CHECK(w.alarms("hr_feed_lost").back().state == AlarmState::cleared);
    CHECK(w.alarms("hr_feed_lost").back().cause == alerts::ClearCause::feeds_paused);
    CHECK_FALSE(listed(w, "hr_feed_lost"));
    const auto* s = w.clinic.session("chair-01");
    REQUIRE(s->feed_pause);
    CHECK(s->feed_pause->until.mono == at(16s + 5min).mono);

    // Silent on through the pause (the cuff too: bp_overdue's 8 min in baseline): nothing.
    const auto before = w.alarms("hr_feed_lost").size();
    ticks(w, 17s, 16s + 5min - 1s);
    CHECK(w.alarms("hr_feed_lost").size() == before);
    CHECK(s->feed_pause);

    // Time up: the feed still silent alarms again, as a new alarm.
    ticks(w, 16s + 5min, 16s + 5min);
    CHECK_FALSE(w.clinic.session("chair-01")->feed_pause);
    REQUIRE(pauses(w).size() == 2);
    CHECK(pauses(w)[1]->pause_end == alerts::PauseEnd::expired);
    REQUIRE(listed(w, "hr_feed_lost"));
    CHECK(w.alarms("hr_feed_lost").back().state == AlarmState::raised);
    CHECK(w.alarms("hr_feed_lost").back().alarm_no > first_no);
}

TEST_CASE("a HIGH physiological alarm breaks through a feed pause; a resume ends it too") {
    Ward w;
    w.control(0s, ControlAction::start);
    w.control(10s, ControlAction::dose_start);
    REQUIRE(w.clinic.pause_feeds("chair-01", 10min, "cuff refit", "rn-2", at(11s), w.events) ==
            ControlResult::ok);
    ticks(w, 12s, 40s);  // HR silent: the engine knows, the pause keeps it off the list
    CHECK_FALSE(listed(w, "hr_feed_lost"));
    w.bp(41s, 128, 80);  // normal values change nothing
    CHECK(w.clinic.session("chair-01")->feed_pause);

    w.bp(50s, 205, 100);  // HIGH: the pause ends, the silent feed alarms again
    CHECK(w.alarms("sbp_high").back().priority == Priority::high);
    CHECK_FALSE(w.clinic.session("chair-01")->feed_pause);
    REQUIRE(pauses(w).size() == 2);
    CHECK(pauses(w)[1]->pause_end == alerts::PauseEnd::high_alarm);
    CHECK(listed(w, "hr_feed_lost"));

    // A new pause, ended by a nurse: who resumed is kept with it.
    REQUIRE(w.clinic.pause_feeds("chair-01", 10min, "walk", "rn-2", at(60s), w.events) ==
            ControlResult::ok);
    CHECK_FALSE(listed(w, "hr_feed_lost"));
    CHECK(w.clinic.resume_feeds("chair-01", "rn-3", at(70s), w.events) == ControlResult::ok);
    REQUIRE(pauses(w).size() == 4);
    CHECK(pauses(w)[3]->pause_end == alerts::PauseEnd::resumed);
    CHECK(pauses(w)[3]->pause->ended_by == "rn-3");
    CHECK(listed(w, "hr_feed_lost"));
}

TEST_CASE("the esketamine device count: planned at start, as given at dose_start") {
    Ward w;
    alerts::SessionInfo start;
    start.profile = "intranasal-esketamine";
    start.devices = 2;
    REQUIRE(w.clinic.on_control("chair-01", ControlAction::start, start, at(0s), w.events) ==
            ControlResult::ok);
    CHECK(w.clinic.session("chair-01")->devices == 2);
    alerts::SessionInfo dose;
    dose.devices = 3;
    REQUIRE(w.clinic.on_control("chair-01", ControlAction::dose_start, dose, at(10s), w.events) ==
            ControlResult::ok);
    CHECK(w.clinic.session("chair-01")->devices == 3);
    // A dose_end that says nothing keeps it.
    REQUIRE(w.control(20s, ControlAction::dose_end) == ControlResult::ok);
    CHECK(w.clinic.session("chair-01")->devices == 3);
}
