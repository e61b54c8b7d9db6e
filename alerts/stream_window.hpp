// The last few samples of a streamed signal; rules judge the median over a short window so that
// one dropped beat or one motion spike neither raises nor restarts an alarm timer.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

class StreamWindow {
  public:
    static constexpr std::size_t capacity = 9;

    void push(Millis at, double value) {
        samples_[next_] = {at, value};
        next_ = (next_ + 1) % capacity;
        size_ = std::min(size_ + 1, capacity);
    }

    // Median of the samples no older than `window` before `now`; if there are none, the latest
    // sample while it is no older than `hold` (sparse feeds); otherwise none.
    std::optional<double> median(Millis now, Millis window, Millis hold = Millis(0)) const {
        std::array<double, capacity> v{};
        std::size_t n = 0;
        for (std::size_t i = 0; i < size_; ++i)
            if (samples_[i].at > now - window && samples_[i].at <= now) v[n++] = samples_[i].value;
        if (n == 0) {
            if (size_ == 0) return std::nullopt;
            const Sample& latest = samples_[(next_ + capacity - 1) % capacity];
            if (latest.at <= now && now - latest.at <= hold) return latest.value;
            return std::nullopt;
        }
        auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
        std::nth_element(v.begin(), mid, v.begin() + static_cast<std::ptrdiff_t>(n));
        if (n % 2 == 1) return *mid;
        double upper = *mid;
        double lower = *std::max_element(v.begin(), mid);
        return (lower + upper) / 2;
    }

    void clear() { size_ = next_ = 0; }

  private:
    struct Sample {
        Millis at{0};
        double value{0};
    };
    std::array<Sample, capacity> samples_{};
    std::size_t next_{0};
    std::size_t size_{0};
};

}  // namespace chairwatch::alerts
