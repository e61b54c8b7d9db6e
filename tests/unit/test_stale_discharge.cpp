// REFERENCE §8: a BP reading older than 15 min is never current; §9: discharge needs a final
// NIBP and HR taken after the observation time.
#include <doctest/doctest.h>

#include "alerts/chair_monitor.hpp"
#include "ward.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ControlAction;
using alerts::Signal;

namespace {

// An IV session on the shipped profile: start at 0, baseline, dose 700 s to 3100 s (40 min);
// the observation time (60 min) is over at 6700 s.
ShippedWard iv_session() {
    ShippedWard w;
    w.start(0s, "iv-ketamine");
    w.hr(300s, 430s, 72);
    w.bp(300s, 122, 76);
    w.bp(600s, 120, 75);
    w.control(700s, ControlAction::dose_start);
    w.bp(1300s, 150, 90);
    w.control(3100s, ControlAction::dose_end);
    return w;
}

bool ready(const ShippedWard& w) {
    return w.session().discharge_ready.has_value();
}

}  // namespace

TEST_CASE("a cuff value is current for 15 min after its reading, then never") {
    auto p = std::make_shared<alerts::Profile>();
    alerts::ChairMonitor m(p);
    std::vector<alerts::ConditionChange> out;
    CHECK_FALSE(m.current_value(Signal::sbp, 0ms));
    m.on_reading({Signal::sbp, 130, 0ms}, at(100s), out);
    CHECK(m.current_value(Signal::sbp, 1000s) == 130);
    CHECK_FALSE(m.current_value(Signal::sbp, 1001s));
    p->cuff_current_for = 5min;
    CHECK_FALSE(m.current_value(Signal::sbp, 401s));
}

TEST_CASE("discharge: a BP from before the observation time is not the final NIBP") {
    auto w = iv_session();
    w.bp(6600s, 124, 78);  // 100 s before the observation time is over
    w.hr(6600s, 6800s, 74);
    CHECK_FALSE(ready(w));
    w.bp(6800s, 124, 78);  // the final NIBP
    w.hr(6800s, 6802s, 74);
    CHECK(ready(w));
    REQUIRE(w.alarms("discharge_ready").size() == 1);
    CHECK(w.alarms("discharge_ready")[0].at.mono == Millis(6800s));
}

TEST_CASE("discharge: a final NIBP that went stale (> 15 min) no longer counts") {
    auto w = iv_session();
    w.bp(6800s, 124, 78);
    w.hr(6700s, 7800s, 115);  // HR still over 110: not ready
    CHECK_FALSE(ready(w));
    w.hr(7800s, 7900s, 80);  // HR fine now, but the BP is 17 min old
    CHECK_FALSE(ready(w));
    w.bp(7900s, 126, 80);
    w.hr(7900s, 7902s, 80);
    CHECK(ready(w));
}

TEST_CASE("discharge: no HR, no discharge (the final HR is required, not optional)") {
    auto w = iv_session();
    w.bp(6800s, 124, 78);
    w.tick_until(6800s, 6900s);
    CHECK_FALSE(ready(w));
    w.hr(6900s, 6902s, 76);
    CHECK(ready(w));
}
