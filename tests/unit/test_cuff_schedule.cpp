// REFERENCE §9 cuff cadence by time since the dose, per route, and bp_overdue on it (REF §8: the
// expected cycle + 3 min; MEDIUM while dosing and near the peak, LOW in late observation); the
// REMS 40-min BP check for esketamine (REF §2, §9).
#include <doctest/doctest.h>

#include "alerts/checkpoints.hpp"
#include "alerts/cuff_schedule.hpp"
#include "ward.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ControlAction;
using alerts::Priority;

namespace {

alerts::CuffSchedule iv() {
    return {{{0min, 10min, Priority::medium},
             {20min, 5min, Priority::medium},
             {50min, 15min, Priority::low}},
            3min};
}

// A session on `profile` with baseline readings, dose start at 600 s, cuff readings at the
// given minutes after the dose; ticks to `until` (seconds from the start).
ShippedWard dosed(const std::string& profile, std::vector<int> minutes, Millis until,
                  std::optional<Millis> dose_end = {}) {
    ShippedWard w;
    w.start(0s, profile);
    w.bp(300s, 120, 75);
    w.bp(590s, 122, 76);
    w.control(600s, ControlAction::dose_start);
    Millis t = 600s;
    for (const int m : minutes) {
        const Millis at_reading = 600s + std::chrono::minutes(m);
        w.tick_until(t, at_reading);
        if (dose_end && *dose_end >= t && *dose_end < at_reading)
            w.control(*dose_end, ControlAction::dose_end);
        w.bp(at_reading, 128, 80);
        t = at_reading;
    }
    w.tick_until(t, until);
    return w;
}

// "<seconds after the dose> <priority> <state>" of each bp_overdue transition.
std::vector<std::string> overdue(const ShippedWard& w) {
    std::vector<std::string> out;
    for (const auto& a : w.alarms("bp_overdue"))
        out.push_back(std::to_string((a.at.mono - 600s).count() / 1000) + " " +
                      std::string(alerts::to_string(a.priority)) + " " +
                      std::string(alerts::to_string(a.state)));
    return out;
}

}  // namespace

TEST_CASE("the expected reading: the earliest time the cadence in force there has passed") {
    const auto s = iv();
    CHECK(s.expected_after(0min) == 10min);
    CHECK(s.expected_after(-2min) == 8min);   // the last baseline reading before the dose
    CHECK(s.expected_after(15min) == 20min);  // the 5-min cycles start at 20
    CHECK(s.expected_after(18min) == 23min);
    CHECK(s.expected_after(30min) == 35min);
    CHECK(s.expected_after(45min) == 50min);  // the last 5-min cycle ends the window
    CHECK(s.expected_after(48min) == 63min);  // then every 15
    CHECK(s.window_at(35min).priority == Priority::medium);
    CHECK(s.window_at(50min).priority == Priority::medium);  // due at 50 on the 5-min cycle
    CHECK(s.window_at(63min).priority == Priority::low);
    CHECK(s.shortest() == 8min);
}

TEST_CASE("IV: a missed cycle at the peak is MEDIUM 3 min after it was due, not 13") {
    // Readings at 0, 10, 20, 25, 30 min; the 35-min one is missed: due at 35, overdue at 38.
    const auto w = dosed("iv-ketamine", {0, 10, 20, 25, 30}, 600s + 39min);
    CHECK(overdue(w) == std::vector<std::string>{"2281 medium raised"});  // 38 min + 1 s
}

TEST_CASE("IV: late observation is LOW on the 15-min cycle") {
    const auto w =
        dosed("iv-ketamine", {0, 10, 20, 25, 30, 35, 40, 45, 50, 65}, 600s + 84min, 600s + 40min);
    // After 65 min the next is due at 80, overdue at 83.
    CHECK(overdue(w) == std::vector<std::string>{"4981 low raised"});
}

TEST_CASE("IM: every 5 min for 30 min after the injection, then 15") {
    const auto peak = dosed("im-ketamine", {0, 5, 10}, 600s + 19min, 600s);
    CHECK(overdue(peak) == std::vector<std::string>{"1081 medium raised"});  // due 15, +3
    const auto later = dosed("im-ketamine", {0, 5, 10, 15, 20, 25, 30}, 600s + 49min, 600s);
    CHECK(overdue(later) == std::vector<std::string>{"2881 low raised"});  // due 45, +3
}

TEST_CASE("intranasal: every 15 min for 60 min, MEDIUM near the 40-min peak, then 30") {
    // The 45-min reading is missed: due at 45, MEDIUM at 48 (one interval used to allow 33 min
    // of silence and then only a LOW).
    const auto peak = dosed("intranasal-esketamine", {0, 15, 30}, 600s + 49min, 600s + 10min);
    auto got = overdue(peak);
    REQUIRE_FALSE(got.empty());
    CHECK(got.back() == "2881 medium raised");
    const auto late =
        dosed("intranasal-esketamine", {0, 15, 30, 40, 45, 60}, 600s + 94min, 600s + 10min);
    CHECK(overdue(late).back() == "5581 low raised");  // due at 90, +3
}

TEST_CASE("REMS: the 40-min BP missed raises an advisory; the reading taken ends it") {
    // Intranasal: readings at 0, 15, 29 min, none within 10 min of 40: advisory at 50 min.
    auto w = dosed("intranasal-esketamine", {0, 15, 29}, 600s + 50min, 600s + 10min);
    CHECK(w.alarms("rems_bp_40min").empty());
    w.tick_until(600s + 50min, 600s + 50min + 2s);
    auto rems = w.alarms("rems_bp_40min");
    REQUIRE(rems.size() == 1);
    CHECK(rems[0].kind == alerts::AlarmKind::advisory);
    CHECK(rems[0].priority == Priority::medium);
    CHECK(rems[0].at.mono == 600s + 50min + 1s);
    w.bp(600s + 52min, 132, 82);
    rems = w.alarms("rems_bp_40min");
    REQUIRE(rems.size() == 2);
    CHECK(rems[1].state == alerts::AlarmState::cleared);
    CHECK(rems[1].cause == alerts::ClearCause::valid_reading);
}

TEST_CASE("REMS: a reading within the tolerance of 40 min takes the check") {
    const auto early = dosed("intranasal-esketamine", {0, 15, 29}, 600s + 60min, 600s + 10min);
    CHECK_FALSE(early.alarms("rems_bp_40min").empty());  // 11 min early: not the 40-min check
    const auto edge = dosed("intranasal-esketamine", {0, 15, 30}, 600s + 60min, 600s + 10min);
    CHECK(edge.alarms("rems_bp_40min").empty());  // 10 min early: taken
    const auto late = dosed("intranasal-esketamine", {0, 15, 50}, 600s + 60min, 600s + 10min);
    CHECK(late.alarms("rems_bp_40min").empty());  // 10 min late: taken
    const auto iv_session = dosed("iv-ketamine", {0, 10}, 600s + 60min);
    CHECK(iv_session.alarms("rems_bp_40min").empty());  // IV has no such checkpoint
}

TEST_CASE("checkpoint watch: taken inside the window, missed once it ends, ended by a reading") {
    const std::vector<alerts::Checkpoint> list{{"c", 40min, 10min, Priority::medium}};
    alerts::CheckpointWatch w;
    CHECK(w.next_due(list) == Millis::max());
    w.start(100s, 1);
    CHECK(w.next_due(list) == 100s + 50min + 1ms);
    CHECK(w.missed(list, 100s + 50min).empty());
    CHECK(w.missed(list, 100s + 50min + 1ms) == std::vector<std::size_t>{0});
    CHECK(w.missed(list, 100s + 60min).empty());  // raised once
    CHECK(w.on_cuff(list, 100s + 55min) == std::vector<std::size_t>{0});
    CHECK(w.on_cuff(list, 100s + 56min).empty());
    alerts::CheckpointWatch t;
    t.start(0s, 1);
    CHECK(t.on_cuff(list, 30min).empty());  // at 40 - 10: taken
    CHECK(t.missed(list, 2h).empty());
}
