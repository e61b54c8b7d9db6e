#include "alerts/cuff_schedule.hpp"

#include <algorithm>

namespace chairwatch::alerts {

Millis CuffSchedule::expected_after(Millis last) const {
    Millis best = Millis::max();
    for (std::size_t i = 0; i < windows.size(); ++i) {
        const auto& w = windows[i];
        // The window's span is [from, next.from], both ends included (a reading at 45 min on a
        // 5-min cycle up to 50 is next due at 50); the first window also covers before the dose.
        const Millis start = i == 0 ? Millis::min() : w.from;
        const Millis end = i + 1 < windows.size() ? windows[i + 1].from : Millis::max();
        const Millis t = std::max(last + w.every, start);
        if (t <= end) best = std::min(best, t);
    }
    return best;
}

const CuffWindow& CuffSchedule::window_at(Millis t) const {
    const CuffWindow* in = &windows.front();
    for (const auto& w : windows)
        if (w.from < t) in = &w;
    return *in;
}

Millis CuffSchedule::shortest() const {
    Millis s = Millis::max();
    for (const auto& w : windows)
        s = std::min(s, w.every);
    return s + grace;
}

}  // namespace chairwatch::alerts
