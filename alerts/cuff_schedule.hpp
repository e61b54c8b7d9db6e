// When the next cuff reading is due, by time since the dose started (REF §9: IV every 10 min,
// every 5 min from 20 to 50 min, then 15; IM every 5 min for 30 min, then 15; intranasal every
// 15 min for 60 min, then 30). An injection is a dose with no duration: its windows count from
// the same dose start. Pure.
#pragma once

#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

// From `from` after the dose start until the next window's `from`, one reading every `every`.
struct CuffWindow {
    Millis from{0};
    Millis every{600000};
    Priority priority{Priority::medium};  // of bp_overdue when the missed reading was due here
};

struct CuffSchedule {
    std::vector<CuffWindow> windows;  // ascending by `from`, the first from 0
    Millis grace{180000};             // overdue this long after the expected reading (REF §8)

    // The first instant (from dose start) at which a reading is due after one at `last`: the
    // earliest t > last with t - last >= the cadence of a window t falls in.
    Millis expected_after(Millis last) const;
    // The window the instant `t` (from dose start) falls in; a boundary instant belongs to the
    // window it ends (the cadence that made a reading due then).
    const CuffWindow& window_at(Millis t) const;
    // The shortest silence that can be overdue.
    Millis shortest() const;
};

}  // namespace chairwatch::alerts
