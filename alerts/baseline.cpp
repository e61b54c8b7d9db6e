#include "alerts/baseline.hpp"

#include <algorithm>
#include <vector>

namespace chairwatch::alerts {

namespace {

template <class It>
double median(It first, It last) {
    std::vector<double> v(first, last);
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

void BaselineCollector::Series::add(Millis at, double v) {
    if (!first) first = at;
    if (size == items.size()) {
        std::rotate(items.begin(), items.begin() + 1, items.end());
        --size;
    }
    items[size++] = {at, v};
}

void BaselineCollector::add(const Reading& r, Millis at) {
    if (is_cuff(r.signal)) {
        cuff_[index_of(r.signal) - index_of(Signal::sbp)].add(at, r.value);
        return;
    }
    if (r.signal != Signal::hr) return;
    if (hr_last_ && at - *hr_last_ < hr_spacing) return;
    if (!hr_first_) hr_first_ = at;
    hr_last_ = at;
    if (hr_size_ == hr_capacity) {  // keep the most recent samples
        std::rotate(hr_.begin(), hr_.begin() + 1, hr_.end());
        --hr_size_;
    }
    hr_[hr_size_++] = r.value;
}

Baseline BaselineCollector::form(const BaselinePolicy& policy) const {
    Baseline b;
    const auto& sbp = cuff_[0];
    const bool enough = static_cast<int>(sbp.size) >= policy.min_cuff_readings && sbp.size > 0 &&
                        sbp.items[sbp.size - 1].at - *sbp.first >= policy.min_cuff_span;
    if (enough) {
        for (std::size_t i = 0; i < cuff_.size(); ++i) {
            const auto& s = cuff_[i];
            if (s.size == 0) continue;
            const auto n = std::min<std::size_t>(
                s.size, static_cast<std::size_t>(std::max(1, policy.use_last)));
            std::array<double, cuff_capacity> vals{};
            for (std::size_t k = 0; k < n; ++k)
                vals[k] = s.items[s.size - n + k].value;
            b.value[index_of(Signal::sbp) + i] =
                median(vals.begin(), vals.begin() + static_cast<std::ptrdiff_t>(n));
        }
    }
    if (hr_size_ > 0 && *hr_last_ - *hr_first_ >= policy.min_hr_span)
        b.value[index_of(Signal::hr)] =
            median(hr_.begin(), hr_.begin() + static_cast<std::ptrdiff_t>(hr_size_));
    return b;
}

}  // namespace chairwatch::alerts
