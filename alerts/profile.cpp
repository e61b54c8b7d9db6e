#include "alerts/profile.hpp"

#include <algorithm>

namespace chairwatch::alerts {

bool Rule::inside_by_margin(const Tier& t, double v, std::optional<double> baseline) const {
    if (beyond(t, v, baseline)) return false;
    if (relative(t) && !baseline) return true;
    auto inside = [&](double l) {
        return direction == Direction::high ? v <= l - clear_margin : v >= l + clear_margin;
    };
    if (relative(t) && t.has_limit && inside(t.limit)) return true;  // back under the floor
    return inside(limit_of(t, baseline));
}

Signal FeedRule::primary_signal() const {
    for (auto s : all_signals)
        if (fed_by(s)) return s;
    return Signal::hr;
}

}  // namespace chairwatch::alerts
