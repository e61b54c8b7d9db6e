#include "alerts/profile.hpp"

#include <algorithm>

namespace chairwatch::alerts {

bool Rule::inside_by_margin(const Tier& t, double v, std::optional<double> baseline) const {
    const auto th = threshold_of(t, baseline);
    if (!th) return true;  // a relative tier without a baseline: never beyond
    if (past(*th, v)) return false;
    return direction == Direction::high ? v <= th->value - clear_margin
                                        : v >= th->value + clear_margin;
}

Signal FeedRule::primary_signal() const {
    for (auto s : all_signals)
        if (fed_by(s)) return s;
    return Signal::hr;
}

}  // namespace chairwatch::alerts
