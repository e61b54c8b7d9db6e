// The last few samples of a streamed signal; rules judge the median over a short window so that
// one dropped beat or one motion spike neither raises nor restarts an alarm timer.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

class StreamWindow {
  public:
    static constexpr std::size_t capacity = 9;

    void push(Millis at, double value) {
        samples_[next_] = {at, value};
        next_ = static_cast<std::uint8_t>((next_ + 1) % capacity);
        size_ = static_cast<std::uint8_t>(std::min<std::size_t>(size_ + 1U, capacity));
    }
    bool empty() const { return size_ == 0; }

    // Median of the samples no older than `window` before `now`; if there are none, the latest
    // sample while it is no older than `hold` (sparse feeds); otherwise none.
    std::optional<double> median(Millis now, Millis window, Millis hold = Millis(0)) const {
        std::array<double, capacity> v{};  // the samples in the window, kept sorted
        std::size_t n = 0;
        for (std::size_t i = 0; i < size_; ++i) {
            if (samples_[i].at <= now - window || samples_[i].at > now) continue;
            std::size_t j = n++;
            for (; j > 0 && v[j - 1] > samples_[i].value; --j)
                v[j] = v[j - 1];
            v[j] = samples_[i].value;
        }
        if (n == 0) {
            if (size_ == 0) return std::nullopt;
            const Sample& latest = samples_[(next_ + capacity - 1) % capacity];
            if (latest.at <= now && now - latest.at <= hold) return latest.value;
            return std::nullopt;
        }
        if (n % 2 == 1) return v[n / 2];
        return (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    // The lowest and highest sample kept: every median this window can give lies between them.
    std::pair<double, double> range() const {
        double lo = samples_[0].value, hi = samples_[0].value;
        for (std::size_t i = 1; i < size_; ++i) {
            lo = std::min(lo, samples_[i].value);
            hi = std::max(hi, samples_[i].value);
        }
        return {lo, hi};
    }

    void clear() { size_ = next_ = 0; }

  private:
    struct Sample {
        Millis at{0};
        double value{0};
    };
    std::array<Sample, capacity> samples_{};
    std::uint8_t next_{0};
    std::uint8_t size_{0};
};

}  // namespace chairwatch::alerts
