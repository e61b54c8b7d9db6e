#include "alerts/profile.hpp"

#include <algorithm>

namespace chairwatch::alerts {

double Rule::limit_of(const Tier& t, std::optional<double> baseline) const {
    if (!relative(t)) return t.limit;
    const double sign = direction == Direction::high ? 1.0 : -1.0;
    const double base = baseline.value_or(0);
    double delta = t.rise_by.value_or(1e9);
    if (t.rise_pct) delta = std::min(delta, base * *t.rise_pct / 100.0);
    return base + sign * delta;
}

bool Rule::beyond(const Tier& t, double v, std::optional<double> baseline) const {
    if (relative(t) && !baseline) return false;  // no baseline, no relative rule
    const double l = limit_of(t, baseline);
    const bool past_relative = direction == Direction::high ? (t.inclusive ? v >= l : v > l)
                                                            : (t.inclusive ? v <= l : v < l);
    if (!relative(t) || !t.has_limit) return past_relative;
    const bool past_absolute = direction == Direction::high ? v >= t.limit : v <= t.limit;
    return past_relative && past_absolute;
}

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
