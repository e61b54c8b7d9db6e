#include "alerts/profile.hpp"

#include <algorithm>

namespace chairwatch::alerts {

bool Rule::inside_by_margin(const Tier& t, double v, std::optional<double> baseline) const {
    const auto th = threshold_of(t, baseline);
    if (!th) return true;  // a relative tier without a baseline: never beyond
    if (past(*th, v)) return false;
    const double margin = margin_for(signal_of(t));
    return direction == Direction::high ? v <= th->value - margin : v >= th->value + margin;
}

bool Rule::side_inside_by_margin(const std::optional<OrLimit>& side, double v) const {
    if (!side) return true;
    if (past({side->limit, side->inclusive}, v)) return false;
    const double margin = margin_for(side->signal);
    return direction == Direction::high ? v <= side->limit - margin : v >= side->limit + margin;
}

Signal FeedRule::primary_signal() const {
    for (auto s : all_signals)
        if (fed_by(s)) return s;
    return Signal::hr;
}

}  // namespace chairwatch::alerts
