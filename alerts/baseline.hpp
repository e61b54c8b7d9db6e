// The patient's own baseline, from the readings of the session's baseline phase: the median of
// the last few cuff readings (enough of them, far enough apart) and of the HR samples.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "alerts/profile.hpp"

namespace chairwatch::alerts {

struct Baseline {
    std::array<std::optional<double>, signal_count> value{};
    bool bp_formed() const { return value[index_of(Signal::sbp)].has_value(); }
    bool hr_formed() const { return value[index_of(Signal::hr)].has_value(); }
};

class BaselineCollector {
  public:
    static constexpr std::size_t cuff_capacity = 8;
    static constexpr std::size_t hr_capacity = 64;
    static constexpr Millis hr_spacing{5000};  // one HR sample every 5 s is plenty

    void add(const Reading& r, Millis at);
    Baseline form(const BaselinePolicy& policy) const;
    void clear() { *this = BaselineCollector{}; }

  private:
    struct Sample {
        Millis at{0};
        double value{0};
    };
    struct Series {
        std::array<Sample, cuff_capacity> items{};
        std::size_t size{0};
        std::optional<Millis> first;
        void add(Millis at, double v);
    };
    std::array<Series, 3> cuff_{};  // sbp, dbp, map
    std::array<double, hr_capacity> hr_{};
    std::size_t hr_size_{0};
    std::optional<Millis> hr_first_, hr_last_;
};

}  // namespace chairwatch::alerts
