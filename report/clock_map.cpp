#include "report/clock_map.hpp"

#include <algorithm>

namespace chairwatch::report {

void ClockMap::finish() {
    std::stable_sort(pairs_.begin(), pairs_.end(),
                     [](const Pair& a, const Pair& b) { return a.rx < b.rx; });
    for (std::size_t i = 1; i < pairs_.size(); ++i)
        pairs_[i].ts = std::max(pairs_[i].ts, pairs_[i - 1].ts);
}

Millis ClockMap::to_device(Millis received) const {
    if (pairs_.empty()) return received;
    if (received <= pairs_.front().rx) return pairs_.front().ts - (pairs_.front().rx - received);
    if (received >= pairs_.back().rx) return pairs_.back().ts + (received - pairs_.back().rx);
    const auto hi = std::upper_bound(pairs_.begin(), pairs_.end(), received,
                                     [](Millis x, const Pair& p) { return x < p.rx; });
    const auto lo = hi - 1;
    if (lo->rx == received) return lo->ts;
    const double f = static_cast<double>((received - lo->rx).count()) /
                     static_cast<double>((hi->rx - lo->rx).count());
    const double span = static_cast<double>((hi->ts - lo->ts).count());
    return lo->ts + Millis(static_cast<std::int64_t>(f * span + 0.5));
}

double ClockMap::speed() const {
    if (pairs_.size() < 2) return 1.0;
    const auto rx = (pairs_.back().rx - pairs_.front().rx).count();
    const auto ts = (pairs_.back().ts - pairs_.front().ts).count();
    if (rx < 1000 || ts <= 0) return 1.0;
    return static_cast<double>(ts) / static_cast<double>(rx);
}

}  // namespace chairwatch::report
